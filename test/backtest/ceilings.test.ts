import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../shared/backtest/run.ts';
import { parseTrace } from '../../shared/backtest/trace.ts';
import { parseConfig } from '../../shared/config/load.ts';

/** Monday 7 December 2026, 00:00Z; Berlin is UTC+1. */
const START = Date.parse('2026-12-07T00:00:00Z');

/** Staging traffic: 12/s from 08:00 to 20:00 Berlin (07:00Z-19:00Z), none at night; two days. */
function stagingTrace() {
  const rows = ['timestamp,value'];
  for (let m = 0; m < 2 * 24 * 60; m++) {
    const hour = (m / 60) % 24;
    rows.push(`${new Date(START + m * 60_000).toISOString()},${hour >= 7 && hour < 19 ? 720 : 0}`);
  }
  return parseTrace(rows.join('\n'), 'staging.csv');
}

const config = (schedules: string) =>
  parseConfig(`version: 1
timezone: Europe/Berlin
signals: { traffic: { source: csv, file: staging.csv } }
targets:
  staging:
    kind: ec2-autoscaling-group
    autoScalingGroupName: staging-web
    region: eu-central-1
    instanceWarmup: 3m
    bounds: { min: 2, max: 20 }
    capacity: { signal: traffic, perUnit: 5, targetUtilization: 0.6 }
${schedules}`);

const run = (schedules = '') =>
  runBacktest({
    trace: stagingTrace(),
    config: config(schedules),
    warmupSeconds: 6 * 3600,
    forecasting: null,
    policies: ['headroom'],
  });

describe('Function: runBacktest plays ceilings', () => {
  it('a schedule at 0 from 20:00 to 08:00 takes the Auto Scaling group to 0 at night: the saved cost shows', async () => {
    const without = await run();
    const night = await run(`schedules:
  - { name: staging-night, targets: [staging], ceiling: 0, cron: "0 20 * * *", duration: 12h }
`);
    const a = without.json.policies.headroom!;
    const b = night.json.policies.headroom!;
    const steps = night.report.headroom!.steps;
    const first = steps.find((s) => s.at === '2026-12-07T19:00:00Z')!;
    expect(first.reason).toContain('schedule staging-night');
    expect(first.after).toEqual({ minSize: 0, desiredCapacity: 0, maxSize: 0 });
    const lift = steps.find((s) => Date.parse(s.at) > Date.parse(first.at))!;
    expect(lift.after).toMatchObject({ minSize: 2, maxSize: 20 });
    expect(Date.parse(lift.at)).toBeLessThan(Date.parse('2026-12-08T07:00:00Z'));
    // Scored from Monday 06:00Z to Wednesday 00:00Z: about 18 h of night at 0 instead of MinSize 2
    // (132.7 -> 96.4 instance-hours); at most a minute more short (20:00 still has the day's last requests).
    expect(a.capacityUnitHours - b.capacityUnitHours).toBeGreaterThan(34);
    expect(b.underProvisionedMinutes - a.underProvisionedMinutes).toBeLessThanOrEqual(1);
  });

  it('an HPA capped at 1 and a ScaledObject paused at 0 at night come back to their maximum and scaling', async () => {
    const seen: number[][] = [];
    const r = await runBacktest({
      trace: stagingTrace(),
      config: parseConfig(`version: 1
timezone: Europe/Berlin
clusters: { c: { kubeconfig: { context: c } } }
signals: { traffic: { source: csv, file: staging.csv } }
targets:
  api:
    kind: k8s-hpa
    cluster: c
    namespace: default
    name: api
    bounds: { min: 2, max: 50 }
    capacity: { signal: traffic, perUnit: 5, targetUtilization: 0.6 }
  worker:
    kind: keda-scaledobject
    cluster: c
    namespace: default
    name: worker
    bounds: { min: 1, max: 20 }
    ceiling: { method: paused-replicas }
schedules:
  - { name: api-night, targets: [api], ceiling: 1, cron: "0 20 * * *", duration: 12h }
  - { name: worker-night, targets: [worker], ceiling: 0, cron: "0 20 * * *", duration: 12h }
`),
      warmupSeconds: 6 * 3600,
      forecasting: null,
      policies: ['headroom'],
      observe: (_p, t, world) => {
        if (t === Date.parse('2026-12-08T01:00:00Z') || t === Date.parse('2026-12-08T12:00:00Z'))
          seen.push([
            world.workloads.get('worker')!.workload.replicas,
            world.workloads.get('api')!.hpa!.maxReplicas,
          ]);
      },
    });
    // At 02:00 Berlin the worker is held at 0 and the API at most 1; at 13:00 both scale again.
    expect(seen).toEqual([
      [0, 1],
      [1, 50],
    ]);
    const steps = r.report.headroom!.steps.filter(
      (s) => s.at >= '2026-12-07T19:00:00Z' && s.at < '2026-12-08T08:00:00Z',
    );
    const of = (id: string) => steps.filter((s) => s.target === id).map((s) => [s.at, s.after]);
    expect(of('api')).toEqual([
      ['2026-12-07T19:00:00Z', { minReplicas: 1, maxReplicas: 1 }],
      ['2026-12-08T06:58:00Z', { minReplicas: 2, maxReplicas: 50 }],
    ]);
    expect(of('worker').map(([at]) => at)).toEqual(['2026-12-07T19:00:00Z', '2026-12-08T06:58:00Z']);
  });
});
