import { describe, expect, it } from 'vitest';
import { MetricSourceError } from '../../shared/adapters/metrics/errors.ts';
import { fitForecaster, historyGrid, predict } from '../../shared/forecast/forecaster.ts';
import { ForecastHistory } from '../../shared/forecast/history.ts';
import { decisionHorizonFor, ForecastDemandProvider } from '../../shared/forecast/provider.ts';
import { recordingLogger } from '../helpers/logger.ts';
import { nasaConfig, TraceSource } from './helpers.ts';

const NOW = Date.parse('1995-07-20T15:00:00Z');
const MIN = 60_000;

describe('Function: ForecastDemandProvider', () => {
  it('turns per-step history into per-second demand with the configured quantiles', async () => {
    const config = nasaConfig({ quantiles: [0.95, 0.8] });
    const source = new TraceSource();
    const provider = new ForecastDemandProvider({ metrics: source });
    const views = await provider.demand(config, new Date(NOW), new Date(NOW + 2 * 3600_000));
    const view = views.traffic!;
    expect(view.stepSeconds).toBe(60);
    expect(view.quantile).toBe(0.95);
    // The same forecast as the pure forecaster on the same 14 days (its variant chosen where the
    // floors are decided, 90 s lead + 60 s margin + a reconcile ahead), divided by 60 s per step.
    const history = {
      t: source.series.t.filter((t) => t <= NOW - MIN),
      v: source.series.v.filter((_, i) => source.series.t[i]! <= NOW - MIN),
      stepSeconds: 60,
    };
    const grid = historyGrid(history, { now: NOW, historySeconds: 14 * 86_400 });
    const fitted = fitForecaster(grid, 7200, decisionHorizonFor(config, 'traffic'));
    const direct = { points: predict(fitted, ForecastHistory.fromGrid(grid), NOW, 7200, 0.95) };
    const first = view.points.find((p) => p.t === direct.points[0]!.t)!;
    expect(first.value).toBeCloseTo(direct.points[0]!.value / 60, 6);
    expect(first.upper).toBeCloseTo(direct.points[0]!.upper / 60, 6);
    // The lower quantile of the second predictive entry rides along, below the p95 bound.
    const p80 = view.upperByQuantile!['0.8']!;
    expect(p80.length).toBe(view.points.length);
    view.points.forEach((p, i) => {
      expect(p80[i]).toBeLessThanOrEqual(p.upper);
    });
    // The interval that holds now is forecast too (its row is not complete yet).
    expect(view.points[0]!.t).toBe(NOW);
    expect(view.points.at(-1)!.t).toBeGreaterThanOrEqual(NOW + 2 * 3600_000);
    expect(view.observedPerSecond).toBeCloseTo(source.series.v[source.series.t.indexOf(NOW - MIN)]! / 60, 6);
  });

  it('serves the cache between refreshes, reads only new rows on refresh, and refits rarely', async () => {
    const config = nasaConfig();
    const source = new TraceSource();
    const provider = new ForecastDemandProvider({
      metrics: source,
      refitSeconds: 900,
      reselectSeconds: 6 * 3600,
    });
    // A reconcile every minute for eight hours.
    for (let t = NOW; t < NOW + 8 * 3600_000; t += MIN)
      await provider.demand(config, new Date(t), new Date(t + 2 * 3600_000));
    expect(provider.stats.refreshes).toBe(8 * 4);
    expect(provider.stats.reads).toBe(8 * 4);
    expect(provider.stats.fits).toBe(2);
    // The first read fetches 14 days, every later one a few minutes more than the 15 new ones.
    const spans = source.queries.map((q) => (q.to.getTime() - q.from.getTime()) / MIN);
    expect(spans[0]).toBe(14 * 1440);
    for (const s of spans.slice(1)) expect(s).toBeLessThanOrEqual(25);
  });

  it('never uses rows from after now, even from a source that returns them', async () => {
    const config = nasaConfig();
    const honest = new TraceSource();
    const leaky = new TraceSource();
    leaky.leakFuture = true;
    const a = await new ForecastDemandProvider({ metrics: honest }).demand(
      config,
      new Date(NOW),
      new Date(NOW + 3600_000),
    );
    const b = await new ForecastDemandProvider({ metrics: leaky }).demand(
      config,
      new Date(NOW),
      new Date(NOW + 3600_000),
    );
    expect(b.traffic!.points).toEqual(a.traffic!.points);
    expect(b.traffic!.observedPerSecond).toBe(a.traffic!.observedPerSecond);
  });

  it('refits when a campaign window starts to be excluded from the history', async () => {
    const config = nasaConfig();
    const provider = new ForecastDemandProvider({ metrics: new TraceSource() });
    await provider.demand(config, new Date(NOW), new Date(NOW + 3600_000));
    const surge = { from: NOW - 3 * 3600_000, to: NOW - 3600_000 };
    const views = await provider.demand(config, new Date(NOW + MIN), new Date(NOW + 3600_000), {
      exclude: [surge],
    });
    expect(provider.stats.fits).toBe(2);
    // A forecast for the coming hour, from the history without the surge.
    expect(views.traffic?.points.at(-1)?.t).toBeGreaterThanOrEqual(NOW + 3600_000);
    // A window that has not started yet changes nothing: the next minute is a routine refresh
    // with the same model, not a refit.
    await provider.demand(config, new Date(NOW + 2 * MIN), new Date(NOW + 3600_000), {
      exclude: [surge, { from: NOW + 86_400_000, to: NOW + 90_000_000 }],
    });
    expect(provider.stats.fits).toBe(2);
    expect(provider.stats.refreshes).toBe(3);
  });

  it('leaves a failing signal out, says so once, keeps trying and says when it is back', async () => {
    const config = nasaConfig();
    const source = new TraceSource();
    source.failWith = new MetricSourceError('signals.traffic: CloudWatch returned Forbidden');
    const { lines, logger } = recordingLogger();
    const provider = new ForecastDemandProvider({ metrics: source, logger });
    for (let t = NOW; t < NOW + 5 * MIN; t += MIN) {
      expect(await provider.demand(config, new Date(t), new Date(t + 3600_000))).toEqual({});
    }
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'forecast for signal traffic unavailable: signals.traffic: CloudWatch returned Forbidden',
      },
    ]);
    // Retried once a minute, not on every call.
    expect(source.queries.length).toBe(5);
    source.failWith = undefined;
    const views = await provider.demand(config, new Date(NOW + 6 * MIN), new Date(NOW + 3600_000));
    expect(views.traffic?.points.at(-1)?.t).toBeGreaterThanOrEqual(NOW + 3600_000);
    expect(lines.at(-1)).toEqual({ level: 'info', message: 'forecast for signal traffic available again' });
  });
});

describe('Function: decisionHorizonFor', () => {
  it('is the longest lead time plus margin of the predictive targets plus one reconcile, within the horizon', () => {
    // api: 90 s lead + 60 s margin; readers: 20 min lead + 2 min margin (10 %); reconcile 60 s.
    expect(decisionHorizonFor(nasaConfig(), 'traffic')).toBe(90 + 60 + 60);
    expect(decisionHorizonFor(nasaConfig({ quantiles: [0.95, 0.8] }), 'traffic')).toBe(1200 + 120 + 60);
    expect(decisionHorizonFor(nasaConfig(), 'nothing')).toBeUndefined();
  });
});
