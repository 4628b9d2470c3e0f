import { normalQuantile, studentTQuantile } from './distributions.ts';
import { type ErrorScale, fitErrorScale, offsetAt, quantileOf, sigmaAt, UNIT_SCALE } from './error-scale.ts';
import { decay, InSampleProfiles, LevelIndex, type ProfileChoice, pickOrigins } from './profiles.ts';

export { type ErrorScale, fitErrorScale, offsetAt, quantileOf, sigmaAt, UNIT_SCALE } from './error-scale.ts';

/**
 * The prediction interval of the seasonal-profile model: the errors of its own honest
 * in-sample forecasts (each made from data before its origin: out of sample for that
 * origin), grouped by horizon, standardised by the level-dependent spread (error-scale.ts),
 * sorted, and read back as quantiles; the point forecast is centred on the recent bias.
 */

/** Errors a horizon bucket needs to keep its own quantiles (else it borrows the pooled ones). */
const MIN_BUCKET = 30;
/** The point forecast's bias correction comes from the errors of origins this recent. */
const RECENT_BIAS_SECONDS = 7 * 86_400;

/**
 * Horizon buckets (the last slot of each): one slot each up to 4 slots ahead, then growing by
 * half or a third (6, 8, 12, 16, 24, ...) up to H. Floors are decided a lead time ahead (a few
 * slots on minute data), where the error grows fastest with the horizon: equal-width buckets
 * over a 2 h horizon lumped the first 15 minutes together.
 */
export function horizonBuckets(H: number): number[] {
  const ends: number[] = [];
  for (let e = 1; e < H; e = e < 4 ? e + 1 : e % 3 === 0 ? (e / 3) * 4 : (e / 2) * 3) ends.push(e);
  ends.push(H);
  return ends;
}

/** The bucket of a horizon (slots ahead); horizons past the last bucket use the last one. */
export function bucketOf(ends: number[], ahead: number): number {
  let b = 0;
  while (b < ends.length - 1 && ahead > ends[b]!) b++;
  return b;
}

/** Errors of one horizon bucket: the error, the forecast level it was made at, its origin's day. */
interface BucketErrors {
  r: Float64Array;
  z: Float64Array;
  day: Int32Array;
  n: number;
}

/** What the residuals need of a fitted model: the chosen variant, its seasonal lags and its step. */
export interface ResidualBasis {
  choice: ProfileChoice;
  /** The variants averaged (default: `choice` alone). */
  members?: ProfileChoice[];
  dayLag: number;
  weekLag: number;
  stepSeconds: number;
}

/** A model's prediction-interval part (see `ProfileModel` for each field). */
export interface ResidualFit {
  residuals: Float64Array[];
  scales: ErrorScale[];
  effectiveCounts: number[];
  bucketEnds: number[];
  residualCount: number;
  /**
   * Per bucket: the median standardised error of the origins of the last week (the bias the
   * point forecast corrects: recent, since a bias from a growth spurt weeks ago is gone).
   */
  centres: number[];
}

/**
 * Errors of the chosen variant's in-sample forecasts, per horizon bucket, standardised and
 * sorted. Returns the interval part of the model; `model` is left as it was given.
 */
export function residualsFor(
  model: ResidualBasis,
  z: Float64Array,
  from: number,
  n: number,
  H: number,
): ResidualFit {
  const choices = model.members ?? [model.choice];
  const first = Math.max(0, from - Math.max(...choices.map((c) => c.levelSlots)));
  const inSample = new InSampleProfiles(z, first, n, model.dayLag, model.weekLag);
  const parts = choices.map((choice) => {
    const S = inSample.of(choice);
    return { choice, S, levels: new LevelIndex(z, S, first), decays: new Float64Array(H + 1) };
  });
  for (const p of parts) for (let h = 0; h <= H; h++) p.decays[h] = decay(p.choice, h);
  /** The averaged in-sample forecast of slot t from origin o (NaN when no variant has one). */
  const forecastAt = (cs: number[][], t: number, h: number) => {
    let sum = 0;
    let m = 0;
    for (let j = 0; j < parts.length; j++) {
      const p = parts[j]!;
      const [c, cNone] = cs[j]!;
      const s = p.S[t - first]!;
      const zhat = Number.isNaN(s) ? cNone! : s + (Number.isNaN(c!) ? 0 : c! * p.decays[h]!);
      if (Number.isNaN(zhat)) continue;
      sum += zhat;
      m++;
    }
    return m > 0 ? sum / m : Number.NaN;
  };
  const bucketEnds = horizonBuckets(H);
  const origins = pickOrigins(z, from, n - 2, 600);
  const daySlots = Math.max(1, Math.round(86_400 / model.stepSeconds));
  const buckets: BucketErrors[] = bucketEnds.map((end, b) => {
    const width = end - (b === 0 ? 0 : bucketEnds[b - 1]!);
    const size = origins.length * Math.min(width, 16);
    return { r: new Float64Array(size), z: new Float64Array(size), day: new Int32Array(size), n: 0 };
  });
  for (const o of origins) {
    const cs = parts.map((p) => [
      p.levels.level(o, p.choice.levelSlots),
      p.levels.plain(o, p.choice.levelSlots),
    ]);
    const day = Math.floor(o / daySlots);
    for (let b = 0; b < buckets.length; b++) {
      const lo = b === 0 ? 1 : bucketEnds[b - 1]! + 1;
      const width = bucketEnds[b]! - lo + 1;
      const samples = Math.min(width, 16);
      const e = buckets[b]!;
      for (let k = 0; k < samples; k++) {
        // Spread the sampled horizons inside the bucket, shifted per origin to cover it all.
        const offset = Math.floor(((k + (o % 7) / 7) * width) / samples);
        const h = lo + Math.min(width - 1, offset);
        const t = o + h;
        if (t >= n || Number.isNaN(z[t]!)) continue;
        const zhat = forecastAt(cs, t, h);
        if (Number.isNaN(zhat)) continue;
        e.r[e.n] = z[t]! - zhat;
        e.z[e.n] = zhat;
        e.day[e.n] = day;
        e.n++;
      }
    }
  }
  const all: BucketErrors = {
    r: concat(buckets, 'r'),
    z: concat(buckets, 'z'),
    day: concatDays(buckets),
    n: 0,
  };
  all.n = all.r.length;
  const pooledScale = fitErrorScale(all.r, all.z);
  const standardise = (e: BucketErrors, scale: ErrorScale) => {
    const u = new Float64Array(e.n);
    for (let i = 0; i < e.n; i++) u[i] = (e.r[i]! - offsetAt(scale, e.z[i]!)) / sigmaAt(scale, e.z[i]!);
    return u;
  };
  // Thin buckets borrow from the pooled errors rather than pretend to be certain.
  let pooled: { sorted: Float64Array; count: number; centre: number } | undefined;
  const pooledErrors = () => {
    if (!pooled) {
      const u = standardise(all, pooledScale);
      const sorted = Float64Array.from(u).sort();
      pooled = {
        sorted,
        count: effectiveCount(u, sorted, all.day),
        centre: recentCentre(u, all.day, sorted),
      };
    }
    return pooled;
  };
  const fit: ResidualFit = {
    residuals: [],
    scales: [],
    effectiveCounts: [],
    bucketEnds,
    residualCount: all.n,
    centres: [],
  };
  let lastDay = 0;
  for (let i = 0; i < all.n; i++) if (all.day[i]! > lastDay) lastDay = all.day[i]!;
  const recentDays = Math.max(1, Math.round(RECENT_BIAS_SECONDS / 86_400));
  /** Median of the errors whose origin lies in the last week (all of them when too few). */
  const recentCentre = (u: Float64Array, days: Int32Array, sorted: Float64Array) => {
    let k = 0;
    for (let i = 0; i < u.length; i++) if (days[i]! > lastDay - recentDays) k++;
    const recent = new Float64Array(k);
    k = 0;
    for (let i = 0; i < u.length; i++) if (days[i]! > lastDay - recentDays) recent[k++] = u[i]!;
    recent.sort();
    return recent.length >= MIN_BUCKET ? quantileOf(recent, 0.5) : quantileOf(sorted, 0.5);
  };
  for (const e of buckets) {
    if (e.n < MIN_BUCKET) {
      fit.residuals.push(pooledErrors().sorted);
      fit.scales.push(pooledScale);
      fit.effectiveCounts.push(pooledErrors().count);
      fit.centres.push(pooledErrors().centre);
      continue;
    }
    const own = fitErrorScale(e.r.subarray(0, e.n), e.z.subarray(0, e.n));
    const scale = own === UNIT_SCALE ? pooledScale : own;
    const u = standardise(e, scale);
    const sorted = Float64Array.from(u).sort();
    fit.residuals.push(sorted);
    fit.scales.push(scale);
    fit.effectiveCounts.push(effectiveCount(u, sorted, e.day.subarray(0, e.n)));
    fit.centres.push(recentCentre(u, e.day.subarray(0, e.n), sorted));
  }
  return fit;
}

function concat(buckets: BucketErrors[], key: 'r' | 'z'): Float64Array {
  const out = new Float64Array(buckets.reduce((s, e) => s + e.n, 0));
  let at = 0;
  for (const e of buckets) {
    out.set(e[key].subarray(0, e.n), at);
    at += e.n;
  }
  return out;
}

function concatDays(buckets: BucketErrors[]): Int32Array {
  const out = new Int32Array(buckets.reduce((s, e) => s + e.n, 0));
  let at = 0;
  for (const e of buckets) {
    out.set(e.day.subarray(0, e.n), at);
    at += e.n;
  }
  return out;
}

/**
 * How many independent errors a set of errors is worth (Kish's design effect): errors on the
 * same day share that day's level (a busy day, a holiday), so two weeks of hourly errors are
 * worth little more than the days they come from, while per-minute noise is worth nearly
 * every error. What an interval's coverage counts is whether an error falls outside the
 * central 80 %; deff = (variance of the day means of that indicator x their sizes) / (its
 * overall variance), and the count is n / deff, between the number of days and n.
 * `sorted` holds the same errors sorted; `day` each error's day (an integer).
 */
export function effectiveCount(errors: Float64Array, sorted: Float64Array, day: Int32Array): number {
  const n = errors.length;
  if (n === 0) return 0;
  const lo = quantileOf(sorted, 0.1);
  const hi = quantileOf(sorted, 0.9);
  let d0 = Number.POSITIVE_INFINITY;
  let d1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (day[i]! < d0) d0 = day[i]!;
    if (day[i]! > d1) d1 = day[i]!;
  }
  const sums = new Float64Array(d1 - d0 + 1);
  const sizes = new Float64Array(d1 - d0 + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const out = errors[i]! < lo || errors[i]! > hi ? 1 : 0;
    total += out;
    sums[day[i]! - d0]! += out;
    sizes[day[i]! - d0]!++;
  }
  const mean = total / n;
  // Variance of a 0/1 indicator with this mean, times n - 1.
  const ss = total * (1 - mean) ** 2 + (n - total) * mean ** 2;
  let k = 0;
  let between = 0;
  for (let d = 0; d < sizes.length; d++) {
    if (sizes[d] === 0) continue;
    k++;
    between += sizes[d]! * (sums[d]! / sizes[d]! - mean) ** 2;
  }
  if (k < 2 || ss <= 0) return Math.min(n, k);
  const deff = Math.max(1, between / (k - 1) / (ss / (n - 1)));
  return Math.min(n, Math.max(k, n / deff));
}

/**
 * How much wider than the empirical quantiles an interval must be when its errors are worth
 * only `count` independent draws: the Student-t predictive quantile over the normal one (the
 * widening a normal error distribution estimated from `count` errors needs), times
 * sqrt(1 + 1/count). 1.00 for weeks of per-minute errors; about 1.3 for one week of days at p95.
 */
export function widening(q: number, count: number): number {
  if (!(count > 0) || q === 0.5) return 1;
  const z = normalQuantile(Math.max(q, 1 - q));
  const t = studentTQuantile(Math.max(q, 1 - q), count - 1);
  return Math.max(1, (t / z) * Math.sqrt(1 + 1 / count));
}
