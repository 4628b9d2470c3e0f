import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinConfig } from '../../shared/backtest/builtin-config.ts';
import { parseCalendar } from '../../shared/backtest/calendar.ts';
import { parseSurge } from '../../shared/backtest/demand.ts';
import { runBacktest } from '../../shared/backtest/run.ts';
import { cutTrace, loadTrace } from '../../shared/backtest/trace.ts';
import {
  type CampaignOutcome,
  describeOutcome,
  emptyObservation,
  learntLines,
  observe,
  outcomeOf,
  suggestMultiplier,
} from '../../shared/campaigns/learning.ts';
import type { Campaign } from '../../shared/domain/types.ts';
import { TRACES } from '../helpers/example.ts';

const START = '2014-11-20T23:00:00Z';
const MIN = 60_000;
const ad: Campaign = {
  name: 'tv-ad',
  start: START,
  durationSeconds: 7200,
  multiplier: 15,
  targets: ['api', 'nodes'],
};

describe('Function: observe / outcomeOf', () => {
  it('learns the uplift against the forecast without the campaign, each layer’s readiness lead and the short minutes', () => {
    const t0 = Date.parse(START);
    let obs = emptyObservation({ ...ad, series: 'tv' });
    // Before the start: the floors are set; the nodes are ready 3 minutes early, api only at the start.
    obs = observe(obs, {
      now: t0 - 5 * MIN,
      intervalMinutes: 1,
      layers: { api: { floor: 40, ready: 4 }, nodes: { floor: 5, ready: 0 } },
    });
    obs = observe(obs, {
      now: t0 - 3 * MIN,
      intervalMinutes: 1,
      layers: { api: { floor: 40, ready: 20 }, nodes: { floor: 5, ready: 5 } },
    });
    // Inside: demand 12x the forecast, short for one minute while api catches up.
    obs = observe(obs, {
      now: t0,
      intervalMinutes: 1,
      demand: { observed: 120, expected: 10 },
      served: false,
      layers: { api: { ready: 40 }, nodes: { ready: 5 } },
    });
    obs = observe(obs, {
      now: t0 + MIN,
      intervalMinutes: 1,
      demand: { observed: 120, expected: 10 },
      served: true,
      layers: { api: { ready: 41 }, nodes: { ready: 5 } },
    });
    const o = outcomeOf(obs, t0 + 7200_000);
    expect(o).toMatchObject({
      campaign: 'tv-ad',
      series: 'tv',
      plannedMultiplier: 15,
      observedUplift: 12,
      shortMinutes: 1,
      layers: [
        { target: 'api', floor: 40, readyAt: START, leadSeconds: 0 },
        { target: 'nodes', floor: 5, readyAt: '2014-11-20T22:57:00Z', leadSeconds: 180 },
      ],
    });
    expect(describeOutcome(o)).toBe(
      'observed x12 (planned x15); ready: api 0s before, nodes 3m before; 1 short minute(s)',
    );
  });

  it('suggests the next multiplier of a series: the median uplift of its last three outcomes', () => {
    const o = (name: string, start: string, up: number): CampaignOutcome => ({
      campaign: name,
      series: 'tv',
      start,
      end: start,
      plannedMultiplier: 15,
      observedUplift: up,
      shortMinutes: 0,
      layers: [],
      recordedAt: start,
    });
    const outcomes = [
      o('ad-1', '2026-01-01T20:00:00Z', 30),
      o('ad-2', '2026-02-01T20:00:00Z', 8),
      o('ad-3', '2026-03-01T20:00:00Z', 11),
      o('ad-4', '2026-04-01T20:00:00Z', 40),
    ];
    expect(suggestMultiplier(outcomes, 'tv')).toEqual({
      multiplier: 11,
      from: ['ad-2', 'ad-3', 'ad-4'],
      reason: 'series tv: median observed uplift x11 of ad-2 x8, ad-3 x11, ad-4 x40',
    });
    expect(suggestMultiplier(outcomes, 'radio')).toBeUndefined();
    const next: Campaign = { ...ad, name: 'ad-5', start: '2026-05-01T20:00:00Z', series: 'tv' };
    expect(learntLines(next, outcomes)).toEqual([
      '  suggested multiplier x11 (planned x15): series tv: median observed uplift x11 of ad-2 x8, ad-3 x11, ad-4 x40',
    ]);
  });
});

describe('Acceptance: the brain learns from a 15x TV ad on the NYC taxi trace', () => {
  it('records the observed uplift, when api and the spare nodes were ready, and the short minutes, in the audit log', async () => {
    const trace = loadTrace(path.join(TRACES, 'nab_realKnownCause_nyc_taxi.csv'));
    const from = Date.parse('2014-11-01T00:00:00Z');
    const to = Date.parse('2014-11-22T00:00:00Z');
    const config = builtinConfig(cutTrace(trace, from, to), 'perStep');
    const calendar = parseCalendar(
      `- { name: tv-ad, start: "${START}", duration: 2h, multiplier: 15, targets: [api, nodes] }`,
      'calendar.yaml',
      config,
    );
    const r = await runBacktest({
      trace,
      config,
      calendar,
      from,
      to,
      warmupSeconds: 14 * 86_400,
      policies: ['headroom'],
      surges: [parseSurge(`${START},2h,x15,2m`)],
    });
    const outcomes = r.report.headroom!.outcomes;
    expect(outcomes).toHaveLength(1);
    const [{ at, reason, outcome }] = outcomes as [{ at: string; reason: string; outcome: CampaignOutcome }];
    // Recorded by the first reconcile after the end.
    expect(at).toBe('2014-11-21T01:00:00Z');
    expect(reason).toBe(`campaign tv-ad ended: ${describeOutcome(outcome)}`);
    // The surge really was 15x the forecast without it (the 2-minute ramp and the forecast's own error aside).
    expect(outcome.observedUplift).toBeGreaterThan(11);
    expect(outcome.observedUplift).toBeLessThan(18);
    expect(outcome.plannedMultiplier).toBe(15);
    expect(outcome.shortMinutes).toBe(0);
    const lead = Object.fromEntries(outcome.layers.map((l) => [l.target, l.leadSeconds]));
    expect(lead.api).toBeGreaterThan(0);
    expect(lead.nodes).toBeGreaterThan(0);
  });
});
