import { lowerBound } from '../domain/search.ts';
import type { Series } from '../ports/metrics.ts';
import { forecastSeries } from './forecaster.ts';
import { toGrid } from './grid.ts';
import { DAY_SECONDS } from './seasonality.ts';

/**
 * Rolling-origin evaluation: at each origin the model sees only the history up to it and
 * forecasts the next horizon; errors are measured on the rows that really came (gaps are not
 * scored). Every model is scored on exactly the same points as the seasonal-naive baseline.
 */

export interface ModelForecast {
  t: number;
  value: number;
  lower?: number;
  upper?: number;
}

/** A forecaster under evaluation: history up to `now` (inclusive) in, forecast points out. */
export type EvaluatedModel = (
  history: Series,
  opts: { horizonSeconds: number; quantile: number; now: number },
) => ModelForecast[];

/** Headroom's forecaster as an evaluated model. */
export const profileModel: EvaluatedModel = (history, opts) => forecastSeries(history, opts).points;

/**
 * Seasonal naive: the value one period earlier at the same time; across a gap, the latest
 * earlier period that has a value. The baseline MASE is measured against.
 */
export function seasonalNaive(periodSeconds = DAY_SECONDS): EvaluatedModel {
  return (history, opts) => {
    const grid = toGrid(history, opts.now);
    const step = grid.stepSeconds * 1000;
    const lag = Math.round(periodSeconds / grid.stepSeconds);
    const out: ModelForecast[] = [];
    if (grid.last < 0) return out;
    const first = Math.floor((opts.now - grid.start) / step) + 1;
    const end = Math.floor((opts.now + opts.horizonSeconds * 1000 - grid.start) / step);
    for (let i = first; i <= end; i++) {
      let j = i - lag;
      while (j > grid.last) j -= lag;
      while (j >= 0 && Number.isNaN(grid.v[j]!)) j -= lag;
      if (j >= 0) out.push({ t: grid.start + i * step, value: grid.v[j]! });
    }
    return out;
  };
}

export interface Score {
  /** MAE(model) / MAE(seasonal naive) on the same points: below 1 beats the baseline. */
  mase: number;
  mae: number;
  /** Share of actual values at or below `upper` (nominal: the quantile). */
  coverageUpper: number;
  /** Share of actual values within [lower, upper] (nominal: 2q - 1). */
  coverageInterval: number;
  points: number;
  /** Mean fit + predict time per origin, ms (informative; the bench measures speed properly). */
  msPerOrigin: number;
}

export interface EvaluationOptions {
  horizonSeconds: number;
  quantile: number;
  /** Number of forecast origins, evenly spread after the warm-up. */
  origins: number;
  /** History every origin has at least (default: 15 days, or half the trace if shorter). */
  warmupSeconds?: number;
  /** Seasonal naive period for the baseline (default one day). */
  baselinePeriodSeconds?: number;
  /** Optional clock for msPerOrigin (the evaluation itself never reads time). */
  timer?: () => number;
}

/** The origins (epoch ms) of an evaluation: evenly spread, each with a full horizon after it. */
export function originsOf(series: Series, opts: EvaluationOptions): number[] {
  const start = series.t[0]!;
  const end = series.t[series.t.length - 1]!;
  const span = end - start;
  const warm = Math.min((opts.warmupSeconds ?? 15 * DAY_SECONDS) * 1000, span / 2);
  const first = start + warm;
  const last = end - opts.horizonSeconds * 1000;
  if (last <= first) return [];
  const n = Math.max(1, opts.origins);
  const stride = (last - first) / n;
  // Snap to the series' own timestamps so every origin is "just after a row arrived".
  return Array.from({ length: n }, (_, k) => {
    const target = first + stride * (k + 0.5);
    let i = lowerIndex(series.t, target);
    if (i >= series.t.length) i = series.t.length - 1;
    return series.t[i]!;
  });
}

function lowerIndex(t: number[], ms: number): number {
  return lowerBound(t, (x) => x < ms);
}

/** Scores each model over the same origins and points. */
export function rollingOrigin(
  series: Series,
  models: Record<string, EvaluatedModel>,
  opts: EvaluationOptions,
): Record<string, Score> {
  const baseline = seasonalNaive(opts.baselinePeriodSeconds);
  const acc = Object.fromEntries(
    Object.keys(models).map((m) => [m, { err: 0, base: 0, n: 0, up: 0, inside: 0, withBounds: 0, ms: 0 }]),
  );
  const actualAt = new Map<number, number>();
  series.t.forEach((t, i) => {
    actualAt.set(t, series.v[i]!);
  });
  const origins = originsOf(series, opts);
  const timer = opts.timer ?? (() => 0);
  for (const now of origins) {
    const cut = lowerIndex(series.t, now + 1);
    const history: Series = {
      t: series.t.slice(0, cut),
      v: series.v.slice(0, cut),
      stepSeconds: series.stepSeconds,
    };
    const o = { horizonSeconds: opts.horizonSeconds, quantile: opts.quantile, now };
    const base = new Map(baseline(history, o).map((p) => [p.t, p.value]));
    for (const [name, model] of Object.entries(models)) {
      const a = acc[name]!;
      const t0 = timer();
      const fc = model(history, o);
      a.ms += timer() - t0;
      for (const p of fc) {
        const y = actualAt.get(p.t);
        const b = base.get(p.t);
        if (y === undefined || b === undefined) continue;
        a.err += Math.abs(p.value - y);
        a.base += Math.abs(b - y);
        a.n++;
        if (p.upper !== undefined && p.lower !== undefined) {
          a.withBounds++;
          if (y <= p.upper) a.up++;
          if (y >= p.lower && y <= p.upper) a.inside++;
        }
      }
    }
  }
  return Object.fromEntries(
    Object.entries(acc).map(([name, a]) => [
      name,
      {
        mase: a.base > 0 ? a.err / a.base : Number.NaN,
        mae: a.n > 0 ? a.err / a.n : Number.NaN,
        coverageUpper: a.withBounds > 0 ? a.up / a.withBounds : Number.NaN,
        coverageInterval: a.withBounds > 0 ? a.inside / a.withBounds : Number.NaN,
        points: a.n,
        msPerOrigin: origins.length > 0 ? a.ms / origins.length : Number.NaN,
      },
    ]),
  );
}
