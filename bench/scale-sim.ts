import type { Actual, Target } from '../shared/domain/types.ts';
import type { Actuator, ActuatorRegistry, ApplyResult } from '../shared/ports/actuator.ts';
import type { Clock } from '../shared/ports/clock.ts';
import type { StateStore } from '../shared/ports/state.ts';

/**
 * Virtual time for the scale bench: `sleep` parks a promise until `run` advances the clock to
 * it, so a reconcile that waits minutes on simulated API latency and rate limits is replayed
 * in the CPU time its own code takes (the planner, executor and state logic run for real).
 */
export class VirtualTime implements Clock {
  private ms: number;
  private readonly timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  constructor(start: number) {
    this.ms = start;
  }
  now(): Date {
    return new Date(this.ms);
  }
  get ms0(): number {
    return this.ms;
  }
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.timers.push({ at: this.ms + ms, seq: this.seq++, resolve });
    });
  }
  /** Runs `work` to completion, advancing virtual time whenever everything waits on a timer. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let done = false;
    let out: T | undefined;
    let error: unknown;
    work().then(
      (v) => {
        done = true;
        out = v;
      },
      (e: unknown) => {
        done = true;
        error = e;
      },
    );
    while (!done) {
      await new Promise((r) => setImmediate(r));
      if (done || this.timers.length === 0) continue;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift()!;
      this.ms = Math.max(this.ms, next.at);
      next.resolve();
    }
    if (error) throw error;
    return out as T;
  }
}

/** A token bucket (rate per second, burst) in virtual time: FIFO reservations. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly rate: number;
  private readonly burst: number;
  private readonly time: VirtualTime;
  constructor(rate: number, burst: number, time: VirtualTime) {
    this.rate = rate;
    this.burst = burst;
    this.time = time;
    this.tokens = burst;
    this.last = time.ms0;
  }
  async take(): Promise<void> {
    const now = this.time.ms0;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens < 0) await this.time.sleep((-this.tokens / this.rate) * 1000);
  }
}

export interface ApiLimits {
  /** Per cluster: client-side QPS and burst (client-go's defaults are 5 and 10). */
  kubeQps: number;
  kubeBurst: number;
  /** Per account and service: AWS API throttling (describe calls). */
  awsRate: number;
  awsBurst: number;
  latencyMs: [number, number];
  storeLatencyMs: [number, number];
}

/** Latency and rate limits of every simulated API, and the calls made, per scope. */
export class SimApis {
  readonly calls = new Map<string, number>();
  private readonly buckets = new Map<string, TokenBucket>();
  private seed = 42;
  readonly time: VirtualTime;
  readonly limits: ApiLimits;
  constructor(time: VirtualTime, limits: ApiLimits) {
    this.time = time;
    this.limits = limits;
  }
  /** Deterministic uniform draw in [lo, hi]. */
  draw([lo, hi]: [number, number]): number {
    this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
    return lo + ((hi - lo) * this.seed) / 2147483648;
  }
  /** One API call in `scope` (`k8s:<cluster>` or `aws:<account>:<service>`), named `what`. */
  async call(scope: string, what: string): Promise<void> {
    this.calls.set(what, (this.calls.get(what) ?? 0) + 1);
    let b = this.buckets.get(scope);
    if (!b) {
      const k = scope.startsWith('k8s:');
      const { kubeQps, kubeBurst, awsRate, awsBurst } = this.limits;
      b = new TokenBucket(k ? kubeQps : awsRate, k ? kubeBurst : awsBurst, this.time);
      this.buckets.set(scope, b);
    }
    await b.take();
    await this.time.sleep(this.draw(this.limits.latencyMs));
  }
  total(): number {
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }
  reset(): void {
    this.calls.clear();
  }
}

/** How one target is read: the calls of its adapter, one object at a time or from a list. */
export interface ReadModel {
  scope: string;
  /** Per-object reads (the adapters today): one call each. */
  gets: string[];
  /** Batched: the list or filtered describe that holds this target (shared by its neighbours). */
  lists: string[];
  /** Calls of one apply (the adapters read before they patch or modify). */
  apply: string[];
}

/**
 * Simulated actuators with the adapters' call patterns. `batched` reads come from a
 * per-reconcile read cache: the first target of a namespace (or account) lists it, the others
 * wait for that list; the executor's fresh read before a change is always a GET.
 */
export class SimEstate {
  readonly values = new Map<string, number>();
  private cache = new Map<string, Promise<void>>();
  private readsThisRound = new Set<string>();
  batched = false;
  /** The adapters keep a workload's pod requests 10 minutes (POD_REQUESTS_TTL_SECONDS); false: read each time (before). */
  podRequestsKept = true;
  private readonly podRequestsAt = new Map<string, number>();
  private readonly apis: SimApis;
  private readonly model: (t: Target) => ReadModel;
  private readonly pageSize: (list: string) => number;
  constructor(apis: SimApis, model: (t: Target) => ReadModel, pageSize: (list: string) => number) {
    this.apis = apis;
    this.model = model;
    this.pageSize = pageSize;
  }
  /** A new reconcile: the read cache starts empty. */
  newRound(): void {
    this.cache.clear();
    this.readsThisRound.clear();
  }
  registry(): ActuatorRegistry {
    const self = this;
    const actuator: Actuator = {
      async read(t: Target): Promise<Actual> {
        const m = self.model(t);
        const first = !self.readsThisRound.has(t.id);
        self.readsThisRound.add(t.id);
        if (self.batched && first) {
          await Promise.all(
            m.lists.map((l) => {
              let p = self.cache.get(l);
              if (!p) {
                const pages = Math.max(1, self.pageSize(l));
                p = (async () => {
                  for (let i = 0; i < pages; i++) await self.apis.call(m.scope, l.split('|')[0]!);
                })();
                self.cache.set(l, p);
              }
              return p;
            }),
          );
        } else
          for (const g of m.gets) {
            if (g.includes('(pod requests)') && self.podRequestsKept) {
              const at = self.podRequestsAt.get(t.id);
              const now = self.apis.time.ms0;
              if (at !== undefined && now - at < 600_000) continue;
              self.podRequestsAt.set(t.id, now);
            }
            await self.apis.call(m.scope, g);
          }
        const v = self.values.get(t.id) ?? t.bounds.min;
        return { value: v, ready: v };
      },
      async apply(t: Target, desired: number): Promise<ApplyResult> {
        const m = self.model(t);
        for (const c of m.apply) await self.apis.call(m.scope, c);
        const before = self.values.get(t.id) ?? t.bounds.min;
        self.values.set(t.id, desired);
        return { status: 'applied', before: { [t.field]: before }, after: { [t.field]: desired } };
      },
    };
    return () => actuator;
  }
}

/** A state store with DynamoDB-like latency on every call (on-demand capacity: no throttling). */
export function withLatency(store: StateStore, apis: SimApis): StateStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        apis.calls.set('dynamodb', (apis.calls.get('dynamodb') ?? 0) + 1);
        await apis.time.sleep(apis.draw(apis.limits.storeLatencyMs));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
