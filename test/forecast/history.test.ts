import { describe, expect, it } from 'vitest';
import { sliceSeries } from '../../shared/adapters/metrics/csv.ts';
import { fitForecaster, historyGrid, predict } from '../../shared/forecast/forecaster.ts';
import { ForecastHistory } from '../../shared/forecast/history.ts';
import { decisionHorizonFor, ForecastDemandProvider } from '../../shared/forecast/provider.ts';
import { nasaConfig, TraceSource } from './helpers.ts';

const MIN = 60_000;
const HOUR = 3600_000;
const DAY = 86_400_000;

describe('Class: ForecastHistory', () => {
  it('keeps the same grid as one rebuilt from the rows: gaps, dropped rows, revisions, exclusions', () => {
    const source = new TraceSource();
    const history = new ForecastHistory({
      anchor: source.series.t[0]!,
      stepSeconds: 60,
      windowSlots: 2 * 1440,
    });
    // Across the July log gap (07-28 17:33Z to 08-01 04:00Z), a minute at a time.
    const start = Date.parse('1995-07-27T00:00:00Z');
    const initial = sliceSeries(source.series, start - 2 * DAY, start - MIN);
    initial.t.forEach((t, k) => {
      history.put(t, initial.v[k]!);
    });
    const exclude = [{ from: start + 5 * HOUR, to: start + 7 * HOUR }];
    for (let now = start; now < start + 6 * DAY; now += 17 * MIN) {
      // A source revises its latest rows: re-read from five minutes before the newest row.
      const from = Math.max(now - 2 * DAY, (history.lastRowTime ?? 0) - 5 * MIN);
      history.truncateFrom(from);
      history.dropBefore(now - 2 * DAY);
      const fresh = sliceSeries(source.series, from, now - MIN);
      fresh.t.forEach((t, k) => {
        history.put(t, fresh.v[k]!);
      });
      const windows = exclude.filter((w) => w.from < now);
      history.setExclusions(windows);
      const rows = sliceSeries(source.series, now - 2 * DAY, now - MIN);
      const expected = historyGrid(rows, { now, historySeconds: 2 * 86_400, exclude: windows });
      const got = history.grid();
      expect(got.start).toBe(expected.start);
      expect(got.observed).toBe(expected.observed);
      expect(got.last).toBe(expected.last);
      expect(Array.from(got.v)).toEqual(Array.from(expected.v));
    }
  });

  it('serves every refresh a forecast equal to one rebuilt from scratch, at O(horizon) cost', async () => {
    const config = nasaConfig();
    const source = new TraceSource();
    const days = 2;
    // Refreshed every reconcile (the default), the model chosen once (and again when a campaign is excluded).
    const provider = new ForecastDemandProvider({
      metrics: source,
      historySeconds: days * 86_400,
      reselectSeconds: 10 * 86_400,
    });
    const start = Date.parse('1995-07-27T12:00:00Z');
    const campaign = { from: start + 2 * HOUR, to: start + 3 * HOUR };
    let reference: ReturnType<typeof fitForecaster> | undefined;
    let fits = 0;
    // Three days: past the start of the July gap, and past the point where the kept history compacts.
    for (let now = start; now < start + 3 * DAY; now += MIN) {
      const exclude = now > campaign.from ? [campaign] : [];
      const view = (await provider.demand(config, new Date(now), new Date(now + 2 * HOUR), { exclude }))
        .traffic;
      const refit = provider.stats.fits > fits;
      // Compared every seventh minute (and at each refit): rebuilding the grid is what is slow.
      if (!refit && (now - start) % (7 * MIN) !== 0) continue;
      const rows = sliceSeries(source.series, now - days * DAY, now - MIN);
      const grid = historyGrid(rows, { now, historySeconds: days * 86_400, exclude });
      if (refit) {
        reference = fitForecaster(grid, 7200, decisionHorizonFor(config, 'traffic'));
        fits = provider.stats.fits;
      }
      if (!view || !reference) continue;
      const expected = predict(reference, ForecastHistory.fromGrid(grid), now, 7200 + 60, 0.95);
      expect(view.points.length).toBe(expected.length);
      view.points.forEach((p, k) => {
        expect(p.t).toBe(expected[k]!.t);
        expect(p.upper).toBeCloseTo(expected[k]!.upper / 60, 9);
        expect(p.value).toBeCloseTo(expected[k]!.value / 60, 9);
      });
    }
    expect(provider.stats.fits).toBe(2);
    expect(provider.stats.refreshes).toBe(3 * 1440);
    // After the first read, each refresh asked the source for the new minute and a few revised
    // ones (until the gap, where it asks again from the last row it has).
    const spans = source.queries.slice(1, 1000).map((q) => (q.to.getTime() - q.from.getTime()) / MIN);
    expect(Math.max(...spans)).toBeLessThanOrEqual(7);
  });
});
