import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinConfigYaml } from '../../shared/backtest/builtin-config.ts';
import { parseCalendar } from '../../shared/backtest/calendar.ts';
import { parseSurge } from '../../shared/backtest/demand.ts';
import { runBacktest } from '../../shared/backtest/run.ts';
import { cutTrace, loadTrace } from '../../shared/backtest/trace.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { TRACES } from '../helpers/example.ts';

const START = '2014-11-20T23:00:00Z';
const FROM = Date.parse('2014-11-01T00:00:00Z');
const TO = Date.parse('2014-11-23T00:00:00Z');

describe('Backtest: a 15x surge with a capacity-buffer and a static NodePool instead of placeholder pods', () => {
  it('raises the buffer and the static pool before the ad, serves every minute, and gives both back', async () => {
    const trace = loadTrace(path.join(TRACES, 'nab_realKnownCause_nyc_taxi.csv'));
    const yaml = builtinConfigYaml(cutTrace(trace, FROM, TO), 'perStep')
      .replace('kind: karpenter-headroom', 'kind: capacity-buffer')
      .replace(
        'predictive:',
        `  reserved:
    kind: karpenter-static-nodepool
    cluster: backtest
    nodePool: reserved
    bounds: { min: 1, max: 8 }
predictive:`,
      );
    const config = parseConfig(yaml, 'primitives.yaml');
    const calendar = parseCalendar(
      `- { name: tv-ad, start: "${START}", duration: 2h, multiplier: 15, targets: [api, nodes, reserved], floors: { reserved: 4 } }`,
      'calendar.yaml',
      config,
    );
    const { report } = await runBacktest({
      trace,
      config,
      calendar,
      from: FROM,
      to: TO,
      warmupSeconds: 14 * 86_400,
      surges: [parseSurge(`${START},2h,x15,2m`)],
    });
    const first = (Date.parse(START) - report.minuteStart) / 60_000;
    const unserved = report.series.headroom!.unserved;
    let short = 0;
    for (let m = first; m < first + 120; m++) if (unserved[m]! > 0) short++;
    expect(short).toBe(0);

    const steps = report.headroom!.steps;
    const raisedAhead = (id: string) =>
      steps.filter(
        (s) => s.target === id && /campaign tv-ad/.test(s.reason) && Date.parse(s.at) < Date.parse(START),
      );
    expect(raisedAhead('nodes').length).toBeGreaterThan(0);
    expect(raisedAhead('reserved').at(-1)!.after).toEqual({ replicas: 4 });
    const end = Date.parse(START) + 2 * 3600_000;
    const last = (id: string) => steps.filter((s) => s.target === id).at(-1)!;
    expect(Date.parse(last('reserved').at)).toBeGreaterThan(end);
    expect(last('reserved').after).toEqual({ replicas: 1 });
    // Handed to the pods during the ad, and Karpenter may consolidate again once it is empty.
    expect(last('nodes').after).toEqual({ replicas: 0, disruptionBudget: 'default' });
    expect(Date.parse(last('nodes').at)).toBeLessThan(end);
  });
});
