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
import { decay, levelAt, type ProfileChoice, pickOrigins, profileAt } from './profiles.ts';
import { MIN_AUTOCORRELATION, seasonalEvidence } from './seasonality.ts';
import { horizonSample, selectVariants } from './selection.ts';
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
  /** The first (best) variant; `members` are all the variants averaged (on the transformed scale). */
  choice: ProfileChoice;
  members: ProfileChoice[];
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
  /** Per horizon bucket: the recent median standardised error, the point forecast's bias correction. */
  centres: number[];
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
  // The variant is chosen on the last week, or up to three on coarse data (a week of hours is
  // too few errors to tell ~100 variants apart).
  const selectSlots = Math.min(3 * evalSlots, Math.max(evalSlots, 4032));
  const from = Math.max(warm, n - selectSlots);
  const cap = (slots: number) =>
    Math.max(1, Math.min(slots, dayLag || Number.POSITIVE_INFINITY, n - from - 1));
  // Intervals for every horizon the forecast is read at; the variant chosen where it decides.
  const H = cap(opts.horizonSlots);
  const selectH = cap(Math.min(opts.horizonSlots, opts.selectionSlots ?? opts.horizonSlots));
  const origins = pickOrigins(z, from, n - 1 - 1, 160);
  const hs = horizonSample(selectH);

  const selected = selectVariants({ grid, z, transform: tr, dayLag, weekLag, from, origins, horizons: hs });
  const members: ProfileChoice[] = selected?.members ?? [
    {
      seasonal: false,
      weeklyShare: 0,
      daysBack: 0,
      weeksBack: 0,
      smoothSlots: 0,
      levelSlots: Math.max(1, Math.round(HOUR / grid.stepSeconds)),
      tauSlots: Number.POSITIVE_INFINITY,
    },
  ];
  const choice = members[0]!;
  const periods: number[] = [];
  const seasonal = members.filter((m) => m.seasonal);
  // A week profile repeats the daily cycle too: the day is reported wherever it is present.
  if (dayLag > 0 && day.autocorrelation >= MIN_AUTOCORRELATION && seasonal.length > 0) periods.push(86_400);
  if (weekLag > 0 && week.autocorrelation >= MIN_AUTOCORRELATION && seasonal.some((m) => m.weeklyShare > 0))
    periods.push(7 * 86_400);
  // Errors from up to four weeks of origins (at most ~20,000 slots) describe more situations
  // than the week the variant was chosen on: intervals closer to nominal out of sample.
  const residualFrom = Math.min(from, Math.max(warm, n - Math.min(4 * evalSlots, 20_000)));
  const fit = residualsFor(
    { choice, members, dayLag, weekLag, stepSeconds: grid.stepSeconds },
    z,
    residualFrom,
    n,
    H,
  );
  const model: ProfileModel = {
    transform: tr,
    stepSeconds: grid.stepSeconds,
    dayLag,
    weekLag,
    choice,
    members,
    periods,
    residuals: fit.residuals,
    scales: fit.scales,
    effectiveCounts: fit.effectiveCounts,
    bucketEnds: fit.bucketEnds,
    inSampleMae: selected?.mae ?? Number.NaN,
    residualCount: fit.residualCount,
    centres: fit.centres,
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
  const out: ProfilePoint[] = [];
  project(model, history, originMs, untilMs, (t, at) => {
    out.push({
      t,
      value: tr.from(at(0.5, true)),
      lower: tr.from(at(1 - quantile)),
      upper: tr.from(at(quantile)),
    });
  });
  return out;
}

/** The upper bounds at several quantiles at once (one projection for all): `upper[k]` for `quantiles[k]`. */
export function predictProfileUppers(
  model: ProfileModel,
  history: HistoryReader,
  originMs: number,
  untilMs: number,
  quantiles: number[],
): { t: number; upper: number[] }[] {
  const tr = model.transform;
  const out: { t: number; upper: number[] }[] = [];
  project(model, history, originMs, untilMs, (t, at) => {
    out.push({ t, upper: quantiles.map((q) => tr.from(at(q))) });
  });
  return out;
}

/**
 * The forecast slots after `originMs` up to `untilMs`: for each, `at(q)` is the q-quantile on
 * the transformed scale (`median`: the point forecast, centred on the recent bias).
 */
function project(
  model: ProfileModel,
  history: HistoryReader,
  originMs: number,
  untilMs: number,
  visit: (t: number, at: (q: number, median?: boolean) => number) => void,
): void {
  const tr = model.transform;
  if (history.transform.name !== tr.name)
    throw new Error(`history on the ${history.transform.name} scale, model on ${tr.name}`);
  const last = history.last;
  if (last < history.first) return;
  const step = history.stepSeconds * 1000;
  const members = model.members.map((choice) => {
    const m = { dayLag: model.dayLag, weekLag: model.weekLag, choice };
    const S = (i: number) => profileAt(history, i, Math.min(i - 1, last), m);
    return {
      m,
      c: levelAt(history, S, last, choice.levelSlots),
      cNone: levelAt(history, () => 0, last, choice.levelSlots),
    };
  });
  // From the interval that holds the origin (not yet observed) on.
  const first = Math.max(last + 1, Math.floor((originMs - history.anchor) / step));
  const end = Math.floor((untilMs - history.anchor) / step);
  for (let i = first; i <= end; i++) {
    const ahead = i - last;
    let sum = 0;
    let count = 0;
    for (const { m, c, cNone } of members) {
      const s = profileAt(history, i, last, m);
      const zm = Number.isNaN(s) ? cNone : s + (Number.isNaN(c) ? 0 : c * decay(m.choice, ahead));
      if (Number.isNaN(zm)) continue;
      sum += zm;
      count++;
    }
    const z0 = count > 0 ? sum / count : Number.NaN;
    const b = Math.min(model.residuals.length - 1, bucketOf(model.bucketEnds, ahead));
    const r = model.residuals[b] ?? new Float64Array(0);
    const scale = model.scales[b] ?? UNIT_SCALE;
    const sigma = sigmaAt(scale, z0);
    const zhat = z0 + offsetAt(scale, z0);
    // The interval keeps its shape around the median of all errors, centred on the recent bias.
    const mid = quantileOf(r, 0.5);
    const centre = model.centres[b] ?? mid;
    const effective = model.effectiveCounts[b] ?? 0;
    // One widening per quantile pair (q and 1 - q widen alike).
    let wq = Number.NaN;
    let w = 1;
    visit(history.anchor + i * step, (q, median) => {
      if (median) return zhat + sigma * centre;
      const pair = Math.max(q, 1 - q);
      if (pair !== wq) {
        wq = pair;
        w = wideningOf(pair, effective);
      }
      return zhat + sigma * (centre + w * (quantileOf(r, q) - mid));
    });
  }
}

/** widening() is pure and costly (Student-t quantiles): remembered per quantile and count. */
const widenings = new Map<string, number>();
function wideningOf(q: number, count: number): number {
  const key = `${q}|${count}`;
  let w = widenings.get(key);
  if (w === undefined) {
    if (widenings.size > 4096) widenings.clear();
    w = widening(q, count);
    widenings.set(key, w);
  }
  return w;
}

/** A short description of the fitted variant, for `model` in forecasts and reasons. */
export function describeProfile(m: ProfileModel): string {
  const hours = (slots: number) => `${Math.round(((slots * m.stepSeconds) / 3600) * 10) / 10}h`;
  const describe = (c: ProfileChoice) => {
    const shape = !c.seasonal
      ? 'recent level'
      : c.weeklyShare === 1
        ? `week profile (${c.weeksBack}w)`
        : c.weeklyShare === 0
          ? `day profile (${c.daysBack}d)`
          : `day (${c.daysBack}d) + week (${c.weeksBack}w, ${Math.round(c.weeklyShare * 100)} %) profile`;
    const median = c.robust ? ' (median)' : '';
    const level =
      c.tauSlots === 0
        ? ''
        : `, level ${hours(c.levelSlots)}${Number.isFinite(c.tauSlots) ? ` decaying ${hours(c.tauSlots)}` : ''}`;
    return `${shape}${median}${level}`;
  };
  const members = m.members ?? [m.choice];
  const body =
    members.length === 1 ? describe(members[0]!) : `average of ${members.map(describe).join('; ')}`;
  return `seasonal-profile: ${body}, ${m.transform.name}, empirical intervals`;
}
