import { type Series, stepOf } from '../ports/metrics.ts';

/**
 * A series laid on a regular time grid: slot i is `start + i * step`. Missing rows stay
 * missing (NaN): a gap in the history is not a period of zero demand, and filling it with
 * zeros would teach the model a drop that never happened.
 */
export interface Grid {
  /** Epoch ms of slot 0. */
  start: number;
  stepSeconds: number;
  /** Values in the series' own unit per step; NaN where the source had no row. */
  v: Float64Array;
  /** Number of slots holding a value. */
  observed: number;
  /** Index of the last slot holding a value (-1 when empty). */
  last: number;
}

/**
 * Places the points with `t <= until` on a grid anchored at the first timestamp (so traces
 * stamped at :42:53 keep their phase). A point between slots goes to the nearest one; two
 * points in one slot keep the later. Non-finite values are treated as missing.
 */
export function toGrid(series: Series, until = Number.POSITIVE_INFINITY): Grid {
  const stepSeconds = stepOf(series);
  const step = stepSeconds * 1000;
  let count = 0;
  while (count < series.t.length && series.t[count]! <= until) count++;
  // Sorted input is the norm; fall back to sorting when a source returns rows out of order.
  let order: number[] | undefined;
  for (let i = 1; i < count; i++) {
    if (series.t[i]! < series.t[i - 1]!) {
      order = [...Array(series.t.length).keys()]
        .filter((k) => series.t[k]! <= until)
        .sort((a, b) => series.t[a]! - series.t[b]!);
      count = order.length;
      break;
    }
  }
  const at = (i: number) => (order ? order[i]! : i);
  if (count === 0) return { start: 0, stepSeconds, v: new Float64Array(0), observed: 0, last: -1 };
  const start = series.t[at(0)]!;
  const slots = Math.round((series.t[at(count - 1)]! - start) / step) + 1;
  const v = new Float64Array(slots).fill(Number.NaN);
  for (let i = 0; i < count; i++) {
    const k = at(i);
    const value = series.v[k]!;
    if (!Number.isFinite(value)) continue;
    v[Math.round((series.t[k]! - start) / step)] = value;
  }
  let observed = 0;
  let last = -1;
  for (let i = 0; i < slots; i++) {
    if (!Number.isNaN(v[i]!)) {
      observed++;
      last = i;
    }
  }
  return { start, stepSeconds, v, observed, last };
}

/** Keeps only the last `slots` slots of a grid (the history window a model uses). */
export function tail(grid: Grid, slots: number): Grid {
  if (grid.v.length <= slots) return grid;
  const drop = grid.v.length - slots;
  const v = grid.v.subarray(drop);
  let observed = 0;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]!)) observed++;
  return {
    start: grid.start + drop * grid.stepSeconds * 1000,
    stepSeconds: grid.stepSeconds,
    v,
    observed,
    last: grid.last - drop,
  };
}

/** Marks the slots inside the given windows as missing (campaign surges are not baseline demand). */
export function maskWindows(grid: Grid, windows: { from: number; to: number }[]): Grid {
  if (windows.length === 0 || grid.v.length === 0) return grid;
  const step = grid.stepSeconds * 1000;
  let v: Float64Array | undefined;
  for (const w of windows) {
    const a = Math.max(0, Math.ceil((w.from - grid.start) / step));
    const b = Math.min(grid.v.length, Math.ceil((w.to - grid.start) / step));
    if (a >= b) continue;
    v ??= Float64Array.from(grid.v);
    v.fill(Number.NaN, a, b);
  }
  if (!v) return grid;
  let observed = 0;
  let last = -1;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isNaN(v[i]!)) {
      observed++;
      last = i;
    }
  }
  return { ...grid, v, observed, last };
}
