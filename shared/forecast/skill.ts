import type { Series } from '../ports/metrics.ts';
import { type EvaluatedModel, type EvaluationOptions, originsOf, seasonalNaive } from './evaluate.ts';
import { DAY_SECONDS, WEEK_SECONDS } from './seasonality.ts';

/**
 * Skill against the better seasonal naive (issue 13's measurement): at each rolling origin the
 * baseline is whichever of naive-1-day and naive-7-day has the lower total error over that
 * origin's horizon (chosen once per origin, with hindsight, never per point), and every model
 * is scored on exactly the points the baseline is. `ratio` = sum of the model's absolute errors
 * / sum of the baseline's: below 1 beats it. Coverage is the share of actual values at or
 * below the model's upper bound (nominal: the quantile). Pure: no clock, no I/O.
 */

export interface SkillScore {
  /** MAE(model) / MAE(better seasonal naive per origin) on the same points. */
  ratio: number;
  mae: number;
  baselineMae: number;
  /** Share of actual values at or below `upper` (nominal: the quantile). */
  coverageUpper: number;
  /** Share within [lower, upper] (nominal: 2q - 1). */
  coverageInterval: number;
  points: number;
  origins: number;
  /** Origins where naive-7-day was the better baseline. */
  weekBaselineOrigins: number;
  /** Origins whose ratio alone exceeded 1 (how often the model lost). */
  lostOrigins: number;
}

interface Acc {
  err: number;
  base: number;
  n: number;
  up: number;
  inside: number;
  bounded: number;
  lost: number;
}

/** Scores each model against the better of naive-1-day and naive-7-day at each origin. */
export function skillVsNaive(
  series: Series,
  models: Record<string, EvaluatedModel>,
  opts: EvaluationOptions,
): Record<string, SkillScore> {
  const day = seasonalNaive(DAY_SECONDS);
  const week = seasonalNaive(WEEK_SECONDS);
  const actualAt = new Map<number, number>();
  series.t.forEach((t, i) => {
    actualAt.set(t, series.v[i]!);
  });
  const acc: Record<string, Acc> = Object.fromEntries(
    Object.keys(models).map((m) => [m, { err: 0, base: 0, n: 0, up: 0, inside: 0, bounded: 0, lost: 0 }]),
  );
  const origins = originsOf(series, opts);
  let weekWins = 0;
  for (const now of origins) {
    let cut = 0;
    while (cut < series.t.length && series.t[cut]! <= now) cut++;
    const history: Series = {
      t: series.t.slice(0, cut),
      v: series.v.slice(0, cut),
      stepSeconds: series.stepSeconds,
    };
    const o = { horizonSeconds: opts.horizonSeconds, quantile: opts.quantile, now };
    const d = new Map(day(history, o).map((p) => [p.t, p.value]));
    const hasWeek = now - series.t[0]! >= WEEK_SECONDS * 1000;
    const w = hasWeek ? new Map(week(history, o).map((p) => [p.t, p.value])) : undefined;
    const forecasts = Object.entries(models).map(([name, model]) => ({
      name,
      points: new Map(model(history, o).map((p) => [p.t, p])),
    }));
    // The points every model and both baselines have a value for.
    const points: number[] = [];
    for (const [t, dv] of d) {
      if (!actualAt.has(t) || dv === undefined) continue;
      if (w && !w.has(t)) continue;
      if (forecasts.some((f) => !f.points.has(t))) continue;
      points.push(t);
    }
    if (points.length === 0) continue;
    const sumErr = (value: (t: number) => number) =>
      points.reduce((s, t) => s + Math.abs(value(t) - actualAt.get(t)!), 0);
    const dayErr = sumErr((t) => d.get(t)!);
    const weekErr = w ? sumErr((t) => w.get(t)!) : Number.POSITIVE_INFINITY;
    if (weekErr < dayErr) weekWins++;
    const base = Math.min(dayErr, weekErr);
    for (const f of forecasts) {
      const a = acc[f.name]!;
      let err = 0;
      for (const t of points) {
        const p = f.points.get(t)!;
        const y = actualAt.get(t)!;
        err += Math.abs(p.value - y);
        if (p.upper !== undefined && p.lower !== undefined) {
          a.bounded++;
          if (y <= p.upper) a.up++;
          if (y >= p.lower && y <= p.upper) a.inside++;
        }
      }
      a.err += err;
      a.base += base;
      a.n += points.length;
      if (err > base) a.lost++;
    }
  }
  return Object.fromEntries(
    Object.entries(acc).map(([name, a]) => [
      name,
      {
        ratio: a.base > 0 ? a.err / a.base : Number.NaN,
        mae: a.n > 0 ? a.err / a.n : Number.NaN,
        baselineMae: a.n > 0 ? a.base / a.n : Number.NaN,
        coverageUpper: a.bounded > 0 ? a.up / a.bounded : Number.NaN,
        coverageInterval: a.bounded > 0 ? a.inside / a.bounded : Number.NaN,
        points: a.n,
        origins: origins.length,
        weekBaselineOrigins: weekWins,
        lostOrigins: a.lost,
      },
    ]),
  );
}
