import type { SloSpec } from '../config/types.ts';
import { iso } from '../domain/time.ts';
import { type FittedForecaster, predictUppers } from './forecaster.ts';
import type { Grid } from './grid.ts';
import { ForecastHistory } from './history.ts';

/**
 * SLO tuning: instead of a quantile the user must guess, a predictive entry states how many
 * minutes it may be short (`slo: { maxShortMinutesPercent }`) and Headroom picks the quantile
 * by a rolling-origin self-backtest on the signal's own recent history. For every slot of the
 * evaluation window the forecast is made exactly as the reconcile that decided the slot's floor
 * made it (one lead time plus margin before, from the rows known then), and a small model of
 * the target plays the floor against the reactive autoscaler:
 *
 * - floor(t) = ceil(upper_q(t) / (perUnit x targetUtilization)) (predictive.ts);
 * - the autoscaler's recommendation follows demand `reactionSeconds` late (metric age, sync,
 *   pod start-up) and is held for `stabilizationSeconds` on the way down (the HPA's default
 *   300 s scale-down stabilisation: pods stay after a burst even when the floor falls);
 * - capacity(t) = max(bounds.min, floor, held recommendation), within bounds.max;
 * - short when demand exceeds capacity x perUnit; cost against the oracle's ceil(demand / (perUnit x u)).
 *
 * Pure: no clock, no I/O. The candidate `null` is "no floors" (the autoscaler alone): where
 * it meets the SLO, floors would only add cost.
 */

/** What the self-backtest needs to know about the target. */
export interface SloTarget {
  /** Demand per second one unit serves, and the utilisation floors are sized for. */
  perUnit: number;
  targetUtilization: number;
  min: number;
  max: number;
  /** How long before a slot its floor is decided: lead time plus margin. */
  decisionSeconds: number;
  /** How late the reactive autoscaler's capacity follows demand (default 120 s). */
  reactionSeconds?: number;
  /** The autoscaler's scale-down stabilisation window (default 300 s, the HPA's). */
  stabilizationSeconds?: number;
  /** The autoscaler's tolerance: it runs up to (1 + tolerance) x its target (default 0.1, the HPA's). */
  tolerance?: number;
}

export interface SloPoint {
  /** null: no floors, the autoscaler alone. */
  quantile: number | null;
  shortMinutesPercent: number;
  costVsOracle: number;
}

export interface SloChoice {
  /** The chosen quantile; null: floors off (the autoscaler alone meets the SLO). */
  quantile: number | null;
  /** The chosen point's predicted score; absent on a fallback. */
  predicted?: SloPoint;
  fallback: boolean;
  reason: string;
  curve: SloPoint[];
  /** The evaluated window (ISO), and the minutes scored in it. */
  from?: string;
  to?: string;
  minutes: number;
  /** The scores by day, for the next choice to reuse (`SloTuningInput.tallies`). */
  tallies: SloTally[];
}

/**
 * The candidates' scores over one stretch of history (at most a day), as the model of the
 * day scored them: a later choice reuses them and only scores the rows since, so each day
 * of the window is forecast by the model that production had then (a true rolling origin).
 */
export interface SloTally {
  /** Epoch ms, [from, to). */
  from: number;
  to: number;
  /** Per candidate: unit-minutes provisioned and minutes short. */
  cost: number[];
  short: number[];
  oracle: number;
  minutes: number;
}

export interface SloTuningInput {
  /** The signal's history (raw values per step, gaps NaN), the newest rows last. */
  grid: Grid;
  /** Converts a raw value to demand per second. */
  perSecond: (value: number) => number;
  fitted: FittedForecaster;
  target: SloTarget;
  slo: SloSpec;
  /** The configured quantile, used when the history is too short. */
  fallbackQuantile: number;
  /** Length of the evaluation window (default 7 days, at most half the history). */
  evaluationSeconds?: number;
  candidates?: (number | null)[];
  /** The tallies of the previous choice (same target, SLO and candidates): only newer rows are scored. */
  tallies?: SloTally[];
}

export const DEFAULT_SLO_CANDIDATES: (number | null)[] = [null, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98];
/** Metric age (60 s), an HPA sync (15 s), pod start-up (30 s) and, often, a new node. */
const REACTION_SECONDS = 150;
/** Scores are kept by day: a choice a day scores one new day. */
const TALLY_SECONDS = 86_400;
const DEFAULT_EVALUATION_SECONDS = 7 * 86_400;
/** The shortest history a self-backtest is trusted on: two days, evaluated on the second. */
export const MIN_SLO_HISTORY_SECONDS = 2 * 86_400;

const pct = (x: number) => `${Number(x.toFixed(2))}%`;
const label = (q: number | null) => (q === null ? 'no floors' : `p${Number((q * 100).toFixed(1))}`);

/** The short-minutes / cost curve of every candidate on the history, and the chosen point. */
export function tuneQuantile(input: SloTuningInput): SloChoice {
  const { grid, slo } = input;
  const step = grid.stepSeconds * 1000;
  const span = (grid.last + 1) * grid.stepSeconds;
  const fallback = (why: string): SloChoice => ({
    quantile: input.fallbackQuantile,
    fallback: true,
    reason: `${why}: the configured ${label(input.fallbackQuantile)} until it is`,
    curve: [],
    minutes: 0,
    tallies: [],
  });
  if (grid.last < 0 || span < MIN_SLO_HISTORY_SECONDS)
    return fallback(
      `history too short for the SLO self-backtest (${Math.round(span / 3600)} h of the ${MIN_SLO_HISTORY_SECONDS / 3600} h needed)`,
    );
  const evalSeconds = Math.min(input.evaluationSeconds ?? DEFAULT_EVALUATION_SECONDS, span / 2);
  const endSlot = grid.last + 1;
  const startSlot = endSlot - Math.max(1, Math.floor(evalSeconds / grid.stepSeconds));
  const windowFrom = grid.start + startSlot * step;
  const windowTo = grid.start + endSlot * step;
  // Earlier days still in the window are kept as they were scored; the rest is scored now.
  const kept: SloTally[] = [];
  for (const t of input.tallies ?? [])
    if (t.from >= windowFrom && t.to <= windowTo && t.from === (kept.at(-1)?.to ?? t.from)) kept.push(t);
  const from = kept.length > 0 ? Math.round((kept.at(-1)!.to - grid.start) / step) : startSlot;
  const tallies = [...kept, ...evaluate(input, from, endSlot)];
  const candidates = input.candidates ?? DEFAULT_SLO_CANDIDATES;
  const curve = curveOf(candidates, tallies);
  const minutes = tallies.reduce((s, t) => s + t.minutes, 0);
  if (minutes === 0) return fallback('no observed rows in the evaluation window');
  return {
    ...choose(curve, slo),
    fallback: false,
    curve,
    from: iso(tallies[0]!.from),
    to: iso(windowTo),
    minutes,
    tallies,
  };
}

/** The candidates' short-minute shares and costs over the tallies. */
function curveOf(candidates: (number | null)[], tallies: SloTally[]): SloPoint[] {
  const minutes = tallies.reduce((s, t) => s + t.minutes, 0);
  const oracle = tallies.reduce((s, t) => s + t.oracle, 0);
  return candidates.map((q, c) => {
    const cost = tallies.reduce((s, t) => s + t.cost[c]!, 0);
    const short = tallies.reduce((s, t) => s + t.short[c]!, 0);
    return {
      quantile: q,
      shortMinutesPercent: minutes > 0 ? (100 * short) / minutes : 0,
      costVsOracle: oracle > 0 ? cost / oracle : 1,
    };
  });
}

/** The cheapest candidate meeting the SLO within the cost cap; else the fewest short minutes. */
export function choose(
  curve: SloPoint[],
  slo: SloSpec,
): { quantile: number | null; predicted: SloPoint; reason: string } {
  const cap = slo.maxCostVsOracle ?? Number.POSITIVE_INFINITY;
  const affordable = curve.filter((p) => p.costVsOracle <= cap + 1e-9);
  const pool = affordable.length > 0 ? affordable : curve;
  const meeting = pool.filter((p) => p.shortMinutesPercent <= slo.maxShortMinutesPercent + 1e-9);
  const by = (a: SloPoint, b: SloPoint) =>
    meeting.length > 0
      ? a.costVsOracle - b.costVsOracle || a.shortMinutesPercent - b.shortMinutesPercent
      : a.shortMinutesPercent - b.shortMinutesPercent || a.costVsOracle - b.costVsOracle;
  const best = [...(meeting.length > 0 ? meeting : pool)].sort(by)[0]!;
  const scored = `${label(best.quantile)}: ${pct(best.shortMinutesPercent)} short at ${best.costVsOracle.toFixed(2)}x the oracle`;
  const goal = `SLO ${pct(slo.maxShortMinutesPercent)} short`;
  const reason =
    meeting.length > 0
      ? `${scored}, the cheapest meeting the ${goal}`
      : affordable.length > 0
        ? `${scored}: none meets the ${goal}${slo.maxCostVsOracle ? ` within ${slo.maxCostVsOracle}x the oracle` : ''}, the fewest short minutes`
        : `${scored}: none within ${slo.maxCostVsOracle}x the oracle, the fewest short minutes`;
  return { quantile: best.quantile, predicted: best, reason };
}

/** Plays every candidate over the slots [from, to) of the grid, minute by minute, a tally a day. */
function evaluate(input: SloTuningInput, from: number, to: number): SloTally[] {
  const { grid, target, fitted, perSecond } = input;
  const candidates = input.candidates ?? DEFAULT_SLO_CANDIDATES;
  const quantiles = candidates.filter((q): q is number => q !== null);
  const stepS = grid.stepSeconds;
  const step = stepS * 1000;
  const perUnitAt = target.perUnit * target.targetUtilization;
  const need = (d: number) => Math.max(0, Math.ceil(d / perUnitAt - 1e-9));
  const clamp = (u: number) => Math.min(target.max, Math.max(target.min, u));
  const hotAt = perUnitAt * (1 + (target.tolerance ?? 0.1));
  const recommend = (d: number) => Math.max(0, Math.ceil(d / hotAt - 1e-9));
  // Minutes (or the step, when shorter) on which demand, capacity and shortness are read.
  const perSlot = Math.max(1, Math.round(stepS / 60));
  const subS = stepS / perSlot;
  const demand = linearDemand(grid, perSecond);
  // The busiest moment of the minute around slot position x (demand is linear in between).
  const h = 0.5 / perSlot;
  const peakAt = (x: number) => Math.max(demand(x - h), demand(x), demand(x + h));
  const reaction = (target.reactionSeconds ?? REACTION_SECONDS) / stepS;
  const holdSubs = Math.round((target.stabilizationSeconds ?? 300) / subS);
  // The rows a reconcile knew: fed in time order, as the provider keeps them.
  const history = new ForecastHistory({
    anchor: grid.start,
    stepSeconds: stepS,
    windowSlots: grid.v.length,
    transform: fitted.model.transform,
  });
  let fed = 0;
  const feedUntil = (slot: number) => {
    for (; fed < Math.min(slot, grid.v.length); fed++) history.put(grid.start + fed * step, grid.v[fed]!);
    history.commit();
  };
  const floors = new Float64Array(candidates.length);
  const chunk = Math.max(1, Math.round(TALLY_SECONDS / stepS));
  const tallies: SloTally[] = [];
  let tally: SloTally | undefined;
  for (let i = from; i < to; i++) {
    const t = grid.start + i * step;
    if (!tally || (i - from) % chunk === 0) {
      tally = {
        from: t,
        to: Math.min(grid.start + to * step, t + chunk * step),
        cost: candidates.map(() => 0),
        short: candidates.map(() => 0),
        oracle: 0,
        minutes: 0,
      };
      tallies.push(tally);
    }
    if (Number.isNaN(grid.v[i]!)) continue;
    const origin = t - target.decisionSeconds * 1000;
    // The floor for the slot comes from the rows whose interval ended by the origin.
    feedUntil(Math.floor((origin - grid.start) / step));
    // Only slot i is needed: the forecast starts there (still seen from the last row known at the origin).
    const point = predictUppers(fitted, history, t, grid.stepSeconds / 2, quantiles).find((p) => p.t === t);
    let k = 0;
    candidates.forEach((q, c) => {
      floors[c] = q === null || !point ? 0 : need(perSecond(point.upper[k++]!));
    });
    for (let j = 0; j < perSlot; j++) {
      // Slot positions: slot i's middle is at i; this minute spans x +- h.
      const x = i + (j + 0.5) / perSlot - 0.5;
      const peak = peakAt(x);
      if (Number.isNaN(peak)) continue;
      // The autoscaler's recommendation `reaction` late, held for the stabilisation window.
      let held = 0;
      for (let k = 0; k <= holdSubs; k++) {
        const past = peakAt(x - reaction - (k * subS) / stepS);
        if (!Number.isNaN(past)) held = Math.max(held, recommend(past));
      }
      tally.minutes++;
      tally.oracle += clamp(need(peak));
      for (let c = 0; c < candidates.length; c++) {
        const units = clamp(Math.max(floors[c]!, held));
        tally.cost[c]! += units;
        if (peak > units * target.perUnit + 1e-9) tally.short[c]! += 1;
      }
    }
  }
  return tallies;
}

/**
 * Demand per second at a slot position (slot i's middle at i), linear between middles as the
 * backtest's world moves it; next to a gap the known neighbour holds; NaN inside a gap.
 */
function linearDemand(grid: Grid, perSecond: (v: number) => number): (x: number) => number {
  const at = (i: number) => (i >= 0 && i < grid.v.length ? perSecond(grid.v[i]!) : Number.NaN);
  return (x) => {
    const i = Math.floor(x);
    const f = x - i;
    const a = at(i);
    const b = at(i + 1);
    if (Number.isNaN(a)) return f >= 0.5 ? b : Number.NaN;
    if (Number.isNaN(b)) return f <= 0.5 ? a : Number.NaN;
    return a + f * (b - a);
  };
}
