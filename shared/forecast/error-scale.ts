/**
 * The error spread of the seasonal-profile model's intervals by forecast level (intervals.ts
 * reads its quantiles from errors standardised by it).
 *
 * Why a level-dependent scale: on the log1p scale a multiplicative error (a busy day) has the
 * same size at every level, but counting noise does not: a minute with 15 requests varies by
 * about 1/sqrt(15) in log terms, one with 150 by a third of that. Pooling all errors gave
 * NASA's per-minute trace an upper bound that held 72 % of the quiet minutes and 91 % of the
 * busy ones at a nominal 80 %. The spread of the errors is therefore modelled as
 * `sigma^2(z) = a + b * exp(-z)` (multiplicative noise plus counting noise; `exp(-z)` is
 * 1 / (1 + forecast)), fitted to the in-sample errors, and the interval is built from the
 * standardised errors `(r - shift * exp(-z)) / sigma(z)`: the median of the log of a small
 * count also runs below the log of its mean, by about a third of 1 / (1 + mean) for Poisson
 * counts, and is fitted the same way where levels under ~50 per step occur. Series without
 * counting noise (large counts, rates) fit `b` near 0 and keep one spread for all levels.
 */

/** The error spread at a transformed forecast level: sqrt(a + b exp(-z)), z clamped to the fitted range. */
export interface ErrorScale {
  a: number;
  b: number;
  /** Level-dependent bias of the errors: `shift * exp(-z)` (the log of a small count runs low). */
  shift: number;
  zMin: number;
  zMax: number;
}

/** Plain quantiles of the raw errors: the scale when too few errors exist to fit one. */
export const UNIT_SCALE: ErrorScale = {
  a: 1,
  b: 0,
  shift: 0,
  zMin: Number.NEGATIVE_INFINITY,
  zMax: Infinity,
};

/** Errors per level bin needed before the spread is modelled by level. */
const PER_BIN = 40;
const BINS = 8;
/** exp(-z) of a level of ~50 per step: the median's drift is only modelled where levels go below it. */
const SMALL_COUNT_X = 0.02;
/** Errors looked at per fit of the scale (an even subsample of them). */
const SAMPLE = 4096;

export function offsetAt(s: ErrorScale, z: number): number {
  if (s.shift === 0) return 0;
  return s.shift * Math.exp(-Math.min(s.zMax, Math.max(s.zMin, z)));
}

export function sigmaAt(s: ErrorScale, z: number): number {
  const zc = Math.min(s.zMax, Math.max(s.zMin, z));
  return Math.sqrt(Math.max(1e-12, s.a + s.b * Math.exp(-zc)));
}

/**
 * Fits `sigma^2(z) = a + b exp(-z)` to errors `r` at levels `z`: the errors are cut into
 * equal-count level bins, each bin's spread is the width of its central 80 % (robust to the
 * bursts in the tails, which the quantiles keep), and a, b >= 0 come from least squares over
 * the bins. Too few errors: the unit scale (plain quantiles).
 */
export function fitErrorScale(r: Float64Array, z: Float64Array): ErrorScale {
  const n = r.length;
  if (n < BINS * PER_BIN) return UNIT_SCALE;
  // A spread per bin needs a few hundred errors, not tens of thousands: an even subsample.
  const stride = Math.max(1, Math.floor(n / SAMPLE));
  const m = Math.floor(n / stride);
  const zSorted = new Float64Array(m);
  for (let j = 0; j < m; j++) zSorted[j] = z[j * stride]!;
  zSorted.sort();
  // Level bins of (about) equal counts, edges from the sorted levels.
  const edges = Array.from({ length: BINS - 1 }, (_, k) => zSorted[Math.floor(((k + 1) * m) / BINS)]!);
  const bins: number[][] = Array.from({ length: BINS }, () => []);
  const binZ: number[][] = Array.from({ length: BINS }, () => []);
  for (let j = 0; j < m; j++) {
    const i = j * stride;
    let k = 0;
    while (k < edges.length && z[i]! >= edges[k]!) k++;
    bins[k]!.push(r[i]!);
    binZ[k]!.push(z[i]!);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  const meds: number[] = [];
  for (let k = 0; k < BINS; k++) {
    if (bins[k]!.length < PER_BIN / 2) continue; // ties at an edge can leave a bin nearly empty
    const bin = Float64Array.from(bins[k]!).sort();
    // The central 80 % of a normal spans 2.563 standard deviations.
    const spread = (quantileOf(bin, 0.9) - quantileOf(bin, 0.1)) / 2.563;
    xs.push(Math.exp(-quantileOf(Float64Array.from(binZ[k]!).sort(), 0.5)));
    ys.push(spread * spread);
    meds.push(quantileOf(bin, 0.5));
  }
  if (xs.length < 2) return UNIT_SCALE;
  const kept = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / kept;
  const my = ys.reduce((s, y) => s + y, 0) / kept;
  let sxx = 0;
  let sxy = 0;
  for (let k = 0; k < kept; k++) {
    sxx += (xs[k]! - mx) ** 2;
    sxy += (xs[k]! - mx) * (ys[k]! - my);
  }
  let b = sxx > 0 ? sxy / sxx : 0;
  let a = my - b * mx;
  if (b < 0) {
    b = 0;
    a = my;
  } else if (a < 0) {
    a = 0;
    b = xs.reduce((s, x, k) => s + x * ys[k]!, 0) / xs.reduce((s, x) => s + x * x, 0);
  }
  if (!(a + b > 0)) return UNIT_SCALE;
  // The median's drift with the level, fitted the same way (no drift where counts are large).
  const mm = meds.reduce((s, y) => s + y, 0) / kept;
  let sxm = 0;
  for (let k = 0; k < kept; k++) sxm += (xs[k]! - mx) * (meds[k]! - mm);
  const shift = sxx > 0 && xs.some((x) => x >= SMALL_COUNT_X) ? sxm / sxx : 0;
  return { a, b, shift, zMin: zSorted[0]!, zMax: zSorted[m - 1]! };
}

/** The q-quantile of sorted values (linear interpolation); 0 when empty. */
export function quantileOf(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const x = q * (sorted.length - 1);
  const lo = Math.floor(x);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (x - lo);
}
