import type { Signal } from '../domain/types.ts';

/** A regular-ish time series: epoch milliseconds and values in the signal's own unit per step. */
export interface Series {
  t: number[];
  v: number[];
  stepSeconds: number;
}

export interface MetricQuery {
  from: Date;
  to: Date;
  stepSeconds: number;
}

/** Sources only measure: they never change anything. */
export interface MetricSource {
  history(signal: Signal, q: MetricQuery): Promise<Series>;
}
