import type { Grid } from './grid.ts';
import type { HistoryReader } from './history.ts';
import {
  bucketOf,
  type ErrorScale,
  offsetAt,
  quantileOf,
  residualsFor,
  sigmaAt,
  UNIT_SCALE,
  widening,
} from './intervals.ts';
import {
  decay,
  InSampleProfiles,
  LevelIndex,
  levelAt,
  type ProfileChoice,
  pickOrigins,
  profileAt,
  type Shape,
} from './profiles.ts';
import { MIN_AUTOCORRELATION, seasonalEvidence } from './seasonality.ts';
import { log1pTransform, type Transform } from './transform.ts';

/**
 * Headroom's forecaster: a multi-seasonal profile with a damped level and empirical residual
 * quantiles, fitted by rolling origin inside the history.
 *
 * On the log1p scale, the expected value at slot t seen from origin o is
 *   S(t) + c(o) * exp(-(t - o) / tau)
 * where S is a blend of the daily profile (the mean of the last K days at the same time of
 * day) and the weekly profile (the last K weeks at the same time of week), each smoothed over
 * neighbouring slots, and c(o) is how far the last few hours ran above or below the profile,
 * decaying with the horizon. The blend, K, smoothing, level window and decay are chosen by
 * the mean absolute error of honest in-sample forecasts (each forecast uses only data before
 * its origin) over the last days of history; the prediction interval at each horizon is the
 * empirical distribution of those same forecasts' errors. Gaps are skipped everywhere.
 */

export interface ProfileModel {
  transform: Transform;
  stepSeconds: number;
  /** Lags in slots, 0 when the period cannot be estimated from this history. */
  dayLag: number;
  weekLag: number;
  choice: ProfileChoice;
  /** Seasonal periods found in the history (seconds). */
  periods: number[];
  /** Sorted standardised residuals (error / scale at its level) of in-sample forecasts per horizon bucket. */
  residuals: Float64Array[];
  /** Per horizon bucket: the error spread as a function of the forecast level (intervals.ts). */
  scales: ErrorScale[];
  /** Per horizon bucket: how many independent errors its residuals are worth (intervals.ts). */
  effectiveCounts: number[];
  /** The last horizon (slots ahead) of each bucket (intervals.ts, horizonBuckets). */
  bucketEnds: number[];
  /** In-sample MAE (the unit of the series) of the chosen variant, for explanations. */
  inSampleMae: number;
  /** How many in-sample forecast errors the interval is built from. */
  residualCount: number;
}

export interface FitOptions {
  /** Longest horizon the interval should describe, in slots. */
  horizonSlots: number;
  /**
   * Horizons (slots, from 1) the variant is chosen on, when shorter: where the forecast decides
   * something (a floor is set a lead time ahead). Default: all of `horizonSlots`.
   */
  selectionSlots?: number;
  transform?: Transform;
}

/** Fewer observed points than this and no model is fitted. */
export const MIN_POINTS = 12;

const HOUR = 3600;

function transformed(grid: Grid, tr: Transform): Float64Array {
  const z = new Float64Array(grid.v.length);
  for (let i = 0; i < z.length; i++) {
    const v = grid.v[i]!;
    z[i] = Number.isNaN(v) ? Number.NaN : tr.to(v);
  }
  return z;
}

function uniq(xs: number[]): number[] {
  return [...new Set(xs)];
}

/**
 * The variants the in-sample evaluation chooses from, given the periods this history can
 * estimate: profile shapes first (with a default level), then level window and decay for the
 * best shape. Two stages keep a fit on 14 days of 1-minute data well under 100 ms.
 */
function searchSpace(stepSeconds: number, dayLag: number, weekLag: number) {
  const slots = (seconds: number) => Math.max(1, Math.round(seconds / stepSeconds));
  const smooths = uniq([0, Math.round(600 / stepSeconds), Math.round(1800 / stepSeconds)]).filter(
    (w) => w >= 0 && (dayLag === 0 || w <= dayLag / 16),
  );
  const shapes: Shape[] = [{ seasonal: false, weeklyShare: 0, daysBack: 0, weeksBack: 0, smoothSlots: 0 }];
  const add = (s: Omit<Shape, 'smoothSlots'>) => {
    for (const smoothSlots of smooths) shapes.push({ ...s, smoothSlots });
  };
  if (dayLag > 0)
    for (const daysBack of weekLag > 0 ? [3, 7] : [1, 3, 7])
      add({ seasonal: true, weeklyShare: 0, daysBack, weeksBack: 0 });
  if (weekLag > 0)
    for (const weeksBack of [1, 3]) {
      add({ seasonal: true, weeklyShare: 1, daysBack: 0, weeksBack });
      if (dayLag > 0)
        for (const daysBack of [3, 7]) add({ seasonal: true, weeklyShare: 0.5, daysBack, weeksBack });
    }
  return {
    shapes,
    defaultLevel: { levelSlots: slots(HOUR), tauSlots: slots(12 * HOUR) },
    levels: uniq([slots(HOUR), slots(4 * HOUR)]),
    taus: uniq([0, slots(2 * HOUR), slots(12 * HOUR), Number.POSITIVE_INFINITY]),
  };
}

/** Horizons (slots) sampled for choosing a variant: dense near, sparse far. */
function horizonSample(H: number): number[] {
  const hs = new Set<number>();
  for (let k = 0; k < 12; k++) hs.add(Math.max(1, Math.round(H ** (k / 11))));
  for (let k = 1; k <= 8; k++) hs.add(Math.max(1, Math.round((H * k) / 8)));
  return [...hs].filter((h) => h <= H).sort((a, b) => a - b);
}

/**
 * Fits the model to a grid. The variant with the lowest in-sample MAE over the selection
 * horizons wins; the residuals of its in-sample forecasts up to the full horizon, grouped by
 * horizon, become the prediction interval.
 */
export function fitProfile(grid: Grid, opts: FitOptions): ProfileModel {
  const tr = opts.transform ?? log1pTransform;
  if (grid.observed < MIN_POINTS)
    throw new RangeError(`not enough history: ${grid.observed} points, at least ${MIN_POINTS} needed`);
  const z = transformed(grid, tr);
  const n = grid.last + 1;
  const evidence = seasonalEvidence(z.subarray(0, n), grid.stepSeconds);
  const day = evidence[0]!;
  const week = evidence[1]!;
  const dayLag = day.feasible ? day.lag : 0;
  const weekLag = week.feasible ? week.lag : 0;

  // In-sample forecasts start after one full cycle of the longest usable period.
  const warm = Math.max(dayLag, weekLag, Math.min(n >> 1, Math.round((6 * HOUR) / grid.stepSeconds)));
  const evalSlots = Math.round((7 * 86_400) / grid.stepSeconds);
  const from = Math.max(warm, n - evalSlots);
  const cap = (slots: number) =>
    Math.max(1, Math.min(slots, dayLag || Number.POSITIVE_INFINITY, n - from - 1));
  // Intervals for every horizon the forecast is read at; the variant chosen where it decides.
  const H = cap(opts.horizonSlots);
  const selectH = cap(Math.min(opts.horizonSlots, opts.selectionSlots ?? opts.horizonSlots));
  const origins = pickOrigins(z, from, n - 1 - 1, 160);
  const hs = horizonSample(selectH);

  const space = searchSpace(grid.stepSeconds, dayLag, weekLag);
  // Only the evaluated slots and the level windows before them need a profile.
  const first = Math.max(0, from - Math.max(...space.levels));
  const inSample = new InSampleProfiles(z, first, n, dayLag, weekLag);
  // Profiles depend on the shape only, not on level or decay: computed once per shape.
  const profiles = new Map<Shape, { S: Float64Array; levels: LevelIndex }>();
  const profileOf = (shape: Shape) => {
    let p = profiles.get(shape);
    if (!p) {
      const S = inSample.of(shape);
      p = { S, levels: new LevelIndex(z, S, first) };
      profiles.set(shape, p);
    }
    return p;
  };
  const evaluate = (choice: ProfileChoice & { shape: Shape }): number => {
    const { S, levels } = profileOf(choice.shape);
    let err = 0;
    let count = 0;
    for (const o of origins) {
      const c = levels.level(o, choice.levelSlots);
      const cNone = levels.plain(o, choice.levelSlots);
      for (const h of hs) {
        const t = o + h;
        if (t >= n) break;
        const y = grid.v[t]!;
        if (Number.isNaN(y)) continue;
        // For h <= one day the profile at t only uses data at or before the origin.
        const s = S[t - first]!;
        const zhat = Number.isNaN(s) ? cNone : s + (Number.isNaN(c) ? 0 : c * decay(choice, h));
        if (Number.isNaN(zhat)) continue;
        err += Math.abs(tr.from(zhat) - y);
        count++;
      }
    }
    return count > 0 ? err / count : Number.NaN;
  };
  let best: { choice: ProfileChoice & { shape: Shape }; mae: number } | undefined;
  const consider = (choice: ProfileChoice & { shape: Shape }) => {
    const mae = evaluate(choice);
    if (!Number.isNaN(mae) && (!best || mae < best.mae - 1e-12)) best = { choice, mae };
  };
  for (const shape of space.shapes)
    consider({
      ...shape,
      shape,
      ...(shape.seasonal
        ? space.defaultLevel
        : { levelSlots: space.defaultLevel.levelSlots, tauSlots: Infinity }),
    });
  const bestShape = best?.choice.shape;
  if (bestShape)
    for (const levelSlots of space.levels)
      for (const tauSlots of bestShape.seasonal ? space.taus : [Number.POSITIVE_INFINITY])
        consider({ ...bestShape, shape: bestShape, levelSlots, tauSlots });
  const found = best as { choice: ProfileChoice & { shape?: Shape }; mae: number } | undefined;
  if (found) delete found.choice.shape;
  const choice: ProfileChoice = found?.choice ?? {
    seasonal: false,
    weeklyShare: 0,
    daysBack: 0,
    weeksBack: 0,
    smoothSlots: 0,
    levelSlots: Math.max(1, Math.round(HOUR / grid.stepSeconds)),
    tauSlots: Number.POSITIVE_INFINITY,
  };
  const periods: number[] = [];
  if (choice.seasonal) {
    const dayUsed = choice.weeklyShare < 1 || day.autocorrelation >= MIN_AUTOCORRELATION;
    if (dayLag > 0 && dayUsed && day.autocorrelation >= MIN_AUTOCORRELATION) periods.push(86_400);
    if (weekLag > 0 && choice.weeklyShare > 0 && week.autocorrelation >= MIN_AUTOCORRELATION)
      periods.push(7 * 86_400);
  }
  // Errors from up to four weeks of origins (at most ~20,000 slots) describe more situations
  // than the week the variant was chosen on: intervals closer to nominal out of sample.
  const residualFrom = Math.min(from, Math.max(warm, n - Math.min(4 * evalSlots, 20_000)));
  const fit = residualsFor({ choice, dayLag, weekLag, stepSeconds: grid.stepSeconds }, z, residualFrom, n, H);
  const model: ProfileModel = {
    transform: tr,
    stepSeconds: grid.stepSeconds,
    dayLag,
    weekLag,
    choice,
    periods,
    residuals: fit.residuals,
    scales: fit.scales,
    effectiveCounts: fit.effectiveCounts,
    bucketEnds: fit.bucketEnds,
    inSampleMae: found?.mae ?? Number.NaN,
    residualCount: fit.residualCount,
  };
  return model;
}

export interface ProfilePoint {
  t: number;
  value: number;
  lower: number;
  upper: number;
}

/**
 * Forecasts the slots after `originMs` up to `untilMs` with `model` (which may have been fitted
 * on older data: the profile and level are recomputed from this history, the chosen variant
 * and the error distribution are kept). `value` is the median, `lower`/`upper` the (1 - q)
 * and q quantiles of the forecast error added to it. Costs O((horizon + level window) x
 * cycles): the history's running sums give every smoothed value in O(1).
 */
export function predictProfile(
  model: ProfileModel,
  history: HistoryReader,
  originMs: number,
  untilMs: number,
  quantile: number,
): ProfilePoint[] {
  const tr = model.transform;
  if (history.transform.name !== tr.name)
    throw new Error(`history on the ${history.transform.name} scale, model on ${tr.name}`);
  const last = history.last;
  if (last < history.first) return [];
  const step = history.stepSeconds * 1000;
  const S = (i: number) => profileAt(history, i, Math.min(i - 1, last), model);
  const c = levelAt(history, S, last, model.choice.levelSlots);
  const cNone = levelAt(history, () => 0, last, model.choice.levelSlots);
  // From the interval that holds the origin (not yet observed) on.
  const first = Math.max(last + 1, Math.floor((originMs - history.anchor) / step));
  const end = Math.floor((untilMs - history.anchor) / step);
  const out: ProfilePoint[] = [];
  for (let i = first; i <= end; i++) {
    const ahead = i - last;
    const s = profileAt(history, i, last, model);
    const z0 = Number.isNaN(s) ? cNone : s + (Number.isNaN(c) ? 0 : c * decay(model.choice, ahead));
    const b = Math.min(model.residuals.length - 1, bucketOf(model.bucketEnds, ahead));
    const r = model.residuals[b] ?? new Float64Array(0);
    const scale = model.scales[b] ?? UNIT_SCALE;
    const sigma = sigmaAt(scale, z0);
    const zhat = z0 + offsetAt(scale, z0);
    const w = widening(quantile, model.effectiveCounts[b] ?? 0);
    const mid = quantileOf(r, 0.5);
    out.push({
      t: history.anchor + i * step,
      value: tr.from(zhat + sigma * mid),
      lower: tr.from(zhat + sigma * (mid + w * (quantileOf(r, 1 - quantile) - mid))),
      upper: tr.from(zhat + sigma * (mid + w * (quantileOf(r, quantile) - mid))),
    });
  }
  return out;
}

/** A short description of the fitted variant, for `model` in forecasts and reasons. */
export function describeProfile(m: ProfileModel): string {
  const c = m.choice;
  const hours = (slots: number) => `${Math.round(((slots * m.stepSeconds) / 3600) * 10) / 10}h`;
  const shape = !c.seasonal
    ? 'recent level'
    : c.weeklyShare === 1
      ? `week profile (${c.weeksBack}w)`
      : c.weeklyShare === 0
        ? `day profile (${c.daysBack}d)`
        : `day (${c.daysBack}d) + week (${c.weeksBack}w) profile`;
  const level =
    c.tauSlots === 0
      ? ''
      : `, level ${hours(c.levelSlots)}${Number.isFinite(c.tauSlots) ? ` decaying ${hours(c.tauSlots)}` : ''}`;
  return `seasonal-profile: ${shape}${level}, ${m.transform.name}, empirical intervals`;
}
