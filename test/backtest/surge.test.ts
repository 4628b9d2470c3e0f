import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinConfig } from '../../shared/backtest/builtin-config.ts';
import { parseCalendar } from '../../shared/backtest/calendar.ts';
import { parseSurge } from '../../shared/backtest/demand.ts';
import { runBacktest } from '../../shared/backtest/run.ts';
import { cutTrace, loadTrace } from '../../shared/backtest/trace.ts';
import { TRACES } from '../helpers/example.ts';

const START = '2014-11-20T23:00:00Z'; // a Thursday, 6 pm in New York
const FROM = Date.parse('2014-11-01T00:00:00Z');
const TO = Date.parse('2014-11-23T00:00:00Z');

describe('Acceptance: a 15x TV-ad surge over the NYC taxi trace, with the campaign in the calendar', () => {
  it('headroom has no under-provisioned minute in the window; reactive has several', async () => {
    const trace = loadTrace(path.join(TRACES, 'nab_realKnownCause_nyc_taxi.csv'));
    const config = builtinConfig(cutTrace(trace, FROM, TO), 'perStep');
    const calendar = parseCalendar(
      `- { name: tv-ad, start: "${START}", duration: 2h, multiplier: 15, targets: [api, nodes] }`,
      'calendar.yaml',
      config,
    );
    const r = await runBacktest({
      trace,
      config,
      calendar,
      from: FROM,
      to: TO,
      warmupSeconds: 14 * 86_400,
      surges: [parseSurge(`${START},2h,x15,2m`)],
    });
    const { report } = r;
    const first = (Date.parse(START) - report.minuteStart) / 60_000;
    const window = (name: 'reactive' | 'headroom') => {
      const u = report.series[name]!.unserved;
      let short = 0;
      for (let m = first; m < first + 120; m++) if (u[m]! > 0) short++;
      return short;
    };
    expect(window('headroom')).toBe(0);
    expect(window('reactive')).toBeGreaterThanOrEqual(3);
    // Demand really was 15x: the oracle needed about 15x the units of the hour before.
    const units = report.series.oracle!.units;
    expect(units[first + 30]! / units[first - 30]!).toBeGreaterThan(10);

    // It was the production brain that did it: the executor raised the HPA floor and the spare
    // nodes before the ad, for the campaign, and gave them back afterwards.
    const steps = report.headroom!.steps;
    const raises = steps.filter((s) => s.target === 'api' && /campaign tv-ad x15/.test(s.reason));
    expect(raises.length).toBeGreaterThan(0);
    expect(Date.parse(raises[0]!.at)).toBeLessThan(Date.parse(START));
    expect(raises.every((s) => 'minReplicas' in (s.after as object))).toBe(true);
    expect(steps.some((s) => s.target === 'nodes' && /campaign tv-ad/.test(s.reason))).toBe(true);
    const end = Date.parse(START) + 2 * 3600_000;
    const floorOf = (x: unknown) => (x as { minReplicas: number }).minReplicas;
    const released = steps.filter(
      (s) => s.target === 'api' && Date.parse(s.at) > end && floorOf(s.after) < floorOf(s.before),
    );
    expect(released.length).toBeGreaterThan(0);
    // Ready capacity was in place a minute before the surge began.
    const floorBefore = report.headroom!.floor[first - 1]!;
    expect(floorBefore).toBeGreaterThan(10 * report.demand[first - 1]!);
  });
});

describe('Acceptance: the same 15x surge with nothing in the calendar (the surge response)', () => {
  const trace = loadTrace(path.join(TRACES, 'nab_realKnownCause_nyc_taxi.csv'));
  const config = builtinConfig(cutTrace(trace, FROM, TO), 'perStep');
  const shortMinutes = (u: Float32Array, first: number) => {
    let short = 0;
    for (let m = first; m < first + 120; m++) if (u[m]! > 0) short++;
    return short;
  };

  it('raises pods and spare nodes one minute in: fewer short minutes than reactive, and says what it cost', async () => {
    const r = await runBacktest({
      trace,
      config,
      from: FROM,
      to: TO,
      warmupSeconds: 14 * 86_400,
      surges: [parseSurge(`${START},2h,x15,2m`)],
    });
    const { report, json } = r;
    const first = (Date.parse(START) - report.minuteStart) / 60_000;
    const reactive = shortMinutes(report.series.reactive!.unserved, first);
    const headroom = shortMinutes(report.series.headroom!.unserved, first);
    expect(reactive).toBeGreaterThanOrEqual(4);
    expect(headroom).toBeLessThan(reactive);
    // What it cost is in the scores: capacity paid for against the oracle's.
    expect(json.policies.headroom!.capacityUnitHours).toBeGreaterThan(0);
    expect(json.policies.headroom!.costVsOracle).toBeLessThan(1.2);

    // One step per layer a minute after the ad began, to the projected demand, not doubling.
    const steps = report.headroom!.steps.filter((s) => s.reason.startsWith('surge: observed'));
    const api = steps.filter((s) => s.target === 'api');
    expect(Date.parse(api[0]!.at)).toBe(Date.parse(START) + 60_000);
    const floorOf = (x: unknown) => (x as { minReplicas: number }).minReplicas;
    expect(floorOf(api[0]!.after)).toBeGreaterThan(10 * floorOf(api[0]!.before));
    expect(steps.some((s) => s.target === 'nodes' && /spare nodes for the growth/.test(s.reason))).toBe(true);
    // Released once the surge is over: the floor comes back down within the hour after.
    const end = Date.parse(START) + 2 * 3600_000;
    const after = report.headroom!.steps.filter(
      (s) => s.target === 'api' && Date.parse(s.at) > end && Date.parse(s.at) < end + 3600_000,
    );
    expect(floorOf(after[0]!.before)).toBeGreaterThan(200);
    expect(floorOf(after[after.length - 1]!.after)).toBeLessThan(30);
  });

  it('normal days do not trigger it: no surge step and no added cost without a surge', async () => {
    const run = (surge: boolean) =>
      runBacktest({
        trace,
        config: surge ? config : { ...config, surge: undefined },
        from: FROM,
        to: TO,
        warmupSeconds: 14 * 86_400,
        policies: ['headroom'],
      });
    const [on, off] = await Promise.all([run(true), run(false)]);
    expect(on.report.headroom!.steps.filter((s) => s.reason.startsWith('surge'))).toEqual([]);
    expect(on.json.policies.headroom!.capacityUnitHours).toBe(off.json.policies.headroom!.capacityUnitHours);
  });

  it('on the bursty NASA minutes it adds well under 2 % of cost and no short minute', async () => {
    const nasa = loadTrace(path.join(TRACES, 'nasa_kennedy_http_1995_per_minute.csv'));
    const from = Date.parse('1995-07-01T00:00:00Z');
    const to = Date.parse('1995-07-08T00:00:00Z');
    const nasaConfig = builtinConfig(cutTrace(nasa, from, to), 'perStep');
    const run = (surge: boolean) =>
      runBacktest({
        trace: nasa,
        config: surge ? nasaConfig : { ...nasaConfig, surge: undefined },
        from,
        to,
        policies: ['headroom'],
      });
    const on = (await run(true)).json.policies.headroom!;
    const off = (await run(false)).json.policies.headroom!;
    expect(on.capacityUnitHours / off.capacityUnitHours).toBeLessThan(1.02);
    expect(on.underProvisionedMinutes).toBeLessThanOrEqual(off.underProvisionedMinutes);
  });
});
