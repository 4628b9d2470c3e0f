import type { Config, PredictiveConfig } from '../config/types.ts';
import { iso } from '../domain/time.ts';
import type { DemandView, Intent, Target } from '../domain/types.ts';
import type { PredictiveIntents } from '../ports/demand.ts';

/** `p95`, `p97.5`: how reasons name a quantile. */
export function quantileLabel(q: number): string {
  return `p${Number((q * 100).toFixed(1))}`;
}

/** A demand per second for reasons: `812.4/s`, and three significant digits below 10 (`0.56/s`). */
export function formatRate(perSecond: number): string {
  return `${perSecond >= 10 ? perSecond.toFixed(1) : Number(perSecond.toPrecision(3))}/s`;
}

/** Units a capacity model needs for a demand per second: ceil(demand / (perUnit x targetUtilization)). */
export function unitsFor(target: Target, perSecond: number): number {
  const c = target.capacity!;
  return Math.max(0, Math.ceil(perSecond / (c.perUnit * c.targetUtilization) - 1e-9));
}

/**
 * The upper bounds a predictive entry uses: the quantile its SLO chose (none: the SLO needs no
 * floors), else its own quantile when the view carries it, else the view's.
 */
function boundsFor(
  view: DemandView,
  p: PredictiveConfig,
): { upper: (i: number) => number; quantile: number; why: string } | undefined {
  const decision = p.slo ? view.slo?.[p.target] : undefined;
  if (decision?.quantile === null) return undefined;
  const q = decision?.quantile ?? p.quantile;
  const why = !decision
    ? ''
    : decision.predicted
      ? `, chosen for the SLO (predicted ${Number(decision.predicted.shortMinutesPercent.toFixed(2))}% short at ${decision.predicted.costVsOracle.toFixed(2)}x the oracle)`
      : ', the SLO fallback (history too short)';
  const own = q === view.quantile ? undefined : view.upperByQuantile?.[String(q)];
  if (own) return { upper: (i) => own[i]!, quantile: q, why };
  return { upper: (i) => view.points[i]!.upper, quantile: view.quantile, why };
}

/**
 * The SLO is met without floors: one intent at 0 over the horizon (it changes nothing), so the
 * plan says why the forecast sets no floor.
 */
function noFloorsIntent(p: PredictiveConfig, view: DemandView, now: Date): Intent {
  const d = view.slo![p.target]!;
  const score = d.predicted
    ? ` (predicted ${Number(d.predicted.shortMinutesPercent.toFixed(2))}% short at ${d.predicted.costVsOracle.toFixed(2)}x the oracle)`
    : '';
  return {
    id: `forecast:${p.target}:slo`,
    target: p.target,
    floor: 0,
    from: iso(now),
    until: iso(now.getTime() + p.horizonSeconds * 1000),
    reason: `forecast ${p.signal}: the SLO (${p.slo!.maxShortMinutesPercent}% of minutes short) is met without floors${score}`,
    source: { kind: 'forecast', ref: p.signal },
    advisory: p.mode === 'forecast-only' ? true : undefined,
    createdAt: iso(now),
  };
}

/**
 * Predictive intents: for each `predictive` entry, the floor for each forecast interval t in
 * the horizon is ceil(demand_q(t) / (perUnit x targetUtilization)); the planner puts it in
 * place `leadTime` (plus margin) before t and releases it `scaleDownDelay` after the interval,
 * so floors rise ahead of demand and fall with the forecast. Consecutive intervals with the
 * same floor become one intent. `mode: forecast-only` intents are advisory: the plan explains
 * them, nothing applies them. Floors at or below the target's minimum change nothing but are
 * kept, so the plan can say the forecast needs no more. Recomputed on every reconcile.
 */
export const predictiveIntents: PredictiveIntents = (config: Config, demand, now) => {
  const out: Intent[] = [];
  const t0 = now.getTime();
  for (const p of config.predictive) {
    const target = config.targets.find((t) => t.id === p.target);
    const view = demand[p.signal];
    if (!target?.capacity || !view || view.points.length === 0) continue;
    const bounds = boundsFor(view, p);
    if (!bounds) {
      out.push(noFloorsIntent(p, view, now));
      continue;
    }
    const { upper, quantile, why } = bounds;
    const step = view.stepSeconds * 1000;
    const end = t0 + p.horizonSeconds * 1000;
    let run: { from: number; until: number; floor: number; peak: number; peakAt: number } | undefined;
    const flush = () => {
      if (!run) return;
      const c = target.capacity!;
      out.push({
        id: `forecast:${target.id}:${iso(run.from)}`,
        target: target.id,
        floor: run.floor,
        from: iso(run.from),
        until: iso(run.until),
        reason: `forecast ${p.signal} ${quantileLabel(quantile)} ${formatRate(run.peak)} at ${iso(run.peakAt)} (${view.model}) needs ${run.floor} at ${c.perUnit}/s per unit and ${Number((c.targetUtilization * 100).toFixed(1))}% utilisation${why}`,
        source: { kind: 'forecast', ref: p.signal },
        advisory: p.mode === 'forecast-only' ? true : undefined,
        createdAt: iso(now),
      });
    };
    for (let i = 0; i < view.points.length; i++) {
      const t = view.points[i]!.t;
      // The interval that holds `now` still needs capacity; intervals past the horizon do not count.
      if (t + step <= t0) continue;
      if (t > end) break;
      const u = upper(i);
      const floor = unitsFor(target, u);
      if (run && run.floor === floor && run.until === t) {
        run.until = t + step;
        if (u > run.peak) {
          run.peak = u;
          run.peakAt = t;
        }
        continue;
      }
      flush();
      run = { from: t, until: t + step, floor, peak: u, peakAt: t };
    }
    flush();
  }
  return out;
};
