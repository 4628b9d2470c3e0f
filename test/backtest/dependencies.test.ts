import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../shared/backtest/run.ts';
import { parseTrace } from '../../shared/backtest/trace.ts';
import { parseConfig } from '../../shared/config/load.ts';

const START = Date.parse('2026-03-02T00:00:00Z');
const CAMPAIGN = START + 6 * 3600_000;

/** 600 requests a minute for 8 hours, three times that during the campaign hour. */
function trace() {
  const rows = ['timestamp,value'];
  for (let m = 0; m < 8 * 60; m++) {
    const v = m >= 360 && m < 420 ? 1800 : 600;
    rows.push(`${new Date(START + m * 60_000).toISOString()},${v}`);
  }
  return parseTrace(rows.join('\n'), 'campaign.csv');
}

/**
 * An API on the database readers and PgBouncer it uses; PgBouncer is quicker than the API, the
 * readers take the kind's default lead time, which the simulated world also takes.
 */
const CONFIG = `version: 1
clusters: { c: { kubeconfig: { context: c } } }
signals: { traffic: { source: csv, file: campaign.csv } }
targets:
  api:
    kind: k8s-hpa
    cluster: c
    namespace: shop
    name: api
    bounds: { min: 2, max: 60 }
    capacity: { signal: traffic, perUnit: 1, targetUtilization: 0.7 }
    leadTime: 90s
    dependsOn: [db-readers, pgbouncer]
  pgbouncer:
    kind: k8s-deployment
    cluster: c
    namespace: shop
    name: pgbouncer
    bounds: { min: 1, max: 4 }
    leadTime: 60s
  db-readers:
    kind: rds-read-replicas
    source: shop
    region: eu-central-1
    instanceClass: db.r6g.large
    bounds: { min: 1, max: 4 }
campaigns:
  - name: launch
    start: ${new Date(CAMPAIGN).toISOString()}
    duration: 1h
    multiplier: 3
    targets: [api, pgbouncer, db-readers]
    floors: { api: 45, pgbouncer: 3, db-readers: 3 }
`;

async function run(config: string) {
  const moments: { t: number; floor: number; deps: { id: string; value: number; ready: number }[] }[] = [];
  const r = await runBacktest({
    trace: trace(),
    config: parseConfig(config),
    warmupSeconds: 5 * 3600,
    forecasting: null,
    policies: ['headroom'],
    observe: (_policy, t, world) => {
      const readers = world.managed.get('db-readers')!;
      const pgbouncer = world.workloads.get('pgbouncer')!.workload;
      moments.push({
        t,
        floor: world.workloads.get('api')!.hpa!.minReplicas,
        deps: [
          { id: 'db-readers', value: readers.value, ready: readers.ready(t) },
          { id: 'pgbouncer', value: pgbouncer.replicas, ready: pgbouncer.ready },
        ],
      });
    },
  });
  const raises = moments.filter((m, i) => i > 0 && m.floor > moments[i - 1]!.floor);
  expect(raises.length).toBeGreaterThanOrEqual(2);
  // At every simulated moment the API's floor rises, what it depends on is all ready.
  for (const m of raises)
    for (const d of m.deps) expect(d.ready, `${d.id} at ${new Date(m.t).toISOString()}`).toBe(d.value);
  const steps = r.report.headroom!.steps;
  const first = (id: string) => Date.parse(steps.find((s) => s.target === id)!.at);
  return { moments, first, floorAt: (t: number) => moments.find((m) => m.t >= t)!.floor };
}

describe('Function: runBacktest, an API with dependencies', () => {
  it('raises the readers and PgBouncer early enough that the API, raised only once they are ready, is ready by the start', async () => {
    const { first, floorAt } = await run(CONFIG);
    expect(first('db-readers')).toBeLessThan(first('pgbouncer'));
    expect(first('pgbouncer')).toBeLessThan(first('api'));
    expect(floorAt(CAMPAIGN)).toBe(45);
  }, 60_000);

  it('holds the API across reconciles when the readers take longer than the configured lead time', async () => {
    // The config says 20 minutes; the simulated readers take the kind's 40.
    const slow = CONFIG.replace(
      '    bounds: { min: 1, max: 4 }\ncampaigns',
      '    bounds: { min: 1, max: 4 }\n    leadTime: 20m\ncampaigns',
    );
    expect(slow).not.toBe(CONFIG);
    const { first, moments } = await run(slow);
    const readersReady = moments.find((m) => m.deps[0]!.value === 3 && m.deps[0]!.ready === 3)!.t;
    expect(readersReady).toBeGreaterThan(first('db-readers') + 39 * 60_000);
    expect(first('api')).toBeGreaterThanOrEqual(readersReady);
  }, 60_000);
});
