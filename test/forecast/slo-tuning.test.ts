import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceCsv } from '../../shared/adapters/metrics/csv.ts';
import { Brain } from '../../shared/app/brain.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/domain/errors.ts';
import { fitForecaster, historyGrid } from '../../shared/forecast/forecaster.ts';
import { predictiveIntents } from '../../shared/forecast/predictive.ts';
import { ForecastDemandProvider } from '../../shared/forecast/provider.ts';
import { choose, type SloTarget, tuneQuantile } from '../../shared/forecast/slo-tuning.ts';
import { planJson } from '../../shared/planner/format.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';
import { TRACES } from '../helpers/example.ts';
import { NASA, TraceSource } from './helpers.ts';

const SASKATCHEWAN = path.join(TRACES, 'saskatchewan_http_1995_hourly.csv');
const DAY = 86_400_000;
/** NASA's per-minute counts: 0.2 requests/s per pod at 70 % (a handful to a few dozen pods). */
const API: SloTarget = { perUnit: 0.2, targetUtilization: 0.7, min: 2, max: 80, decisionSeconds: 150 };

function setup(file: string, now: number, days = 14) {
  const series = readTraceCsv(file);
  // The rows complete by now (the row stamped now is still being counted).
  const grid = historyGrid(series, { now: now - 1, historySeconds: days * 86_400 });
  const fitted = fitForecaster(grid, 600, 210);
  return { grid, fitted, perSecond: (v: number) => v / grid.stepSeconds };
}

describe('Function: tuneQuantile', () => {
  it("on NASA's bursty minutes picks the cheapest quantile that meets the SLO; floors off would be short", () => {
    const input = setup(NASA, Date.parse('1995-07-22T04:00:00Z'));
    const choice = tuneQuantile({
      ...input,
      target: API,
      slo: { maxShortMinutesPercent: 0.5 },
      fallbackQuantile: 0.8,
      evaluationSeconds: 3 * 86_400,
    });
    expect(choice.fallback).toBe(false);
    expect(choice.minutes).toBe(3 * 1440);
    expect(choice.from).toBe('1995-07-19T04:00:00Z');
    const off = choice.curve.find((p) => p.quantile === null)!;
    // The reactive HPA alone is short in bursts far more often than the SLO allows.
    expect(off.shortMinutesPercent).toBeGreaterThan(1);
    expect(choice.quantile).not.toBeNull();
    expect(choice.predicted!.shortMinutesPercent).toBeLessThanOrEqual(0.5);
    // Every cheaper point misses the SLO: the choice is the cheapest that meets it.
    for (const p of choice.curve)
      if (p.costVsOracle < choice.predicted!.costVsOracle) expect(p.shortMinutesPercent).toBeGreaterThan(0.5);
    // Higher quantiles buy fewer short minutes by paying more.
    const floors = choice.curve.filter((p) => p.quantile !== null);
    for (let i = 1; i < floors.length; i++) {
      expect(floors[i]!.costVsOracle).toBeGreaterThan(floors[i - 1]!.costVsOracle);
      expect(floors[i]!.shortMinutesPercent).toBeLessThanOrEqual(floors[i - 1]!.shortMinutesPercent);
    }
    expect(choice.reason).toMatch(
      /^p\d+: 0\.\d+% short at 1\.\d\dx the oracle, the cheapest meeting the SLO 0\.5% short$/,
    );
  });

  it('where the autoscaler keeps up with a smooth hourly trace, chooses no floors: they would only cost', () => {
    const input = setup(SASKATCHEWAN, Date.parse('1995-12-01T00:00:00Z'));
    const choice = tuneQuantile({
      ...input,
      // Sized as the built-in service: the busiest hours need about 20 pods.
      target: { perUnit: 0.0286, targetUtilization: 0.7, min: 2, max: 1000, decisionSeconds: 150 },
      slo: { maxShortMinutesPercent: 0.1 },
      fallbackQuantile: 0.8,
    });
    expect(choice.quantile).toBeNull();
    expect(choice.predicted).toEqual(choice.curve[0]);
    expect(choice.predicted!.shortMinutesPercent).toBe(0);
    for (const p of choice.curve.slice(1))
      expect(p.costVsOracle).toBeGreaterThan(choice.predicted!.costVsOracle);
    expect(choice.reason).toContain('no floors: 0% short');
  });

  it('scores each day once: a choice a day later reuses the earlier days and matches scoring them all again', () => {
    const day1 = setup(NASA, Date.parse('1995-07-22T04:00:00Z'), 60);
    const day2 = setup(NASA, Date.parse('1995-07-23T04:00:00Z'), 60);
    const base = {
      target: API,
      slo: { maxShortMinutesPercent: 0.5 },
      fallbackQuantile: 0.8,
      evaluationSeconds: 3 * 86_400,
    };
    const first = tuneQuantile({ ...day1, ...base });
    expect(first.tallies.map((t) => new Date(t.from).toISOString())).toEqual([
      '1995-07-19T04:00:00.000Z',
      '1995-07-20T04:00:00.000Z',
      '1995-07-21T04:00:00.000Z',
    ]);
    // The same model a day later: the two newest days are reused, one day is scored.
    const reused = tuneQuantile({ ...day2, fitted: day1.fitted, ...base, tallies: first.tallies });
    expect(reused.tallies.slice(0, 2)).toEqual(first.tallies.slice(1));
    const fresh = tuneQuantile({ ...day2, fitted: day1.fitted, ...base });
    expect(reused.curve).toEqual(fresh.curve);
    expect(reused.from).toBe('1995-07-20T04:00:00Z');
  });

  it('falls back to the configured quantile, saying why, while the history is shorter than two days', () => {
    const input = setup(NASA, Date.parse('1995-07-22T04:00:00Z'), 1);
    const choice = tuneQuantile({
      ...input,
      target: API,
      slo: { maxShortMinutesPercent: 0.5 },
      fallbackQuantile: 0.8,
    });
    expect(choice).toMatchObject({ quantile: 0.8, fallback: true, curve: [], minutes: 0 });
    expect(choice.reason).toBe(
      'history too short for the SLO self-backtest (24 h of the 48 h needed): the configured p80 until it is',
    );
  });
});

describe('Function: choose', () => {
  const curve = [
    { quantile: null, shortMinutesPercent: 3, costVsOracle: 1.1 },
    { quantile: 0.8, shortMinutesPercent: 0.9, costVsOracle: 1.3 },
    { quantile: 0.9, shortMinutesPercent: 0.4, costVsOracle: 1.5 },
  ];

  it('keeps within the cost cap: none meeting the SLO there, the fewest short minutes within it', () => {
    expect(choose(curve, { maxShortMinutesPercent: 0.5 }).quantile).toBe(0.9);
    const capped = choose(curve, { maxShortMinutesPercent: 0.5, maxCostVsOracle: 1.4 });
    expect(capped.quantile).toBe(0.8);
    expect(capped.reason).toBe(
      'p80: 0.9% short at 1.30x the oracle: none meets the SLO 0.5% short within 1.4x the oracle, the fewest short minutes',
    );
    // A cap nothing meets: the fewest short minutes of all.
    expect(choose(curve, { maxShortMinutesPercent: 0.5, maxCostVsOracle: 1 }).quantile).toBe(0.9);
  });
});

const YAML = `version: 1
clusters:
  prod: { kubeconfig: { context: prod } }
targets:
  api:
    kind: k8s-hpa
    cluster: prod
    namespace: web
    name: api
    bounds: { min: 2, max: 80 }
    capacity: { signal: traffic, perUnit: PER_UNIT, targetUtilization: 0.7 }
    leadTime: 90s
signals:
  traffic: { source: csv, file: FILE, unit: perStep }
predictive:
  - { target: api, signal: traffic, horizon: 10m, quantile: 0.95, slo: SLO }
`;
const config = (file: string, perUnit: number, slo = '{ maxShortMinutesPercent: 0.5 }') =>
  parseConfig(
    YAML.replace('FILE', JSON.stringify(file)).replace('PER_UNIT', String(perUnit)).replace('SLO', slo),
    'slo.yaml',
  );

describe('Function: ForecastDemandProvider with an SLO', () => {
  it('floors follow the quantile the SLO chose, chosen again once a day, not every reconcile', async () => {
    const c = config(NASA, 0.2);
    const provider = new ForecastDemandProvider({ metrics: new TraceSource() });
    const now = Date.parse('1995-07-20T15:00:00Z');
    const view = (await provider.demand(c, new Date(now), new Date(now + 600_000))).traffic!;
    const decision = view.slo!.api!;
    expect(decision.fallback).toBe(false);
    expect(decision.quantile).toBeGreaterThan(0.5);
    expect(decision.quantile).toBeLessThan(0.95);
    expect(decision.predicted!.shortMinutesPercent).toBeLessThanOrEqual(0.5);
    expect(view.upperByQuantile![String(decision.quantile)]).toHaveLength(view.points.length);
    const intents = predictiveIntents(c, { traffic: view }, new Date(now));
    expect(intents.length).toBeGreaterThan(0);
    const label = `p${Math.round(decision.quantile! * 100)}`;
    for (const i of intents) {
      expect(i.reason).toContain(`forecast traffic ${label} `);
      expect(i.reason).toMatch(/, chosen for the SLO \(predicted 0\.\d+% short at 1\.\d\dx the oracle\)$/);
    }
    // An hour of reconciles later the choice stands; a day later it is made again.
    const later = (await provider.demand(c, new Date(now + 3600_000), new Date(now + 3600_000 + 600_000)))
      .traffic!;
    expect(later.slo!.api!.at).toBe(decision.at);
    const tomorrow = (await provider.demand(c, new Date(now + DAY), new Date(now + DAY + 600_000))).traffic!;
    expect(tomorrow.slo!.api!.at).toBe('1995-07-21T15:00:00Z');
  });

  it('sets no floors where the SLO is met without them', async () => {
    const c = config(SASKATCHEWAN, 0.0286);
    const provider = new ForecastDemandProvider({ metrics: new TraceSource(SASKATCHEWAN) });
    const now = new Date('1995-12-01T00:00:00Z');
    const views = await provider.demand(c, now, new Date(now.getTime() + 600_000));
    expect(views.traffic!.slo!.api).toMatchObject({ quantile: null, fallback: false });
    // One intent at 0 (it changes nothing) says why the forecast sets no floor.
    expect(predictiveIntents(c, views, now)).toEqual([
      expect.objectContaining({
        target: 'api',
        floor: 0,
        from: '1995-12-01T00:00:00Z',
        until: '1995-12-01T00:10:00Z',
        reason: expect.stringMatching(
          /^forecast traffic: the SLO \(0\.5% of minutes short\) is met without floors \(predicted 0% short at 0\.\d\dx the oracle\)$/,
        ),
      }),
    ]);
  });
});

describe('Config: predictive slo', () => {
  it.each([
    ['{ maxShortMinutesPercent: -1 }', 'predictive[0].slo.maxShortMinutesPercent: '],
    ['{ maxShortMinutesPercent: 1, maxCostVsOracle: 0.5 }', 'predictive[0].slo.maxCostVsOracle: '],
    ['{ maxShortMinutes: 1 }', 'predictive[0].slo: '],
  ])('refuses slo %s, naming the field', (slo, expected) => {
    let problems: string[] = [];
    try {
      config(NASA, 0.2, slo);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(
      problems.some((p) => p.startsWith(expected)),
      problems.join('\n'),
    ).toBe(true);
  });
});

describe('Brain.plan with an SLO', () => {
  it("says which quantile the SLO chose, or that it needs no floors, in the target's reasons", async () => {
    const cases = [
      { c: config(NASA, 0.2), source: new TraceSource(), at: Date.parse('1995-07-20T15:00:00Z') },
      {
        c: config(SASKATCHEWAN, 0.0286),
        source: new TraceSource(SASKATCHEWAN),
        at: Date.parse('1995-12-01T00:00:00Z'),
      },
    ];
    const reasons: string[][] = [];
    for (const { c, source, at } of cases) {
      const clock = new ManualClock(at);
      const brain = new Brain({
        config: c,
        repo: new Repo(new MemoryStateStore()),
        actuators: new SimCloud(c, { clock }).registry,
        clock,
        notifier: new MemoryNotifier(),
        demand: new ForecastDemandProvider({ metrics: source }),
        predictive: predictiveIntents,
        owner: 'test',
      });
      const plan = planJson(await brain.plan(new Date(at)));
      reasons.push(plan.targets.find((t) => t.id === 'api')!.reasons);
    }
    expect(reasons[0]!.join('\n')).toMatch(
      /forecast traffic p\d+ .*, chosen for the SLO \(predicted 0\.\d+% short/,
    );
    expect(reasons[1]!.join('\n')).toMatch(
      /forecast traffic: the SLO \(0\.5% of minutes short\) is met without floors \(predicted 0% short at 0\.\d\dx the oracle\) \(within the floor 2\)/,
    );
  });
});
