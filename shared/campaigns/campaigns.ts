import type { Config } from '../config/types.ts';
import { formatDuration, parseCpuMillis, parseMemoryBytes } from '../domain/duration.ts';
import { lowerBound } from '../domain/search.ts';
import { iso } from '../domain/time.ts';
import type { Actual, Campaign, DemandView, Intent, Target } from '../domain/types.ts';
import { clampToBounds, display } from '../domain/units.ts';
import { formatRate, quantileLabel } from '../forecast/predictive.ts';
import { kindOf } from '../kinds/index.ts';

export interface CampaignContext {
  config: Config;
  /** Baseline units of a target: the value Headroom replaced, else the actual now. */
  baseline: (target: Target) => number;
  actuals: Record<string, Actual | undefined>;
  demand: Record<string, DemandView | undefined>;
  now: Date;
}

export function campaignEnd(c: Campaign): number {
  return Date.parse(c.start) + c.durationSeconds * 1000;
}

/**
 * Expected demand per second over [from, to): the highest upper bound of the forecast in the
 * window (a forecast fitted with campaign windows left out of the history, so this is demand
 * without the campaign), else the last observation, else the configured baseline.
 */
export function expectedDemand(
  view: DemandView | undefined,
  fallback: number | undefined,
  from: number,
  to: number,
): { perSecond: number; how: string } | undefined {
  if (view) {
    let peak: DemandView['points'][number] | undefined;
    for (let i = firstAtOrAfter(view.points, from); i < view.points.length && view.points[i]!.t < to; i++) {
      const p = view.points[i]!;
      if (!peak || p.upper > peak.upper) peak = p;
    }
    if (peak) {
      return {
        perSecond: peak.upper,
        how: `forecast ${view.signal} ${quantileLabel(view.quantile)} ${formatRate(peak.upper)} at ${iso(peak.t)} (${view.model})`,
      };
    }
    if (view.observedPerSecond !== undefined)
      return {
        perSecond: view.observedPerSecond,
        how: `last observed ${view.signal} ${formatRate(view.observedPerSecond)}`,
      };
  }
  if (fallback !== undefined) return { perSecond: fallback, how: `configured baseline ${fallback}/s` };
  return undefined;
}

/** Index of the first point at or after `t` (points are sorted by time). */
function firstAtOrAfter(points: { t: number }[], t: number): number {
  return lowerBound(points, (p) => p.t < t);
}

/** Units a capacity model needs for a demand per second. */
export function unitsForDemand(target: Target, perSecond: number): number {
  const c = target.capacity!;
  return Math.ceil(perSecond / (c.perUnit * c.targetUtilization) - 1e-9);
}

/**
 * A campaign's floor for one target, with the explanation. In order: an explicit floor; the
 * capacity model applied to `multiplier x` expected demand; for Karpenter headroom the spare
 * nodes that the campaign's added pods in the same cluster need; otherwise the baseline
 * times the multiplier (a ladder moves up log2(multiplier) tiers: each tier doubles).
 */
export function campaignFloor(
  c: Campaign,
  target: Target,
  ctx: CampaignContext,
  floors: Map<string, number>,
): { floor: number; why: string } | undefined {
  const explicit = c.floors?.[target.id];
  if (explicit !== undefined) return { floor: explicit, why: `explicit floor ${display(target, explicit)}` };
  if (target.capacity) {
    const d = campaignDemand(c, target.capacity.signal, ctx);
    if (d) {
      const units = unitsForDemand(target, d.perSecond * c.multiplier);
      return {
        floor: units,
        why: `x${c.multiplier} ${d.how} = ${(d.perSecond * c.multiplier).toFixed(1)}/s needs ${units} at ${target.capacity.perUnit}/s per unit and ${target.capacity.targetUtilization * 100}% utilisation`,
      };
    }
  }
  if (kindOf(target).isNodeCapacity) return nodeCapacityFloor(c, target, ctx, floors);
  const base = ctx.baseline(target);
  if (target.scale === 'ladder') {
    const up = Math.ceil(Math.log2(Math.max(1, c.multiplier)));
    return { floor: base + up, why: `x${c.multiplier} from ${display(target, base)}: ${up} tier(s) up` };
  }
  return { floor: Math.ceil(base * c.multiplier), why: `x${c.multiplier} from baseline ${base}` };
}

/** Expected demand of one signal over a campaign window, worked out once per campaign and context. */
const demandMemo = new WeakMap<CampaignContext, Map<string, ReturnType<typeof expectedDemand>>>();
function campaignDemand(
  c: Campaign,
  signal: string,
  ctx: CampaignContext,
): ReturnType<typeof expectedDemand> {
  let memo = demandMemo.get(ctx);
  if (!memo) {
    memo = new Map();
    demandMemo.set(ctx, memo);
  }
  const key = `${c.name}\u0000${c.start}\u0000${c.durationSeconds}\u0000${signal}`;
  if (!memo.has(key)) {
    const fallback = ctx.config.signals[signal]?.baselinePerSecond;
    memo.set(key, expectedDemand(ctx.demand[signal], fallback, Date.parse(c.start), campaignEnd(c)));
  }
  return memo.get(key);
}

function nodeCapacityFloor(
  c: Campaign,
  nodes: Target,
  ctx: CampaignContext,
  floors: Map<string, number>,
): { floor: number; why: string } | undefined {
  const kind = kindOf(nodes);
  const unit = kind.unitResources?.(nodes.spec);
  if (!unit) return undefined;
  const phCpu = unit.resources.cpuMillis;
  const phMem = unit.resources.memoryBytes;
  let cpu = 0;
  let mem = 0;
  const parts: string[] = [];
  const unknown: string[] = [];
  const started: string[] = [];
  for (const id of c.targets) {
    const t = targetById(ctx.config, id);
    if (!t || !kindOf(t).isWorkload || t.cluster !== nodes.cluster) continue;
    const floor = floors.get(id);
    if (floor === undefined) continue;
    const base = ctx.baseline(t);
    // Capacity handed over to the pods: only the added pods not running yet still need it.
    const running = kind.releasedByPods ? readyUnits(ctx.actuals[id]) : 0;
    const added = Math.max(0, floor - Math.max(base, running));
    if (running > base && floor > base) started.push(`${Math.min(running, floor) - base} ${id} pods running`);
    if (added === 0) continue;
    const res = t.podResources ?? ctx.actuals[id]?.podResources;
    if (!res) {
      unknown.push(id);
      continue;
    }
    cpu += added * res.cpuMillis;
    mem += added * res.memoryBytes;
    parts.push(`${added} ${id} pods`);
  }
  const n = Math.ceil(Math.max(cpu / phCpu, mem / phMem) - 1e-9);
  const why =
    `${n} spare nodes for ${parts.length ? parts.join(' + ') : 'no added pods'} (${unit.written})` +
    (started.length ? `; released to ${started.join(' + ')}` : '') +
    (unknown.length ? `; pod requests unknown for ${unknown.join(', ')}` : '');
  return { floor: n, why };
}

/** Pods of a workload that run now (its ready replicas, else its value). */
function readyUnits(a: Actual | undefined): number {
  return a ? (a.ready ?? a.value) : 0;
}

/**
 * Every target's floor for one campaign (pod workloads first: node capacity is sized from
 * their added pods), clamped to bounds, with the explanation of each.
 */
export function campaignFloors(
  c: Campaign,
  ctx: CampaignContext,
): { floors: Map<string, number>; why: Map<string, string> } {
  const floors = new Map<string, number>();
  const why = new Map<string, string>();
  const ordered = [...c.targets].sort((a, b) => Number(isNodes(ctx, a)) - Number(isNodes(ctx, b)));
  for (const id of ordered) {
    const target = targetById(ctx.config, id);
    if (!target) continue;
    const f = campaignFloor(c, target, ctx, floors);
    if (!f) continue;
    const clamped = clampToBounds(target, f.floor);
    floors.set(id, clamped);
    why.set(id, f.why + (clamped < f.floor ? `, capped at max ${display(target, clamped)}` : ''));
  }
  return { floors, why };
}

/**
 * The intents of the campaign calendar, derived on every reconcile so they follow the latest
 * demand and a cancellation releases them at once. Each intent holds from the campaign start
 * to its end; the planner starts each target its lead time (plus margin and staging) early
 * and releases it `scaleDownDelay` after the end.
 */
export function campaignIntents(campaigns: Campaign[], ctx: CampaignContext): Intent[] {
  const out: Intent[] = [];
  const now = ctx.now.getTime();
  const maxDelay = Math.max(0, ...ctx.config.targets.map((t) => t.scaleDownDelaySeconds));
  for (const c of campaigns) {
    if (c.cancelled) continue;
    const end = campaignEnd(c);
    if (end + maxDelay * 1000 < now) continue;
    const { floors, why } = campaignFloors(c, ctx);
    const until = iso(end);
    const starts = iso(Date.parse(c.start));
    for (const id of c.targets) {
      const target = targetById(ctx.config, id);
      const floor = floors.get(id);
      if (!target || floor === undefined) continue;
      out.push({
        id: `campaign:${c.name}:${id}`,
        target: id,
        floor,
        from: c.start,
        until,
        reason: `campaign ${c.name} x${c.multiplier} starts ${starts} (lead time ${formatDuration(target.leadTimeSeconds)}): ${why.get(id)}`,
        source: { kind: 'campaign', ref: c.name },
        campaign: c.name,
        approved: c.approved,
        createdAt: c.start,
      });
    }
  }
  return out;
}

/**
 * The targets a campaign raises when its request names none: those with a capacity model
 * (they scale with demand) and every pod workload. Node capacity follows from the pods.
 */
export function defaultCampaignTargets(config: Config): string[] {
  return config.targets.filter((t) => t.capacity || kindOf(t).isWorkload).map((t) => t.id);
}

function isNodes(ctx: CampaignContext, id: string): boolean {
  const t = targetById(ctx.config, id);
  return t !== undefined && kindOf(t).isNodeCapacity;
}

const indexes = new WeakMap<Config, Map<string, Target>>();
function targetById(config: Config, id: string): Target | undefined {
  let m = indexes.get(config);
  if (!m) {
    m = new Map(config.targets.map((t) => [t.id, t]));
    indexes.set(config, m);
  }
  return m.get(id);
}

/** True while the campaign window (start to end) contains `now`, for actuators that care. */
export function activeCampaignsFor(campaigns: Campaign[], targetId: string, now: number): Campaign[] {
  return campaigns.filter(
    (c) => !c.cancelled && c.targets.includes(targetId) && Date.parse(c.start) <= now && now < campaignEnd(c),
  );
}

/** A campaign's phases: when each target starts to rise, the start, the end and the release. */
export function campaignPhases(config: Config, c: Campaign): { name: string; at: Date; phase: string }[] {
  const start = Date.parse(c.start);
  const end = start + c.durationSeconds * 1000;
  const out = new Map<number, string>();
  for (const id of c.targets) {
    const t = config.targets.find((x) => x.id === id);
    if (!t) continue;
    out.set(
      start - (t.leadTimeSeconds + t.marginSeconds + (t.aheadOfDependentsSeconds ?? 0)) * 1000,
      `raise-${id}`,
    );
    out.set(end + t.scaleDownDelaySeconds * 1000, `release-${id}`);
  }
  out.set(start, 'start');
  out.set(end, 'end');
  return [...out.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([at, phase]) => ({ name: `headroom-${c.name}-${phase}`.slice(0, 64), at: new Date(at), phase }));
}
