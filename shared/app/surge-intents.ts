import { type CampaignContext, campaignFloors, expectedDemand } from '../campaigns/campaigns.ts';
import type { SurgeConfig } from '../config/surge.ts';
import type { Config } from '../config/types.ts';
import { iso } from '../domain/time.ts';
import { type DemandView, type Intent, type Target, toPerSecond } from '../domain/types.ts';
import { describeError } from '../executor/executor.ts';
import { formatRate } from '../forecast/predictive.ts';
import { detectSurge, nextSurgeState, type SurgeSample, type SurgeState } from '../forecast/surge.ts';
import { kindOf } from '../kinds/index.ts';
import type { BrainContext } from './context.ts';

/** The surges recorded for the enabled `surge:` section ([] without one). */
export async function loadSurges(ctx: BrainContext, now: Date): Promise<SurgeState[]> {
  return ctx.config.surge?.enabled ? ctx.deps.repo.surges(now) : [];
}

const HOUR = 3600_000;

/**
 * Surge windows are not baseline demand: forecasts leave them out, as campaign windows. A
 * window ends at the hour after its `until`, so a surge that extends every minute changes what
 * the forecaster leaves out (and makes it choose its model again) at most once an hour.
 */
export function surgeExclusions(config: Config, surges: SurgeState[]): { from: number; to: number }[] {
  const before = (config.surge?.windowSeconds ?? 0) * 1000;
  return surges.map((s) => ({
    from: Date.parse(s.since) - before,
    to: Math.ceil(Date.parse(s.until) / HOUR) * HOUR,
  }));
}

/** The signals the detector watches: those named, else every signal a capacity model measures. */
function watchedSignals(config: Config, s: SurgeConfig): string[] {
  if (s.signals) return s.signals;
  return [...new Set(config.targets.flatMap((t) => (t.capacity ? [t.capacity.signal] : [])))];
}

/**
 * The layers a surge on `signal` raises: the targets named in `surge.targets`, else the
 * capacity targets of the signal, what they depend on (readers, caches) and the node capacity
 * of their clusters (spare nodes for the added pods).
 */
export function surgeTargets(config: Config, s: SurgeConfig, signal: string): string[] {
  if (s.targets) return s.targets;
  const byId = new Map(config.targets.map((t) => [t.id, t]));
  const out = new Set<string>();
  const add = (t: Target) => {
    if (out.has(t.id)) return;
    out.add(t.id);
    for (const d of t.dependsOn) {
      const dep = byId.get(d);
      if (dep) add(dep);
    }
  };
  for (const t of config.targets) if (t.capacity?.signal === signal) add(t);
  const clusters = new Set([...out].map((id) => byId.get(id)?.cluster).filter((c) => c !== undefined));
  for (const t of config.targets)
    if (kindOf(t).isNodeCapacity && t.cluster !== undefined && clusters.has(t.cluster)) out.add(t.id);
  return [...out];
}

/** The forecast's upper bound at `t`: the interval that holds it, else the nearest one. */
function upperOf(view: DemandView): (t: number) => number | undefined {
  const step = view.stepSeconds * 1000;
  return (t) => {
    const pts = view.points;
    if (pts.length === 0) return undefined;
    const p = pts.find((q) => q.t <= t && t < q.t + step) ?? (t < pts[0]!.t ? pts[0] : pts[pts.length - 1]);
    return p?.upper;
  };
}

/** The last `window` of one-minute samples, demand per second at the middle of each. */
async function recentSamples(ctx: BrainContext, signal: string, now: Date): Promise<SurgeSample[]> {
  const source = ctx.deps.observed;
  const sig = ctx.config.signals[signal];
  if (!source || !sig) return [];
  const windowMs = (ctx.config.surge?.windowSeconds ?? 600) * 1000;
  const series = await source.history(sig, {
    from: new Date(now.getTime() - windowMs),
    to: now,
    stepSeconds: 60,
  });
  const half = (series.stepSeconds * 1000) / 2;
  return series.t.map((t, i) => ({
    t: t + half,
    perSecond: toPerSecond(sig, series.v[i]!, series.stepSeconds),
  }));
}

/** How far ahead a surge is projected: the quickest capacity target's lead time plus margin. */
function aheadSeconds(config: Config, signal: string): number {
  const leads = config.targets
    .filter((t) => t.capacity?.signal === signal)
    .map((t) => t.leadTimeSeconds + t.marginSeconds);
  return leads.length ? Math.min(...leads) : 0;
}

/**
 * Surge floors for this reconcile: each watched signal's recent samples against its forecast
 * band, the signal's surge state advanced (and stored when `persist`), and for a surge that
 * holds one urgent intent per layer, sized as a campaign of `projected / expected` would be.
 */
export async function surgeIntents(
  ctx: BrainContext,
  surges: SurgeState[],
  sizing: CampaignContext,
  persist: boolean,
): Promise<Intent[]> {
  const s = ctx.config.surge;
  if (!s?.enabled || !ctx.deps.observed) return [];
  const { now } = sizing;
  const t = now.getTime();
  const out: Intent[] = [];
  for (const signal of watchedSignals(ctx.config, s)) {
    const view = sizing.demand[signal];
    const prev = surges
      .filter((x) => x.signal === signal)
      .sort((a, b) => Date.parse(a.since) - Date.parse(b.since))
      .pop();
    const ahead = aheadSeconds(ctx.config, signal);
    let detection: ReturnType<typeof detectSurge>;
    try {
      const samples = view ? await recentSamples(ctx, signal, now) : [];
      detection = view && detectSurge(samples, upperOf(view), s, t, ahead);
    } catch (err) {
      ctx.log.warn(`surge detector could not read ${signal}: ${describeError(err)}`, { signal });
    }
    const state = nextSurgeState(prev, detection, signal, t, {
      holdSeconds: s.holdSeconds,
      aheadSeconds: ahead,
    });
    if (!state) continue;
    if (persist && JSON.stringify(state) !== JSON.stringify(prev)) {
      await ctx.deps.repo.putSurge(state, now);
      if (state.since === iso(t))
        await ctx.deps.repo.audit(
          { action: 'intent-created', reason: state.reason, after: { signal, perSecond: state.perSecond } },
          now,
        );
    }
    out.push(...layerIntents(ctx, s, state, sizing));
  }
  return out;
}

function layerIntents(
  ctx: BrainContext,
  s: SurgeConfig,
  state: SurgeState,
  sizing: CampaignContext,
): Intent[] {
  const until = Date.parse(state.until);
  const t = sizing.now.getTime();
  const fallback = ctx.config.signals[state.signal]?.baselinePerSecond;
  const expected = expectedDemand(sizing.demand[state.signal], fallback, t, until);
  if (!expected || !(expected.perSecond > 0)) return [];
  const sized = (perSecond: number) =>
    campaignFloors(
      {
        name: `surge-${state.signal}`,
        start: iso(t),
        durationSeconds: Math.max(60, (until - t) / 1000),
        multiplier: Math.ceil((perSecond / expected.perSecond) * 100) / 100,
        targets: surgeTargets(ctx.config, s, state.signal),
      },
      sizing,
    );
  const { floors, why } = sized(state.perSecond);
  // The raised pods make the cluster add the nodes they need; spare nodes at the same time
  // would be paid twice. They cover the growth still projected above the last sample.
  const nodes = [...floors.keys()].filter((id) => kindOf(ctx.target(id)).isNodeCapacity);
  if (nodes.length > 0) {
    const seen = sized(state.observed).floors;
    for (const id of nodes) {
      const spare = Math.max(0, floors.get(id)! - (seen.get(id) ?? 0));
      const target = ctx.target(id);
      floors.set(id, Math.max(target.bounds.min, spare));
      why.set(
        id,
        `${spare} spare nodes for the growth projected above the observed ${formatRate(state.observed)} (${why.get(id)} in all)`,
      );
    }
  }
  return [...floors].map(([target, floor]) => ({
    id: `surge:${state.signal}:${target}`,
    target,
    floor,
    from: state.since,
    until: state.until,
    reason: `${state.reason}: ${why.get(target)}`,
    source: { kind: 'surge', ref: state.signal },
    urgent: true,
    createdAt: state.since,
  }));
}
