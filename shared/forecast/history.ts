import type { Grid } from './grid.ts';
import { log1pTransform, type Transform } from './transform.ts';

/**
 * What a forecast refresh reads: the transformed history by slot, and its NaN-aware moving
 * average over any window in O(1). Indices are slots from a fixed `anchor`.
 */
export interface HistoryReader {
  readonly stepSeconds: number;
  readonly transform: Transform;
  /** Epoch ms of slot 0. */
  readonly anchor: number;
  /** First slot a forecast may use (older slots count as missing). */
  readonly first: number;
  /** Last observed slot; `first - 1` when none. */
  readonly last: number;
  /** Transformed value at slot i; NaN when missing, excluded or outside the history. */
  z(i: number): number;
  /** Mean of the observed transformed values over slots i - w .. i + w (NaN when slot i is missing). */
  smoothed(i: number, w: number): number;
}

/**
 * A signal's history on its time grid, kept up to date row by row, with running sums of the
 * transformed values. A forecast refresh then costs O(horizon x cycles) instead of rebuilding,
 * transforming and smoothing weeks of history: cheap enough to refresh on every reconcile.
 *
 * It holds what `historyGrid` would build from the same rows: rows older than the window are
 * dropped, the window is the last `windowSlots` slots up to the newest row (and starts no
 * earlier than the oldest row), excluded windows (campaigns) read as missing, gaps stay gaps.
 */
export class ForecastHistory implements HistoryReader {
  readonly stepSeconds: number;
  readonly transform: Transform;
  readonly anchor: number;
  readonly windowSlots: number;
  /** Where slot `base` sits in the arrays (old slots are dropped by moving it). */
  private off = 0;
  private base = 0;
  private len = 0;
  private raw: Float64Array;
  private zs: Float64Array;
  /** sum[k], cnt[k]: sum and count of observed z in array positions [0, k). */
  private sum: Float64Array;
  private cnt: Float64Array;
  /** First array position whose running sums are stale. */
  private dirty = 0;
  private excluded: { from: number; to: number }[] = [];
  private firstRow = 0;
  private lastSeen = -1;

  constructor(opts: { anchor: number; stepSeconds: number; windowSlots: number; transform?: Transform }) {
    this.anchor = opts.anchor;
    this.stepSeconds = opts.stepSeconds;
    this.windowSlots = opts.windowSlots;
    this.transform = opts.transform ?? log1pTransform;
    this.raw = new Float64Array(1024).fill(Number.NaN);
    this.zs = new Float64Array(1024).fill(Number.NaN);
    this.sum = new Float64Array(1025);
    this.cnt = new Float64Array(1025);
  }

  /** The history of a grid as it is (a one-shot forecast). */
  static fromGrid(grid: Grid, transform?: Transform): ForecastHistory {
    const h = new ForecastHistory({
      anchor: grid.start,
      stepSeconds: grid.stepSeconds,
      windowSlots: Math.max(1, grid.v.length),
      transform,
    });
    h.reserve(grid.v.length);
    for (let i = 0; i < grid.v.length; i++) h.setAt(i, grid.v[i]!);
    h.len = grid.v.length;
    return h.commit();
  }

  private get step(): number {
    return this.stepSeconds * 1000;
  }

  /** Slot of a timestamp (nearest slot, as toGrid places rows). */
  slotOf(t: number): number {
    return Math.round((t - this.anchor) / this.step);
  }

  get end(): number {
    return this.base + this.len;
  }

  get first(): number {
    return Math.max(this.firstRow, this.end - this.windowSlots);
  }

  get last(): number {
    return this.lastSeen;
  }

  /** Number of observed (not excluded) slots in the window. */
  get observed(): number {
    this.commit();
    const a = this.first - this.base + this.off;
    const b = this.len + this.off;
    return a < b ? this.cnt[b]! - this.cnt[a]! : 0;
  }

  /** Sets a row (NaN or non-finite: no row). Rows before the stored window are ignored. */
  put(t: number, value: number): void {
    const i = this.slotOf(t);
    if (i < this.base) return;
    if (this.len === 0) {
      this.base = i;
      this.off = 0;
      this.dirty = 0;
    }
    this.reserve(i - this.base + 1);
    if (i >= this.end) {
      // Slots between the previous end and this row are gaps.
      for (let k = this.end; k < i; k++) this.setAt(k - this.base, Number.NaN);
      this.len = i - this.base + 1;
    }
    this.setAt(i - this.base, value);
  }

  /** Forgets the rows at or after `t` (a source re-read replaces them). */
  truncateFrom(t: number): void {
    const i = Math.ceil((t - this.anchor) / this.step);
    if (i >= this.end) return;
    this.len = Math.max(0, i - this.base);
    // The history ends at its newest row, as a grid built from the rows would.
    while (this.len > 0 && Number.isNaN(this.raw[this.off + this.len - 1]!)) this.len--;
    this.dirty = Math.min(this.dirty, this.off + this.len);
  }

  /** Epoch ms of the newest row, if any. */
  get lastRowTime(): number | undefined {
    return this.len > 0 ? this.anchor + (this.end - 1) * this.step : undefined;
  }

  /** The row at slot i as the source gave it (NaN when missing or outside the history). */
  rawAt(i: number): number {
    return i < this.base || i >= this.end ? Number.NaN : this.raw[i - this.base + this.off]!;
  }

  /** Forgets the rows before `t` (older than the history a forecast reads). */
  dropBefore(t: number): void {
    const i = Math.ceil((t - this.anchor) / this.step);
    if (i <= this.base) return;
    const drop = Math.min(this.len, i - this.base);
    this.base += drop;
    this.off += drop;
    this.len -= drop;
    if (this.len === 0) this.base = i;
    // Compact once the dropped part is as large as what is kept: amortised O(1) per slot.
    if (this.off > Math.max(1024, this.len)) {
      this.raw.copyWithin(0, this.off, this.off + this.len);
      this.zs.copyWithin(0, this.off, this.off + this.len);
      this.off = 0;
      this.dirty = 0;
    }
  }

  /** Windows whose rows read as missing; a change re-masks the stored slots. */
  setExclusions(windows: { from: number; to: number }[]): void {
    const same =
      windows.length === this.excluded.length &&
      windows.every((w, k) => w.from === this.excluded[k]!.from && w.to === this.excluded[k]!.to);
    if (same) return;
    this.excluded = windows.map((w) => ({ ...w }));
    for (let k = 0; k < this.len; k++) this.setAt(k, this.raw[this.off + k]!);
  }

  /** Brings the running sums, the first row and the last observed slot up to date. */
  commit(): this {
    const stop = this.off + this.len;
    for (let p = Math.max(0, this.dirty); p < stop; p++) {
      const z = this.zs[p]!;
      const ok = !Number.isNaN(z);
      this.sum[p + 1] = this.sum[p]! + (ok ? z : 0);
      this.cnt[p + 1] = this.cnt[p]! + (ok ? 1 : 0);
    }
    this.dirty = stop;
    let f = this.off;
    while (f < stop && Number.isNaN(this.raw[f]!)) f++;
    this.firstRow = this.base + (f - this.off);
    const first = this.first;
    let l = this.end - 1;
    while (l >= first && Number.isNaN(this.zs[l - this.base + this.off]!)) l--;
    this.lastSeen = l >= first ? l : first - 1;
    return this;
  }

  z(i: number): number {
    if (i < this.first || i >= this.end) return Number.NaN;
    return this.zs[i - this.base + this.off]!;
  }

  smoothed(i: number, w: number): number {
    const z = this.z(i);
    if (Number.isNaN(z) || w <= 0) return z;
    const p = this.off - this.base;
    const a = Math.max(this.first, i - w) + p;
    const b = Math.min(this.end, i + w + 1) + p;
    return (this.sum[b]! - this.sum[a]!) / (this.cnt[b]! - this.cnt[a]!);
  }

  /** The window as a Grid (raw values, excluded windows missing): what a model is fitted on. */
  grid(): Grid {
    this.commit();
    const first = this.first;
    const n = Math.max(0, this.end - first);
    const v = new Float64Array(n);
    let observed = 0;
    for (let k = 0; k < n; k++) {
      const p = first + k - this.base + this.off;
      const masked = Number.isNaN(this.zs[p]!) ? Number.NaN : this.raw[p]!;
      v[k] = masked;
      if (!Number.isNaN(masked)) observed++;
    }
    return {
      // An empty history has no anchor row: toGrid says 0.
      start: n > 0 ? this.anchor + first * this.step : 0,
      stepSeconds: this.stepSeconds,
      v,
      observed,
      last: this.lastSeen - first,
    };
  }

  private setAt(k: number, value: number): void {
    const p = this.off + k;
    const v = Number.isFinite(value) ? value : Number.NaN;
    this.raw[p] = v;
    this.zs[p] = Number.isNaN(v) || this.isExcluded(this.base + k) ? Number.NaN : this.transform.to(v);
    if (p < this.dirty) this.dirty = p;
  }

  private isExcluded(i: number): boolean {
    if (this.excluded.length === 0) return false;
    // maskWindows semantics: slots from ceil(from) up to (not including) ceil(to).
    return this.excluded.some(
      (w) =>
        i >= Math.ceil((w.from - this.anchor) / this.step) && i < Math.ceil((w.to - this.anchor) / this.step),
    );
  }

  /** Room for `slots` slots after `base`. */
  private reserve(slots: number): void {
    const need = this.off + slots;
    if (need <= this.raw.length) return;
    const size = Math.max(need, this.raw.length * 2);
    const grow = (a: Float64Array, fill: number) => {
      const b = new Float64Array(size).fill(fill);
      b.set(a);
      return b;
    };
    this.raw = grow(this.raw, Number.NaN);
    this.zs = grow(this.zs, Number.NaN);
    const sum = new Float64Array(size + 1);
    sum.set(this.sum);
    this.sum = sum;
    const cnt = new Float64Array(size + 1);
    cnt.set(this.cnt);
    this.cnt = cnt;
  }
}
