import { Brain } from '../app/brain.ts';
import { campaignPhases } from '../campaigns/campaigns.ts';
import type { SimSettings } from '../config/backtest.ts';
import type { Config } from '../config/types.ts';
import { lowerBound } from '../domain/search.ts';
import { iso } from '../domain/time.ts';
import type { AuditEntry, DemandView } from '../domain/types.ts';
import { ManualClock } from '../ports/clock.ts';
import type { DemandContext, DemandProvider, PredictiveIntents } from '../ports/demand.ts';
import type { MetricSource } from '../ports/metrics.ts';
import { nullNotifier } from '../ports/notifier.ts';
import { MemoryStateStore } from '../sim/memory-store.ts';
import { Repo } from '../state/repo.ts';
import { SimAlarm } from './alarms.ts';
import { type DemandTimeline, ObservedDemandSource, TraceMetricSource } from './demand.ts';
import {
  capacityOf,
  type PolicyScores,
  type PolicySeries,
  Scorer,
  type ServingTarget,
  type Timeline,
} from './score.ts';
import { worldActuators } from './world/actuators.ts';
import { World } from './world/world.ts';

export const POLICIES = ['reactive', 'headroom', 'oracle'] as const;
export type PolicyName = (typeof POLICIES)[number];

/** Builds the forecasts Headroom gets: a DemandProvider over the metric history, and the predictive path. */
export interface Forecasting {
  provider: (metrics: MetricSource) => DemandProvider;
  predictive: PredictiveIntents;
}

export interface PolicyContext {
  /** The configuration as the brain sees it (the replayed signal in the trace's unit). */
  config: Config;
  settings: SimSettings;
  timeline: Timeline;
  demand: DemandTimeline;
  signal: string;
  serving: ServingTarget[];
  forecasting?: Forecasting;
  onProgress?: (fraction: number) => void;
  /** Sees the world after every tick (diagnostics: why was a minute short?). */
  observe?: (t: number, world: World, demand: number) => void;
}

/** Per-minute facts of Headroom's run for the report: its floor and the forecast it acted on. */
export interface HeadroomTrace {
  /** Capacity (req/s) of the first serving target's floor (minReplicas x perUnit). */
  floor: Float32Array;
  /** The forecast for each minute as the brain saw it one lead time (plus margin) before. */
  forecast: { lower: Float32Array; value: Float32Array; upper: Float32Array; aheadSeconds: number };
  /** Every step Headroom executed (the audit log), oldest first. */
  steps: { at: string; target: string; before: unknown; after: unknown; reason: string }[];
  /** What the brain learnt from each campaign that ended (audit `campaign-outcome`). */
  outcomes: { at: string; reason: string; outcome: unknown }[];
}

export interface PolicyRun {
  scores: PolicyScores;
  series: PolicySeries;
  headroom?: HeadroomTrace;
}

/** Ready capacity, whether demand runs above a target's utilisation goal, and the units paid for. */
function measure(world: World, serving: ServingTarget[], t: number, d: number) {
  let capacity = Number.POSITIVE_INFINITY;
  let hot = false;
  let units = 0;
  for (const s of serving) {
    const c = capacityOf(s, world.readyUnits(s.target.id, t));
    if (c < capacity) capacity = c;
    if (d > c * s.targetUtilization + 1e-9) hot = true;
    units += world.provisionedUnits(s.target.id);
  }
  return { capacity, hot, units };
}

function progress(ctx: PolicyContext, i: number, n: number): void {
  if (ctx.onProgress && i % 4096 === 0) ctx.onProgress(i / n);
}

function newWorld(ctx: PolicyContext): World {
  return new World({
    config: ctx.config,
    settings: ctx.settings,
    signal: ctx.signal,
    demand: (t) => ctx.demand.at(t),
    start: ctx.timeline.start,
  });
}

/** Kubernetes alone: HPA/KEDA and Karpenter (or the node group) with their defaults. */
export function runReactive(ctx: PolicyContext): PolicyRun {
  const tl = ctx.timeline;
  const world = newWorld(ctx);
  const scorer = new Scorer(tl);
  const n = tl.demand.length;
  for (let i = 0; i < n; i++) {
    const t = tl.start + i * tl.tickMs;
    world.step(t);
    const m = measure(world, ctx.serving, t, tl.demand[i]!);
    scorer.record(i, m.capacity, m.hot, m.units, world.nodeCount());
    ctx.observe?.(t, world, tl.demand[i]!);
    progress(ctx, i, n);
  }
  const a = world.actions();
  return { scores: scorer.result(a, a.replicas), series: scorer.series };
}

/** Records, per minute, the forecast point `aheadMs` after each reconcile's now. */
class RecordingDemandProvider implements DemandProvider {
  private readonly inner: DemandProvider;
  private readonly signal: string;
  private readonly aheadMs: number;
  private readonly record: (p: DemandView['points'][number]) => void;
  constructor(
    inner: DemandProvider,
    signal: string,
    aheadMs: number,
    record: (p: DemandView['points'][number]) => void,
  ) {
    this.inner = inner;
    this.signal = signal;
    this.aheadMs = aheadMs;
    this.record = record;
  }
  async demand(config: Config, now: Date, until: Date, context?: DemandContext) {
    const views = await this.inner.demand(config, now, until, context);
    const points = views[this.signal]?.points;
    if (points?.length) {
      const at = now.getTime() + this.aheadMs;
      const step = views[this.signal]!.stepSeconds * 1000;
      const p =
        points[
          Math.min(
            points.length - 1,
            lowerBound(points, (q) => q.t + step <= at),
          )
        ]!;
      this.record({ ...p, t: at });
    }
    return views;
  }
}

/** Reconcile instants: every reconcile interval, plus each campaign phase (what EventBridge Scheduler wakes). */
function reconcileTimes(config: Config, tl: Timeline): number[] {
  const every = config.defaults.reconcileIntervalSeconds * 1000;
  const end = tl.start + tl.demand.length * tl.tickMs;
  const times = new Set<number>();
  for (let t = Math.ceil(tl.start / every) * every; t < end; t += every) times.add(t);
  for (const c of config.campaigns)
    for (const p of campaignPhases(config, c)) {
      const t = Math.ceil(p.at.getTime() / tl.tickMs) * tl.tickMs;
      if (t >= tl.start && t < end) times.add(t);
    }
  return [...times].sort((a, b) => a - b);
}

/**
 * The same world plus the real brain: rules, the campaign calendar and forecasts, planned and
 * executed by the production code against the simulated actuators, on a manual clock the
 * simulation advances, at the configured reconcile interval.
 */
export async function runHeadroom(ctx: PolicyContext): Promise<PolicyRun> {
  const { config, timeline: tl, serving } = ctx;
  const clock = new ManualClock(tl.start);
  const world = newWorld(ctx);
  const store = new MemoryStateStore();
  const first = serving[0]!;
  const minuteOf = (t: number) => Math.floor((t - tl.minuteStart) / 60_000);
  const floor = new Float32Array(tl.minutes);
  const fc = {
    lower: new Float32Array(tl.minutes).fill(Number.NaN),
    value: new Float32Array(tl.minutes).fill(Number.NaN),
    upper: new Float32Array(tl.minutes).fill(Number.NaN),
    aheadSeconds: first.target.leadTimeSeconds + first.target.marginSeconds,
  };
  let demand: DemandProvider | undefined;
  if (ctx.forecasting) {
    const metrics = new TraceMetricSource(ctx.demand, clock, ctx.signal);
    demand = new RecordingDemandProvider(
      ctx.forecasting.provider(metrics),
      ctx.signal,
      fc.aheadSeconds * 1000,
      (p) => {
        const m = minuteOf(p.t);
        if (m < 0 || m >= tl.minutes) return;
        fc.lower[m] = p.lower;
        fc.value[m] = p.value;
        fc.upper[m] = p.upper;
      },
    );
  }
  const brain = new Brain({
    config,
    repo: new Repo(store),
    actuators: worldActuators(world, clock),
    clock,
    notifier: nullNotifier,
    demand,
    predictive: ctx.forecasting?.predictive,
    observed: config.surge?.enabled ? new ObservedDemandSource(ctx.demand, clock, ctx.signal) : undefined,
    owner: 'backtest',
  });
  const alarms = Object.entries(ctx.settings.alarms).map(([name, spec]) => new SimAlarm(name, spec));
  const times = reconcileTimes(config, tl);
  let next = 0;
  let executed = 0;
  const scorer = new Scorer(tl);
  const n = tl.demand.length;
  const floorOf = world.workloads.get(first.target.id);
  for (let i = 0; i < n; i++) {
    const t = tl.start + i * tl.tickMs;
    // The brain and the actuators read the clock only when they run.
    if (alarms.length > 0 || (next < times.length && times[next]! <= t)) clock.set(t);
    for (const alarm of alarms) {
      const state = alarm.sample(t, alarmMetric(world, ctx, alarm, tl.demand[i]!, t));
      if (state)
        await brain.handleSignal(
          { kind: 'alarm', name: alarm.name, state, id: iso(t) },
          `${alarm.name}@${t}`,
        );
    }
    while (next < times.length && times[next]! <= t) {
      next++;
      const r = await brain.reconcile();
      for (const s of r.results) if (s.outcome === 'executed') executed++;
    }
    world.step(t);
    const m = measure(world, serving, t, tl.demand[i]!);
    scorer.record(i, m.capacity, m.hot, m.units, world.nodeCount());
    ctx.observe?.(t, world, tl.demand[i]!);
    const minute = minuteOf(t);
    if (floorOf && minute >= 0 && minute < tl.minutes) {
      const c = capacityOf(first, floorOf.hpa?.minReplicas ?? floorOf.keda?.minReplicaCount ?? 0);
      if (c > floor[minute]!) floor[minute] = c;
    }
    progress(ctx, i, n);
  }
  const audit: AuditEntry[] = (await store.listAudit()).reverse();
  const steps = audit
    .filter((e) => e.action === 'step-executed' && e.target !== undefined)
    .map((e) => ({ at: e.at, target: e.target!, before: e.before, after: e.after, reason: e.reason }));
  const a = world.actions();
  return {
    scores: scorer.result({ ...a, headroomSteps: executed }, a.replicas + executed),
    series: scorer.series,
    headroom: {
      floor,
      forecast: fc,
      steps,
      outcomes: audit
        .filter((e) => e.action === 'campaign-outcome')
        .map((e) => ({ at: e.at, reason: e.reason, outcome: e.after })),
    },
  };
}

/** What a simulated alarm watches: the replayed demand, or a serving target's utilisation. */
function alarmMetric(world: World, ctx: PolicyContext, alarm: SimAlarm, d: number, t: number): number {
  if (alarm.spec.metric === 'demand') return d;
  const s = ctx.serving.find((x) => x.target.id === alarm.spec.target);
  if (!s) return 0;
  const ready = world.readyUnits(alarm.spec.target, t);
  const c = capacityOf(s, ready);
  return c > 0 ? d / c : 1;
}
