import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinConfigYaml } from '../../shared/backtest/builtin-config.ts';
import { runOracle, unitsNeeded } from '../../shared/backtest/oracle.ts';
import { type BacktestJson, runBacktest } from '../../shared/backtest/run.ts';
import { Scorer, type Timeline } from '../../shared/backtest/score.ts';
import { cutTrace, loadTrace } from '../../shared/backtest/trace.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { TRACES } from '../helpers/example.ts';

const api = parseConfig(`version: 1
clusters: { c: { kubeconfig: { context: c } } }
signals: { traffic: { source: sim } }
targets:
  api: { kind: k8s-hpa, cluster: c, namespace: d, name: api, bounds: { min: 2, max: 100 }, capacity: { signal: traffic, perUnit: 10, targetUtilization: 0.5 } }
`).targets[0]!;

function timeline(demand: number[]): Timeline {
  return {
    start: 0,
    tickMs: 5000,
    demand: Float64Array.from(demand),
    scored: new Uint8Array(demand.length).fill(1),
    scoreStart: 0,
    scoreEnd: demand.length * 5000,
    minuteStart: 0,
    minutes: Math.ceil(demand.length / 12),
  };
}

describe('Function: runOracle (perfect foresight, honouring lead times)', () => {
  it('keeps demand at the target utilisation with the fewest units, ordered one lead time ahead', () => {
    const serving = { target: api, perUnit: 10, targetUtilization: 0.5, leadSeconds: 30 };
    expect(unitsNeeded(serving, 0)).toBe(2); // bounds.min
    expect(unitsNeeded(serving, 95)).toBe(19);
    // 5 minutes at 40 req/s (8 units), then a jump to 200 req/s (40 units) for 5 minutes.
    const demand = [...Array(60).fill(40), ...Array(60).fill(200)];
    const tl = timeline(demand);
    const scorer = new Scorer(tl);
    const s = runOracle(tl, [serving], scorer, () => 0);
    expect(s.underProvisionedMinutes).toBe(0);
    expect(s.overTargetMinutes).toBe(0);
    expect(s.unservedFraction).toBe(0);
    // The 32 extra units exist 30 s (6 ticks) before the jump: that is the only extra cost.
    const expected = (60 * 8 + 60 * 40 + 6 * 32) * (5 / 3600);
    expect(s.capacityUnitHours).toBeCloseTo(expected, 9);
    expect(s.scalingActions).toBe(1);
  });
});

/** Same or better service than the oracle: never short (as it), never above the target utilisation (as it). */
function noCheaperThanOracle(j: BacktestJson): void {
  const o = j.policies.oracle!;
  expect(o.underProvisionedMinutes).toBe(0);
  expect(o.unservedFraction).toBe(0);
  for (const [name, p] of Object.entries(j.policies)) {
    const asGood =
      p.underProvisionedMinutes <= o.underProvisionedMinutes &&
      p.unservedFraction <= o.unservedFraction &&
      p.overTargetMinutes <= o.overTargetMinutes;
    if (asGood) expect(p.capacityUnitHours, name).toBeGreaterThanOrEqual(o.capacityUnitHours);
    expect(p.costVsOracle, name).toBeCloseTo(p.capacityUnitHours / o.capacityUnitHours, 2);
  }
}

describe('Function: runBacktest scores against the oracle', () => {
  const cases = [
    ['nasa_kennedy_http_1995_per_minute.csv', '1995-07-10T00:00:00Z', '1995-07-14T00:00:00Z'],
    ['nab_realTweets_Twitter_volume_FB.csv', '2015-03-28T00:00:00Z', '2015-04-05T00:00:00Z'],
    ['nab_realAWSCloudwatch_elb_request_count_8c0756.csv', '2014-04-14T00:00:00Z', '2014-04-20T00:00:00Z'],
  ] as const;
  for (const [file, from, to] of cases) {
    it(`never under-provisions with the oracle, and nothing as good is cheaper: ${file}`, async () => {
      const r = await runBacktest({
        trace: loadTrace(path.join(TRACES, file)),
        from: Date.parse(from),
        to: Date.parse(to),
        warmupSeconds: 2 * 86_400,
      });
      noCheaperThanOracle(r.json);
      // The reactive autoscalers and Headroom both really ran: they scaled, and Headroom planned steps.
      expect(r.json.policies.reactive!.scalingActions).toBeGreaterThan(0);
      expect(r.json.policies.headroom!.actions.headroomSteps).toBeGreaterThan(0);
    });
  }

  it('holds when a policy matches the oracle’s service: a floor that covers every peak costs more', async () => {
    const trace = loadTrace(path.join(TRACES, 'nasa_kennedy_http_1995_per_minute.csv'));
    const from = Date.parse('1995-07-10T00:00:00Z');
    const to = Date.parse('1995-07-12T00:00:00Z');
    // A daily cron floor far above any peak: Headroom is never short and never hot.
    const yaml = builtinConfigYaml(cutTrace(trace, from, to), 'perStep').replace(
      /^predictive:[\s\S]*$/m,
      'rules:\n  - { name: always, when: { cron: "0 0 * * *" }, then: { target: api, floor: 200, for: 1d } }\n',
    );
    const r = await runBacktest({
      trace,
      from,
      to,
      config: parseConfig(yaml),
      warmupSeconds: 86_400,
      policies: ['headroom', 'oracle'],
    });
    const h = r.json.policies.headroom!;
    expect(h.underProvisionedMinutes).toBe(0);
    expect(h.overTargetMinutes).toBe(0);
    expect(h.costVsOracle).toBeGreaterThan(1);
    noCheaperThanOracle(r.json);
  });
});
