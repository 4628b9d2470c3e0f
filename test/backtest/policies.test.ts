import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../shared/app/config-file.ts';
import { SimAlarm } from '../../shared/backtest/alarms.ts';
import { runBacktest } from '../../shared/backtest/run.ts';
import { parseTrace } from '../../shared/backtest/trace.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { resolveSimSettings } from '../../shared/config/sim-settings.ts';
import { ConfigError } from '../../shared/domain/errors.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

const START = Date.parse('2026-03-02T00:00:00Z');

/** One row a minute: 600/min (10/s) for 6 hours, then 1,800/min (30/s) for an hour, then 600 again. */
function stepTrace() {
  const rows = ['timestamp,value'];
  for (let m = 0; m < 8 * 60; m++) {
    const v = m >= 360 && m < 420 ? 1800 : 600;
    rows.push(`${new Date(START + m * 60_000).toISOString()},${v}`);
  }
  return parseTrace(rows.join('\n'), 'step.csv');
}

const CONFIG = `version: 1
clusters: { c: { kubeconfig: { context: c } } }
signals: { traffic: { source: csv, file: step.csv } }
targets:
  api:
    kind: k8s-hpa
    cluster: c
    namespace: default
    name: api
    bounds: { min: 2, max: 200 }
    capacity: { signal: traffic, perUnit: 1, targetUtilization: 0.7 }
rules:
  - name: api-hot
    when: { alarm: api-cpu-high, state: ALARM }
    then: { target: api, raise: 100%, for: 30m }
backtest:
  alarms:
    api-cpu-high: { target: api, metric: utilization, threshold: 0.85, period: 60s, evaluationPeriods: 1 }
`;

describe('Function: runBacktest, headroom policy', () => {
  it('fires the config’s alarm rules from simulated CloudWatch alarms, through the real brain', async () => {
    const r = await runBacktest({
      trace: stepTrace(),
      config: parseConfig(CONFIG),
      warmupSeconds: 5 * 3600,
      forecasting: null,
      policies: ['reactive', 'headroom', 'oracle'],
    });
    const steps = r.report.headroom!.steps;
    const raise = steps.find((s) => /rule api-hot: alarm api-cpu-high is ALARM -> raise 100%/.test(s.reason));
    expect(raise?.target, JSON.stringify(steps.slice(0, 3))).toBe('api');
    expect(Date.parse(raise!.at)).toBeGreaterThan(START + 360 * 60_000);
    expect(Date.parse(raise!.at)).toBeLessThan(START + 366 * 60_000);
    const before = (raise!.before as { minReplicas: number }).minReplicas;
    expect((raise!.after as { minReplicas: number }).minReplicas).toBeGreaterThan(before);
    // Without forecasts or campaigns, the brain adds only what the rule asked for.
    expect(steps.every((s) => /rule api-hot|no live intent|back to/.test(s.reason))).toBe(true);
    expect(r.json.policies.headroom!.actions.headroomSteps).toBe(steps.length);
  });

  it('without forecasts or rules, Headroom changes nothing and scores exactly like reactive', async () => {
    const config = parseConfig(CONFIG.replace(/rules:[\s\S]*$/, ''));
    const seen = { reactive: 0, headroom: 0, oracle: 0 };
    const r = await runBacktest({
      trace: stepTrace(),
      config,
      warmupSeconds: 5 * 3600,
      forecasting: null,
      observe: (policy) => seen[policy]++,
    });
    // Both simulated policies were observed at every 5 s tick: 3 scored hours after the 5 h warm-up, plus its last (settle) hour.
    expect(seen).toEqual({ reactive: 4 * 720, headroom: 4 * 720, oracle: 0 });
    const { reactive, headroom } = r.json.policies;
    expect(r.report.headroom!.steps).toEqual([]);
    expect(headroom!.underProvisionedMinutes).toBe(reactive!.underProvisionedMinutes);
    expect(headroom!.capacityUnitHours).toBe(reactive!.capacityUnitHours);
    // The tripling outruns the HPA: metrics a minute old, pods 30 s to start, new nodes ~50 s.
    expect(reactive!.underProvisionedMinutes).toBeGreaterThan(0);
  });
});

describe('Function: SimAlarm', () => {
  it('goes to ALARM after N breaching periods in a row, and back to OK after N that are not', () => {
    const a = new SimAlarm('x', {
      target: 'api',
      metric: 'demand',
      threshold: 10,
      comparison: 'above',
      periodSeconds: 60,
      evaluationPeriods: 2,
    });
    const changes: [number, string][] = [];
    for (let s = 0; s < 600; s += 5) {
      const v = s >= 120 && s < 300 ? 20 : 5; // breaching in minutes 2, 3 and 4
      const c = a.sample(START + s * 1000, v);
      if (c) changes.push([s, c]);
    }
    // Minute 2 closes at 180 s (1 breach), minute 3 at 240 s (2: ALARM); minutes 5 and 6 close at 360 and 420 s.
    expect(changes).toEqual([
      [240, 'ALARM'],
      [420, 'OK'],
    ]);
  });
});

describe('Config: the backtest section', () => {
  it('leaves the reference example valid and unchanged, with every default in place', () => {
    const c = loadConfigFile(EXAMPLE_CONFIG);
    expect(c.backtest).toBeUndefined();
    const s = resolveSimSettings(c.backtest);
    expect(s.hpa).toMatchObject({ syncPeriodSeconds: 15, tolerance: 0.1, metricsDelaySeconds: 60 });
    expect(s.hpa.scaleUp).toEqual({
      stabilizationWindowSeconds: 0,
      pods: 4,
      percent: 100,
      periodSeconds: 15,
    });
    expect(s.hpa.scaleDown).toMatchObject({
      stabilizationWindowSeconds: 300,
      percent: 100,
      periodSeconds: 15,
    });
    expect(s.karpenter).toMatchObject({ batchIdleSeconds: 1, batchMaxSeconds: 10, nodeStartupSeconds: 45 });
    expect(s.pods.startupSeconds).toBe(30);
    const replicas = c.targets.find((t) => t.id === 'db-readers')!;
    expect(s.leadTimeSeconds(replicas)).toBe(40 * 60);
  });

  it('reports every problem with its path', () => {
    const bad = `${CONFIG}  hpa: { syncPeriod: soon, scaleUp: { pods: -1 } }
  karpenter: { batchIdle: 20s, batchMax: 10s, consolidation: Sometimes }
  singleAz: [api]
  nodes: { cpu: lots }
`;
    let problems: string[] = [];
    try {
      parseConfig(bad);
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        'backtest.hpa.syncPeriod: invalid duration "soon" (use 90s, 5m, 2h, 1d)',
        expect.stringMatching(/^backtest\.hpa\.scaleUp\.pods: /),
        expect.stringMatching(/^backtest\.karpenter\.consolidation: /),
        'backtest.nodes.cpu: invalid CPU quantity "lots"',
      ]),
    );
    const refs = `${CONFIG}  singleAz: [api]\n  karpenter: { batchIdle: 20s, batchMax: 10s }\n`;
    expect(() => parseConfig(refs)).toThrow(ConfigError);
    try {
      parseConfig(refs);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'backtest.singleAz[0]: "api" is not a declared rds-instance target',
        'backtest.karpenter.batchIdle: must not exceed batchMax',
      ]);
    }
  });
});
