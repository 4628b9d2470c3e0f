import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceCsv } from '../../shared/adapters/metrics/csv.ts';
import { type EvaluatedModel, profileModel, seasonalNaive } from '../../shared/forecast/evaluate.ts';
import { skillVsNaive } from '../../shared/forecast/skill.ts';
import type { Series } from '../../shared/ports/metrics.ts';
import { TRACES } from '../helpers/example.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Three weeks of hourly counts: a daily shape, weekends at half the level (so naive-1-day is
 * wrong on Saturdays and Mondays and naive-7-day is not), and a little deterministic noise.
 */
function weekly(): Series {
  const t: number[] = [];
  const v: number[] = [];
  const start = Date.parse('2026-01-05T00:00:00Z'); // a Monday
  for (let i = 0; i < 21 * 24; i++) {
    const at = start + i * HOUR;
    const weekend = [0, 6].includes(new Date(at).getUTCDay());
    const shape = 100 + 50 * Math.sin((2 * Math.PI * (i % 24)) / 24);
    t.push(at);
    const noise = (Math.sin(i * 12.9898) * 43_758.5453) % 1; // deterministic, in (-1, 1)
    v.push(shape * (weekend ? 0.5 : 1) + 8 * noise);
  }
  return { t, v, stepSeconds: 3600 };
}

describe('Function: skillVsNaive', () => {
  const series = weekly();
  const opts = { horizonSeconds: 86_400, quantile: 0.95, origins: 10, warmupSeconds: 8 * 86_400 };

  it('scores a perfect forecast 0 and each naive alone at least 1 against the better of the two', () => {
    const actual = new Map(series.t.map((t, i) => [t, series.v[i]!]));
    const perfect: EvaluatedModel = (_h, o) =>
      series.t
        .filter((t) => t > o.now && t <= o.now + o.horizonSeconds * 1000)
        .map((t) => ({ t, value: actual.get(t)!, lower: actual.get(t)!, upper: actual.get(t)! }));
    const s = skillVsNaive(
      series,
      { perfect, day: seasonalNaive(86_400), week: seasonalNaive(7 * 86_400) },
      opts,
    );
    expect(s.perfect!.ratio).toBe(0);
    expect(s.perfect!.coverageUpper).toBe(1);
    expect(s.perfect!.lostOrigins).toBe(0);
    expect(s.day!.ratio).toBeGreaterThan(1);
    expect(s.week!.ratio).toBeGreaterThanOrEqual(1);
    // The baseline is chosen per origin: naive-7-day wins the origins whose next day is a
    // weekend day or a Monday, naive-1-day some of the others (the noise decides there).
    expect(s.week!.weekBaselineOrigins).toBeGreaterThan(0);
    expect(s.week!.weekBaselineOrigins).toBeLessThan(10);
    expect(s.day!.points).toBe(10 * 24);
  });

  it('beats the better naive and each naive alone on the weekly trace', () => {
    const s = skillVsNaive(series, { headroom: profileModel, week: seasonalNaive(7 * 86_400) }, opts);
    expect(s.headroom!.ratio).toBeLessThan(s.week!.ratio);
    expect(s.headroom!.ratio).toBeLessThan(1);
  });

  it('follows an event season: demand growing 2.5x a week does not leave the forecast behind', () => {
    // The derived trace of the bench: NYC taxi, growing from day 40 for three weeks, then holding.
    const taxi = readTraceCsv(path.join(TRACES, 'nab_realKnownCause_nyc_taxi.csv'));
    const t0 = taxi.t[0]!;
    const grown: Series = {
      ...taxi,
      v: taxi.v.map((v, i) => v * 2.5 ** Math.min(3, Math.max(0, (taxi.t[i]! - t0 - 40 * DAY) / (7 * DAY)))),
    };
    const s = skillVsNaive(
      grown,
      { headroom: profileModel },
      { horizonSeconds: 86_400, quantile: 0.95, origins: 20 },
    );
    // Measured 0.96 with 40 origins (main: 1.48); with these 20, main's forecaster scored 1.30.
    expect(s.headroom!.ratio).toBeLessThan(1.2);
    expect(s.headroom!.coverageUpper).toBeGreaterThan(0.9);
  });
});
