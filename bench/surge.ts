import path from 'node:path';
import { builtinConfig } from '../shared/backtest/builtin-config.ts';
import { parseSurge } from '../shared/backtest/demand.ts';
import { runBacktest } from '../shared/backtest/run.ts';
import { cutTrace, loadTrace } from '../shared/backtest/trace.ts';
import type { Config } from '../shared/config/types.ts';

const TRACES = path.resolve(import.meta.dirname, '../../shared/traces');
const r3 = (x: number) => Number(x.toFixed(3));

/**
 * The surge response (`npm run bench -- surge`): an unannounced 15x surge over two minutes on
 * the NYC taxi trace (no calendar), reactive against Headroom with and without the response,
 * minutes short and requests unserved in the surge window and what it cost; then what the
 * response costs where nothing surges (false positives): the same traces with it on and off.
 */
export async function benchSurge() {
  const start = '2014-11-20T23:00:00Z';
  const from = Date.parse('2014-11-01T00:00:00Z');
  const to = Date.parse('2014-11-23T00:00:00Z');
  const taxi = loadTrace(path.join(TRACES, 'nab_realKnownCause_nyc_taxi.csv'));
  const config = builtinConfig(cutTrace(taxi, from, to), 'perStep');
  const off = (c: Config): Config => ({ ...c, surge: undefined });
  const window = async (c: Config) => {
    const r = await runBacktest({
      trace: taxi,
      config: c,
      from,
      to,
      warmupSeconds: 14 * 86_400,
      surges: [parseSurge(`${start},2h,x15,2m`)],
    });
    const first = (Date.parse(start) - r.report.minuteStart) / 60_000;
    const of = (name: 'reactive' | 'headroom') => {
      const s = r.report.series[name]!;
      let short = 0;
      let unserved = 0;
      let demand = 0;
      let unitHours = 0;
      for (let m = first; m < first + 120; m++) {
        if (s.unserved[m]! > 0) short++;
        unserved += s.unserved[m]!;
        demand += r.report.demand[m]! * 60;
      }
      // Cost of the window and the hour after it (the hold and the release).
      for (let m = first; m < first + 180; m++) unitHours += s.units[m]! / 60;
      return {
        shortMinutes: short,
        unservedFraction: r3(unserved / demand),
        unitHoursWindowPlus1h: Number(unitHours.toFixed(1)),
        scores: r.json.policies[name],
      };
    };
    const steps = r.report.headroom!.steps.filter((s) => s.reason.startsWith('surge'));
    return {
      reactive: of('reactive'),
      headroom: of('headroom'),
      surgeSteps: steps.length,
      firstSurgeStep: steps[0]?.at,
    };
  };
  const unannounced = { with: await window(config), without: await window(off(config)) };

  const falsePositives = [];
  for (const [file, f, t] of [
    ['nab_realKnownCause_nyc_taxi.csv', '2014-07-01T00:00:00Z', '2015-01-31T00:00:00Z'],
    ['nasa_kennedy_http_1995_per_minute.csv', '1995-07-01T00:00:00Z', '1995-08-01T00:00:00Z'],
  ] as const) {
    const trace = loadTrace(path.join(TRACES, file));
    const c = builtinConfig(cutTrace(trace, Date.parse(f), Date.parse(t)), 'perStep');
    const run = (x: Config) =>
      runBacktest({ trace, config: x, from: Date.parse(f), to: Date.parse(t), policies: ['headroom'] });
    const on = await run(c);
    const no = await run(off(c));
    const a = on.json.policies.headroom!;
    const b = no.json.policies.headroom!;
    falsePositives.push({
      trace: file,
      from: f,
      to: t,
      surgeSteps: on.report.headroom!.steps.filter((s) => s.reason.startsWith('surge')).length,
      costAddedPercent: r3((a.capacityUnitHours / b.capacityUnitHours - 1) * 100),
      nodeHoursAddedPercent: r3((a.nodeHours / b.nodeHours - 1) * 100),
      underProvisionedMinutes: { on: a.underProvisionedMinutes, off: b.underProvisionedMinutes },
      elapsedSeconds: { on: on.json.elapsedSeconds, off: no.json.elapsedSeconds },
    });
  }
  return { surge: `${start},2h,x15,2m (no calendar)`, settings: config.surge, unannounced, falsePositives };
}
