import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceCsv, sliceSeries } from '../../shared/adapters/metrics/csv.ts';
import { forecastSeries, historyGrid } from '../../shared/forecast/forecaster.ts';
import { summariseHistory } from '../../shared/forecast/format.ts';
import type { Series } from '../../shared/ports/metrics.ts';
import { TRACES } from '../helpers/example.ts';

const trace = (file: string) => readTraceCsv(path.join(TRACES, file));
const DAY = 86_400_000;

/** Pearson correlation of two equally long arrays. */
function corr(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('Function: forecastSeries', () => {
  it('finds the daily and weekly cycle of the NYC taxi trace and forecasts a Sunday like last Sunday', () => {
    const taxi = trace('nab_realKnownCause_nyc_taxi.csv');
    // Saturday 2014-10-11 00:00Z: the next day is a Sunday (NYC local time is UTC-4 then).
    const now = Date.parse('2014-10-11T23:30:00Z');
    const f = forecastSeries(taxi, { horizonSeconds: 86_400, quantile: 0.95, now });
    expect(f.seasonality).toEqual([86_400, 604_800]);
    expect(f.stepSeconds).toBe(1800);
    expect(f.points.length).toBe(48);
    expect(f.points[0]!.t).toBe(now + 1800_000);
    const values = f.points.map((p) => p.value);
    // A visible daily shape: the night trough is a fraction of the evening peak.
    expect(Math.max(...values) / Math.min(...values)).toBeGreaterThan(3);
    // A visible weekly shape: closer to the Sunday a week before than to the Saturday just seen.
    const at = (t: number) => taxi.v[taxi.t.indexOf(t)]!;
    const lastSunday = f.points.map((p) => at(p.t - 7 * DAY));
    const yesterday = f.points.map((p) => at(p.t - DAY));
    expect(corr(values, lastSunday)).toBeGreaterThan(corr(values, yesterday));
    // And it was right: the real Sunday is closer to the forecast than to Saturday.
    const actual = f.points.map((p) => at(p.t));
    const mae = (xs: number[]) => xs.reduce((s, x, i) => s + Math.abs(x - actual[i]!), 0) / xs.length;
    expect(mae(values)).toBeLessThan(mae(yesterday));
  });

  it('keeps the interval ordered and wider for a higher quantile', () => {
    const nasa = trace('nasa_kennedy_http_1995_per_minute.csv');
    const now = Date.parse('1995-07-20T15:00:00Z');
    const f95 = forecastSeries(nasa, { horizonSeconds: 7200, quantile: 0.95, now });
    const f99 = forecastSeries(nasa, { horizonSeconds: 7200, quantile: 0.99, now });
    expect(f95.points.length).toBe(120);
    for (let i = 0; i < f95.points.length; i++) {
      const p = f95.points[i]!;
      expect(p.lower).toBeLessThanOrEqual(p.value);
      expect(p.value).toBeLessThanOrEqual(p.upper);
      expect(p.lower).toBeGreaterThanOrEqual(0);
      expect(f99.points[i]!.upper).toBeGreaterThan(p.upper);
    }
  });

  it('treats the multi-day gaps of the NASA trace as missing, not as zero traffic', () => {
    const nasa = trace('nasa_kennedy_http_1995_per_minute.csv');
    // The day after the hurricane outage (08-01 18:52Z -> 08-03 08:36Z, after which traffic took
    // until 15:00Z to return), with the 3.4-day July log gap before it: a third of the last week is missing.
    const now = Date.parse('1995-08-04T12:00:00Z');
    const summary = summariseHistory(nasa, now);
    expect(summary.longestGapSeconds).toBeGreaterThan(3 * 86_400);
    // On the model's grid the gap slots are missing (NaN), and only real rows count as history.
    const grid = historyGrid(nasa, { now, historySeconds: 7 * 86_400 });
    const rows = sliceSeries(nasa, now - 7 * DAY + 1, now).t.length;
    expect(grid.observed).toBe(rows);
    expect(grid.v.filter((v) => Number.isNaN(v)).length).toBeGreaterThan(4000);
    expect(grid.v.filter((v) => v === 0).length).toBe(
      sliceSeries(nasa, now - 7 * DAY + 1, now).v.filter((v) => v === 0).length,
    );
    const f = forecastSeries(nasa, { horizonSeconds: 7200, quantile: 0.95, now });
    expect(f.historyPoints).toBe(sliceSeries(nasa, now - 56 * DAY + 1, now).t.length);
    const actual = sliceSeries(nasa, now + 1, now + 7200_000);
    const meanActual = actual.v.reduce((s, v) => s + v, 0) / actual.v.length;
    const meanForecast = f.points.reduce((s, p) => s + p.value, 0) / f.points.length;
    // Zero-filled gaps would drag the profile towards 0; the forecast stays at the real level.
    expect(meanForecast).toBeGreaterThan(0.6 * meanActual);
    expect(meanForecast).toBeLessThan(1.6 * meanActual);
  });

  it('finds no daily cycle in the noisy ELB request count and still forecasts its level', () => {
    const elb = trace('nab_realAWSCloudwatch_elb_request_count_8c0756.csv');
    const f = forecastSeries(elb, { horizonSeconds: 7200, quantile: 0.95 });
    expect(f.seasonality).toEqual([]);
    expect(f.points.length).toBe(24);
    const median = [...elb.v].sort((a, b) => a - b)[elb.v.length >> 1]!;
    expect(f.points[0]!.value).toBeGreaterThan(median / 3);
    expect(f.points[0]!.value).toBeLessThan(median * 3);
  });

  it('leaves excluded windows out: a surge there does not lift the forecast', () => {
    const taxi = trace('nab_realKnownCause_nyc_taxi.csv');
    const now = Date.parse('2014-10-11T23:30:00Z');
    // A weekly campaign, one and two weeks ago, tripled the demand for six hours (twice, so
    // that even a median of weeks would copy it).
    const surgeFrom = now + 1800_000 - 7 * DAY + 12 * 3600_000;
    const surgeTo = surgeFrom + 6 * 3600_000;
    const windows = [0, 7 * DAY].map((back) => ({ from: surgeFrom - back, to: surgeTo - back }));
    const surged: Series = {
      ...taxi,
      v: taxi.v.map((v, i) => (windows.some((w) => taxi.t[i]! >= w.from && taxi.t[i]! < w.to) ? v * 3 : v)),
    };
    const opts = { horizonSeconds: 86_400, quantile: 0.95, now };
    const clean = forecastSeries(taxi, opts);
    const polluted = forecastSeries(surged, opts);
    const excluded = forecastSeries(surged, { ...opts, exclude: windows });
    const inWindow = (f: typeof clean) =>
      f.points
        .filter((p) => p.t - 7 * DAY >= surgeFrom && p.t - 7 * DAY < surgeTo)
        .reduce((s, p) => s + p.value, 0);
    expect(inWindow(polluted)).toBeGreaterThan(1.3 * inWindow(clean));
    expect(inWindow(excluded)).toBeLessThan(1.15 * inWindow(clean));
  });

  it('refuses what it cannot fit with a clear reason', () => {
    const short: Series = { t: [0, 60_000, 120_000], v: [1, 2, 3], stepSeconds: 60 };
    expect(() => forecastSeries(short, { horizonSeconds: 3600, quantile: 0.95 })).toThrow(
      'not enough history: 3 points, at least 12 needed',
    );
    const nasa = trace('nasa_kennedy_http_1995_per_minute.csv');
    expect(() => forecastSeries(nasa, { horizonSeconds: 3600, quantile: 1.5 })).toThrow(
      'quantile must be in (0, 1)',
    );
    expect(() => forecastSeries(nasa, { horizonSeconds: 0, quantile: 0.9 })).toThrow(
      'horizon must be positive',
    );
  });
});
