import type { DemandSignal } from '../domain/types.ts';

/** A regular-ish time series: epoch milliseconds and values in the signal's own unit per step. */
export interface Series {
  t: number[];
  v: number[];
  stepSeconds: number;
}

/**
 * The step of a series: its declared step, else the most common spacing of its timestamps
 * (the shorter one on a tie: a gap makes a longer spacing, never a shorter one).
 */
export function stepOf(series: Pick<Series, 't' | 'stepSeconds'>): number {
  if (series.stepSeconds > 0) return series.stepSeconds;
  const counts = new Map<number, number>();
  for (let i = 1; i < series.t.length; i++) {
    const d = Math.round((series.t[i]! - series.t[i - 1]!) / 1000);
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, n] of counts) {
    if (n > bestCount || (n === bestCount && d < best)) {
      best = d;
      bestCount = n;
    }
  }
  return best > 0 ? best : 60;
}

export interface MetricQuery {
  from: Date;
  to: Date;
  stepSeconds: number;
}

/** Sources only measure: they never change anything. */
export interface MetricSource {
  history(signal: DemandSignal, q: MetricQuery): Promise<Series>;
}
