import type { Config } from '../config/types.ts';
import type { ActuatorError } from '../domain/errors.ts';
import type { Actual, DemandSignal, Target } from '../domain/types.ts';
import { toPerSecond } from '../domain/types.ts';
import { display, fieldOf } from '../domain/units.ts';
import { kindOf } from '../kinds/index.ts';
import type { Actuator, ActuatorRegistry, ApplyContext, ApplyResult } from '../ports/actuator.ts';
import type { Clock } from '../ports/clock.ts';
import type { MetricQuery, MetricSource, Series } from '../ports/metrics.ts';

/** Demand per second of a signal at an instant (epoch ms). */
export type DemandCurve = (signal: DemandSignal, t: number) => number;

export interface SimOptions {
  clock: Clock;
  /** Starting value per target (units); default: the configured baseline, else bounds.min. */
  initial?: Record<string, number>;
  /** Demand per signal; default: `dailyCurve` in the config time zone. */
  demand?: DemandCurve;
  /** Requests of one pod for pod workloads that do not configure `pod`. */
  podResources?: { cpuMillis: number; memoryBytes: number };
  /** Instances that are Single-AZ (their class changes cause downtime). */
  singleAz?: string[];
}

interface Change {
  at: number;
  from: number;
  to: number;
  /** When the new value is ready capacity. */
  readyAt: number;
}

/** One simulated target as `snapshot()` hands it out. */
export type SimTargetState = SimTarget;

interface SimTarget {
  value: number;
  initial: number;
  changes: Change[];
  fields: Record<string, unknown>;
  /** Who set the value last, when it was not Headroom. */
  changedBy?: string;
  /** A Headroom ceiling on a separate field (an HPA's maxReplicas), docs/ceilings.md. */
  ceiling?: number;
}

/** Default requests of one simulated pod: 500m CPU, 1 GiB. */
export const DEFAULT_POD = { cpuMillis: 500, memoryBytes: 1024 ** 3 };

/**
 * A plausible daily demand curve in the config time zone: lowest at 04:00, highest at 16:00,
 * 30 % of the peak at night, 80 % on weekends. Peak = the signal's baseline (default 250/s).
 */
export function dailyCurve(timezone: string): DemandCurve {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  });
  return (signal, t) => {
    const parts = fmt.formatToParts(new Date(t));
    const h =
      Number(parts.find((p) => p.type === 'hour')?.value) +
      Number(parts.find((p) => p.type === 'minute')?.value) / 60;
    const day = parts.find((p) => p.type === 'weekday')?.value;
    const weekend = day === 'Sat' || day === 'Sun' ? 0.8 : 1;
    const shape = 0.3 + 0.7 * ((1 - Math.cos((2 * Math.PI * (h - 4)) / 24)) / 2);
    return (signal.baselinePerSecond ?? 250) * shape * weekend;
  };
}

/**
 * The simulated cloud: one actuator for every target kind, with the kind's lead time between a
 * change and ready capacity, exclusive kinds busy while they change (as RDS and ElastiCache
 * refuse a second modify), failure injection, and the demand of every signal. It is what
 * `npm start`, `plan`, the tests and the backtest run against when there is no AWS.
 */
export class SimCloud {
  readonly config: Config;
  readonly clock: Clock;
  readonly demand: DemandCurve;
  readonly calls: { target: string; at: number; from: number; to: number; ctx: ApplyContext }[] = [];
  private readonly targets = new Map<string, SimTarget>();
  private readonly failures = new Map<string, { error: Error; times: number; on: 'read' | 'apply' }[]>();
  private readonly opts: SimOptions;

  constructor(config: Config, opts: SimOptions) {
    this.config = config;
    this.clock = opts.clock;
    this.opts = opts;
    this.demand = opts.demand ?? dailyCurve(config.timezone);
    for (const t of config.targets) {
      const v = opts.initial?.[t.id] ?? t.baseline ?? t.bounds.min;
      this.targets.set(t.id, { value: v, initial: v, changes: [], fields: {} });
    }
  }

  /**
   * What the simulated targets hold (values, changes under way, who set them): `headroom dev`
   * keeps it beside its state store so `plan --state` and a restarted `dev` see the same cloud.
   */
  snapshot(): Record<string, SimTargetState> {
    return Object.fromEntries([...this.targets].map(([id, s]) => [id, structuredClone(s)]));
  }

  /** Takes back a snapshot; targets it does not know (or no longer configured) are left as they are. */
  restore(snapshot: Record<string, SimTargetState>): void {
    for (const [id, s] of Object.entries(snapshot))
      if (this.targets.has(id) && Number.isFinite(s?.value)) this.targets.set(id, structuredClone(s));
  }

  /** The next `times` calls to `on` for this target throw `error`. */
  failNext(targetId: string, error: ActuatorError | Error, times = 1, on: 'read' | 'apply' = 'apply'): void {
    this.failures.set(targetId, [...(this.failures.get(targetId) ?? []), { error, times, on }]);
  }

  /** Someone else sets the value (a person, another tool): drift for the brain to notice. */
  setValue(targetId: string, value: number, by?: string): void {
    const s = this.state(targetId);
    s.changedBy = by;
    const now = this.clock.now().getTime();
    s.changes.push({ at: now, from: s.value, to: value, readyAt: now });
    s.value = value;
  }

  value(targetId: string): number {
    return this.state(targetId).value;
  }

  /** Ready capacity now: a raise counts once its lead time has passed, a lowering at once. */
  ready(targetId: string, at = this.clock.now().getTime()): number {
    const s = this.state(targetId);
    let ready = s.initial;
    for (const c of s.changes) {
      if (c.readyAt <= at) ready = c.to;
    }
    return ready;
  }

  demandAt(signal: string, t: number): number {
    const sig = this.config.signals[signal];
    return sig ? this.demand(sig, t) : 0;
  }

  readonly registry: ActuatorRegistry = () => this.actuator;

  /** One actuator serves every target: the target passed to read/apply says which. */
  readonly actuator: Actuator = {
    read: async (t) => this.read(t),
    apply: async (t, desired, ctx) => this.apply(t, desired, ctx),
  };

  private state(id: string): SimTarget {
    const s = this.targets.get(id);
    if (!s) throw new Error(`the simulated cloud has no target ${id}`);
    return s;
  }

  private injected(id: string, on: 'read' | 'apply'): void {
    const list = this.failures.get(id);
    const f = list?.find((x) => x.on === on);
    if (!f) return;
    f.times--;
    if (f.times <= 0) list!.splice(list!.indexOf(f), 1);
    throw f.error;
  }

  /** Kinds whose changes restart an at-risk resource (a Single-AZ database) need approval. */
  private riskOf(target: Target): string | undefined {
    const needs = kindOf(target).needsApproval;
    return (
      needs?.always?.(target.spec) ??
      (needs && this.opts.singleAz?.includes(target.id) ? needs.risk : undefined)
    );
  }

  private busy(target: Target, s: SimTarget, now: number): string | undefined {
    const kind = kindOf(target);
    if (!kind.exclusive) return undefined;
    const last = s.changes.at(-1);
    if (last && last.readyAt > now && last.at !== last.readyAt)
      return `modifying to ${display(target, last.to)} until ${new Date(last.readyAt).toISOString()}`;
    const interval = (kind.minChangeIntervalSeconds ?? 0) * 1000;
    if (last && last.at !== last.readyAt && now < last.at + interval)
      return `the last change was at ${new Date(last.at).toISOString()}: the next is allowed from ${new Date(last.at + interval).toISOString()}`;
    return undefined;
  }

  private async read(target: Target): Promise<Actual> {
    this.injected(target.id, 'read');
    const s = this.state(target.id);
    const now = this.clock.now().getTime();
    const actual: Actual = { value: s.value, ready: this.ready(target.id, now), details: { ...s.fields } };
    const busy = this.busy(target, s, now);
    if (busy) actual.busy = busy;
    if (s.changedBy) actual.changedBy = s.changedBy;
    if (s.ceiling !== undefined) actual.ceiling = s.ceiling;
    const kind = kindOf(target);
    if (kind.isWorkload) actual.podResources = target.podResources ?? this.opts.podResources ?? DEFAULT_POD;
    const risk = this.riskOf(target);
    if (risk) actual.risk = risk;
    return actual;
  }

  private async apply(target: Target, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    this.injected(target.id, 'apply');
    const s = this.state(target.id);
    const now = this.clock.now().getTime();
    const field = fieldOf(target);
    const before = { [field]: display(target, s.value) };
    if (ctx.ceiling !== undefined && (ctx.ceiling ?? undefined) !== s.ceiling) {
      s.ceiling = ctx.ceiling ?? undefined;
      if (desired === s.value) return { status: 'applied', before, after: before };
    }
    if (desired === s.value) return { status: 'no-op', before, after: before };
    if (this.busy(target, s, now))
      return { status: 'in-progress', before, after: before, message: 'a change is in progress' };
    if (this.riskOf(target) && !ctx.approved)
      return {
        status: 'blocked',
        before,
        after: before,
        message: `refused without approval: ${this.riskOf(target)}`,
      };
    const up = desired > s.value;
    s.changes.push({
      at: now,
      from: s.value,
      to: desired,
      readyAt: up ? now + target.leadTimeSeconds * 1000 : now,
    });
    this.calls.push({ target: target.id, at: now, from: s.value, to: desired, ctx });
    s.value = desired;
    s.changedBy = undefined;
    Object.assign(s.fields, kindOf(target).simFields?.(ctx.campaignActive));
    return { status: 'applied', before, after: { [field]: display(target, desired) } };
  }

  /** A MetricSource over the demand curves, in each signal's own unit per step. */
  readonly metrics: MetricSource = {
    history: async (signal: DemandSignal, q: MetricQuery): Promise<Series> => {
      const step = q.stepSeconds * 1000;
      const t: number[] = [];
      const v: number[] = [];
      const start = Math.ceil(q.from.getTime() / step) * step;
      for (let x = start; x <= q.to.getTime(); x += step) {
        t.push(x);
        v.push(this.demand(signal, x) / toPerSecond(signal, 1, q.stepSeconds));
      }
      return { t, v, stepSeconds: q.stepSeconds };
    },
  };
}
