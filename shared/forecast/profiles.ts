import type { HistoryReader } from './history.ts';

/**
 * The building blocks of the seasonal-profile model on the transformed scale: smoothing,
 * per-cycle means that skip gaps, profiles seen from an origin (only cycles before it), the
 * in-sample profiles the selection compares, and the level correction. No I/O, no clock.
 */

export interface ProfileChoice {
  /** 0 = no seasonal profile (recent level only). */
  seasonal: boolean;
  /** Share of the weekly profile in the blend (0 = daily only, 1 = weekly only). */
  weeklyShare: number;
  smoothSlots: number;
  daysBack: number;
  weeksBack: number;
  levelSlots: number;
  /** Median of the cycles instead of their mean: a holiday or an outage in one cycle does not move the profile. */
  robust?: boolean;
  /** Decay of the level correction, in slots; 0 = no correction, Infinity = kept. */
  tauSlots: number;
}

/** A profile shape: which seasonal components, how many cycles, how much smoothing. */
export type Shape = Pick<
  ProfileChoice,
  'seasonal' | 'weeklyShare' | 'daysBack' | 'weeksBack' | 'smoothSlots' | 'robust'
>;

/** NaN-aware centred moving average over +-w slots (prefix sums: O(n)). */
export function smooth(z: Float64Array, w: number): Float64Array {
  if (w <= 0) return z;
  const n = z.length;
  const s = new Float64Array(n + 1);
  const c = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = z[i]!;
    const ok = !Number.isNaN(v);
    s[i + 1] = s[i]! + (ok ? v : 0);
    c[i + 1] = c[i]! + (ok ? 1 : 0);
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - w);
    const b = Math.min(n, i + w + 1);
    const k = c[b]! - c[a]!;
    out[i] = k > 0 && !Number.isNaN(z[i]!) ? (s[b]! - s[a]!) / k : Number.NaN;
  }
  return out;
}

/** Mean, or with `robust` the median, of the values in `xs[0..n)` (NaN when none); sorts them. */
function centre(xs: Float64Array, n: number, robust: boolean): number {
  if (n === 0) return Number.NaN;
  if (!robust || n < 3) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += xs[k]!;
    return sum / n;
  }
  const v = xs.subarray(0, n).sort();
  return n % 2 === 1 ? v[n >> 1]! : (v[(n >> 1) - 1]! + v[n >> 1]!) / 2;
}

const scratch = new Float64Array(64);

/**
 * Mean (or median) of zs at i - k*lag for k0 <= k < k0 + K, over slots at or before
 * `lastAllowed`, skipping gaps (and reaching up to K further cycles back to get past a long gap).
 */
export function cycleMean(
  zs: Float64Array,
  i: number,
  lag: number,
  k0: number,
  K: number,
  lastAllowed: number,
  robust = false,
): number {
  let n = 0;
  for (let k = k0; k < k0 + 2 * K && n < K; k++) {
    const j = i - k * lag;
    if (j < 0) break;
    if (j > lastAllowed) continue;
    const v = zs[j]!;
    if (Number.isNaN(v)) continue;
    scratch[n++] = v;
  }
  return centre(scratch, n, robust);
}

/** cycleMean over a history reader's smoothed values (a forecast refresh; see history.ts). */
function cycleMeanOf(
  h: HistoryReader,
  w: number,
  i: number,
  lag: number,
  k0: number,
  K: number,
  lastAllowed: number,
  robust: boolean,
) {
  let n = 0;
  for (let k = k0; k < k0 + 2 * K && n < K; k++) {
    const j = i - k * lag;
    if (j < h.first) break;
    if (j > lastAllowed) continue;
    const v = h.smoothed(j, w);
    if (Number.isNaN(v)) continue;
    scratch[n++] = v;
  }
  return centre(scratch, n, robust);
}

/** The seasonal profile at slot i seen from `origin` (only cycles at or before it count). */
export function profileAt(
  h: HistoryReader,
  i: number,
  origin: number,
  m: { dayLag: number; weekLag: number; choice: ProfileChoice },
): number {
  const { choice } = m;
  if (!choice.seasonal) return 0;
  const w = choice.smoothSlots;
  const d =
    choice.weeklyShare < 1 && m.dayLag > 0
      ? cycleMeanOf(
          h,
          w,
          i,
          m.dayLag,
          Math.max(1, Math.ceil((i - origin) / m.dayLag)),
          choice.daysBack,
          origin,
          choice.robust === true,
        )
      : Number.NaN;
  const wk =
    choice.weeklyShare > 0 && m.weekLag > 0
      ? cycleMeanOf(
          h,
          w,
          i,
          m.weekLag,
          Math.max(1, Math.ceil((i - origin) / m.weekLag)),
          choice.weeksBack,
          origin,
          choice.robust === true,
        )
      : Number.NaN;
  if (Number.isNaN(d)) return wk;
  if (Number.isNaN(wk)) return d;
  return (1 - choice.weeklyShare) * d + choice.weeklyShare * wk;
}

/**
 * In-sample profiles over slots [first, n) for many shapes: each slot's profile uses only the
 * cycles before it. Daily and weekly components are computed once per (smoothing, cycles) and
 * blended per shape, since a shape is a weighted mix of the two.
 */
export class InSampleProfiles {
  private readonly components = new Map<string, Float64Array>();
  private readonly smoothed = new Map<number, Float64Array>();
  private readonly z: Float64Array;
  private readonly first: number;
  private readonly n: number;
  private readonly dayLag: number;
  private readonly weekLag: number;
  constructor(z: Float64Array, first: number, n: number, dayLag: number, weekLag: number) {
    this.z = z;
    this.first = first;
    this.n = n;
    this.dayLag = dayLag;
    this.weekLag = weekLag;
  }

  smoothedZ(w: number): Float64Array {
    let zs = this.smoothed.get(w);
    if (!zs) {
      zs = smooth(this.z, w);
      this.smoothed.set(w, zs);
    }
    return zs;
  }

  private component(lag: number, w: number, K: number, robust: boolean): Float64Array {
    const key = `${lag}|${w}|${K}|${robust}`;
    let c = this.components.get(key);
    if (!c) {
      const zs = this.smoothedZ(w);
      c = new Float64Array(this.n - this.first);
      for (let i = this.first; i < this.n; i++)
        c[i - this.first] = cycleMean(zs, i, lag, 1, K, i - 1, robust);
      this.components.set(key, c);
    }
    return c;
  }

  /** The profile of a shape, `S[k]` for slot `first + k`; all zeros without seasonality. */
  of(shape: Shape): Float64Array {
    const len = this.n - this.first;
    if (!shape.seasonal) return new Float64Array(len);
    const a = shape.weeklyShare;
    const d =
      a < 1 && this.dayLag > 0
        ? this.component(this.dayLag, shape.smoothSlots, shape.daysBack, shape.robust === true)
        : undefined;
    const w =
      a > 0 && this.weekLag > 0
        ? this.component(this.weekLag, shape.smoothSlots, shape.weeksBack, shape.robust === true)
        : undefined;
    if (!w) return d ?? new Float64Array(len).fill(Number.NaN);
    if (!d) return w;
    const S = new Float64Array(len);
    for (let k = 0; k < len; k++) {
      const x = d[k]!;
      const y = w[k]!;
      S[k] = Number.isNaN(x) ? y : Number.isNaN(y) ? x : (1 - a) * x + a * y;
    }
    return S;
  }
}

/** Mean of z - S over the last `levelSlots` observed slots up to `origin` (NaN when none). */
export function levelAt(
  h: HistoryReader,
  S: (i: number) => number,
  origin: number,
  levelSlots: number,
): number {
  let sum = 0;
  let n = 0;
  for (let i = origin; i >= h.first && i > origin - levelSlots; i--) {
    const v = h.z(i);
    if (Number.isNaN(v)) continue;
    const s = S(i);
    if (Number.isNaN(s)) continue;
    sum += v - s;
    n++;
  }
  return n > 0 ? sum / n : Number.NaN;
}

/** Prefix sums of z - S and of z over observed slots: the mean level of any window in O(1). */
export class LevelIndex {
  private readonly r: Float64Array;
  private readonly rn: Float64Array;
  private readonly zs: Float64Array;
  private readonly zn: Float64Array;
  /** First slot covered: windows reaching further back are cut there. */
  private readonly first: number;
  /** `S[k]` is the profile at slot `first + k`. */
  constructor(z: Float64Array, S: Float64Array, first = 0) {
    const n = S.length;
    this.first = first;
    this.r = new Float64Array(n + 1);
    this.rn = new Float64Array(n + 1);
    this.zs = new Float64Array(n + 1);
    this.zn = new Float64Array(n + 1);
    for (let k = 0; k < n; k++) {
      const v = z[first + k]!;
      const s = S[k]!;
      const okZ = !Number.isNaN(v);
      const okR = okZ && !Number.isNaN(s);
      this.r[k + 1] = this.r[k]! + (okR ? v - s : 0);
      this.rn[k + 1] = this.rn[k]! + (okR ? 1 : 0);
      this.zs[k + 1] = this.zs[k]! + (okZ ? v : 0);
      this.zn[k + 1] = this.zn[k]! + (okZ ? 1 : 0);
    }
  }
  /** Mean of z - S over slots (o - L, o]; NaN when none is observed. */
  level(o: number, L: number): number {
    const b = o + 1 - this.first;
    const a = Math.max(0, b - L);
    const k = this.rn[b]! - this.rn[a]!;
    return k > 0 ? (this.r[b]! - this.r[a]!) / k : Number.NaN;
  }
  /** Mean of z over slots (o - L, o]. */
  plain(o: number, L: number): number {
    const b = o + 1 - this.first;
    const a = Math.max(0, b - L);
    const k = this.zn[b]! - this.zn[a]!;
    return k > 0 ? (this.zs[b]! - this.zs[a]!) / k : Number.NaN;
  }
}

export function decay(choice: ProfileChoice, slotsAhead: number): number {
  if (choice.tauSlots === 0) return 0;
  if (!Number.isFinite(choice.tauSlots)) return 1;
  return Math.exp(-slotsAhead / choice.tauSlots);
}

/** Evenly spread observed origins in [from, to], at most `max`. */
export function pickOrigins(z: Float64Array, from: number, to: number, max: number): number[] {
  const out: number[] = [];
  if (to < from) return out;
  const stride = Math.max(1, Math.floor((to - from + 1) / max));
  for (let o = to; o >= from && out.length < max; o -= stride) if (!Number.isNaN(z[o]!)) out.push(o);
  return out.reverse();
}
