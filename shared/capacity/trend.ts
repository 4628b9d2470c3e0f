/**
 * The trend of a capacity measure: daily aggregates, a robust line through them (Theil-Sen:
 * the median of the pairwise slopes, so one bad day moves nothing), a prediction interval from
 * the residuals, and the day the projection crosses a threshold. Pure: time is passed in.
 *
 * `compound` fits the logarithm of the values, so a +1 %/day signal is projected as +1 %/day
 * (a straight line through 30 days of compound growth would cross a threshold weeks late);
 * `linear` fits the values themselves (a percentage that grows by points, storage filling up).
 */

const DAY_MS = 86_400_000;

export type TrendModel = 'compound' | 'linear';

export interface DailyPoint {
  /** Start of the UTC day, epoch ms. */
  day: number;
  value: number;
}

/** One value per UTC day with data: the day's peak (the day's lowest with `min`). */
export function dailyAggregates(
  t: readonly number[],
  v: readonly number[],
  aggregate: 'max' | 'min' = 'max',
): DailyPoint[] {
  const byDay = new Map<number, number>();
  for (let i = 0; i < t.length && i < v.length; i++) {
    const value = v[i]!;
    if (!Number.isFinite(value)) continue;
    const day = Math.floor(t[i]! / DAY_MS) * DAY_MS;
    const seen = byDay.get(day);
    if (seen === undefined || (aggregate === 'max' ? value > seen : value < seen)) byDay.set(day, value);
  }
  return [...byDay.entries()].sort(([a], [b]) => a - b).map(([day, value]) => ({ day, value }));
}

export interface TrendFit {
  model: TrendModel;
  /** Days the fit used. */
  days: number;
  /** Per day: the relative growth (compound, 0.01 = +1 %/day) or the change in value units (linear). */
  slopePerDay: number;
  /** The fitted value at day offset 0 (now), in value units. */
  level: number;
  /** Robust spread of the residuals (1.4826 x MAD), in fitted (log or value) units. */
  sigma: number;
  /** Normal quantile of the two-sided interval (1.645 for 90 %). */
  z: number;
  interval: number;
  // Internals for projection: x in days from now.
  readonly intercept: number;
  readonly meanX: number;
  readonly sxx: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Inverse standard normal CDF (Acklam's rational approximation; |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472,
    2.50662827745924,
  ];
  const b = [-54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857];
  const c = [
    -0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373, 4.37466414146497,
    2.93816398269878,
  ];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/**
 * Fits the daily points (`now` is day offset 0). Needs at least 7 days: fewer cannot tell a
 * trend from a weekly pattern. `compound` falls back to `linear` when a value is not positive.
 */
export function fitTrend(
  points: readonly DailyPoint[],
  now: number,
  opts: { model: TrendModel; interval: number },
): TrendFit | undefined {
  if (points.length < 7) return undefined;
  const model = opts.model === 'compound' && points.every((p) => p.value > 0) ? 'compound' : 'linear';
  const f = model === 'compound' ? Math.log : (y: number) => y;
  // A day's point sits at the middle of the day.
  const x = points.map((p) => (p.day + DAY_MS / 2 - now) / DAY_MS);
  const y = points.map((p) => f(p.value));
  const slopes: number[] = [];
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) slopes.push((y[j]! - y[i]!) / (x[j]! - x[i]!));
  const slope = median(slopes);
  const intercept = median(y.map((yi, i) => yi - slope * x[i]!));
  const residuals = y.map((yi, i) => yi - (intercept + slope * x[i]!));
  const mad = median(residuals.map((r) => Math.abs(r - median(residuals))));
  const meanX = x.reduce((s, xi) => s + xi, 0) / x.length;
  const sxx = x.reduce((s, xi) => s + (xi - meanX) ** 2, 0);
  const back = model === 'compound' ? Math.exp : (v: number) => v;
  return {
    model,
    days: points.length,
    slopePerDay: model === 'compound' ? Math.expm1(slope) : slope,
    level: back(intercept),
    sigma: Math.max(1.4826 * mad, 1e-9),
    z: normalQuantile(0.5 + opts.interval / 2),
    interval: opts.interval,
    intercept,
    meanX,
    sxx,
  };
}

export interface Projected {
  at: number;
  value: number;
  lower: number;
  upper: number;
}

/** The fitted value and its prediction interval `days` from now (value units). */
export function projectAt(fit: TrendFit, days: number): Omit<Projected, 'at'> {
  const slope = fit.model === 'compound' ? Math.log1p(fit.slopePerDay) : fit.slopePerDay;
  const mid = fit.intercept + slope * days;
  const n = fit.days;
  const half = fit.z * fit.sigma * Math.sqrt(1 + 1 / n + (days - fit.meanX) ** 2 / fit.sxx);
  const back = fit.model === 'compound' ? Math.exp : (v: number) => v;
  return { value: back(mid), lower: back(mid - half), upper: back(mid + half) };
}

/** The projection every `stepDays` over the horizon, from now. */
export function projection(fit: TrendFit, now: number, horizonDays: number, stepDays = 1): Projected[] {
  const out: Projected[] = [];
  for (let d = 0; d <= horizonDays + 1e-9; d += stepDays)
    out.push({ at: now + d * DAY_MS, ...projectAt(fit, d) });
  return out;
}

export interface Crossing {
  /** The projection reaches the threshold (epoch ms), or undefined within the horizon. */
  at?: number;
  /** The interval of that date: the upper bound crosses first, the lower bound last. */
  earliest?: number;
  latest?: number;
  /** Already at or above the threshold now. */
  already: boolean;
}

/** The first instant (hour resolution) within the horizon at which `pick` of the projection reaches `threshold`. */
function firstAt(
  fit: TrendFit,
  now: number,
  horizonDays: number,
  threshold: number,
  pick: (p: Omit<Projected, 'at'>) => number,
): number | undefined {
  const stepDays = 1 / 24;
  for (let d = 0; d <= horizonDays + 1e-9; d += stepDays)
    if (pick(projectAt(fit, d)) >= threshold) return now + Math.round(d * 24) * 3_600_000;
  return undefined;
}

/** When the trend crosses `threshold` (value units; higher is worse), with its interval. */
export function crossingOf(
  fit: TrendFit,
  now: number,
  horizonDays: number,
  threshold: number,
  latest: number,
): Crossing {
  const already = latest >= threshold || projectAt(fit, 0).value >= threshold;
  if (already) return { already, at: now, earliest: now, latest: now };
  return {
    already,
    at: firstAt(fit, now, horizonDays, threshold, (p) => p.value),
    earliest: firstAt(fit, now, horizonDays, threshold, (p) => p.upper),
    latest: firstAt(fit, now, horizonDays, threshold, (p) => p.lower),
  };
}
