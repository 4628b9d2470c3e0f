import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ElastiCacheServiceException } from '@aws-sdk/client-elasticache';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metricSources } from '../../shared/adapters/metrics/index.ts';
import { awsActuators } from '../../shared/app/actuators.ts';
import { capacityReview, type MeasureReport } from '../../shared/capacity/review.ts';
import { SIM_FILE } from '../../shared/cli/runtime.ts';
import type { DemandSignal } from '../../shared/domain/types.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import type { MetricSource } from '../../shared/ports/metrics.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { metadata } from '../aws/fake-base.ts';
import { FakeElastiCache } from '../aws/fake-elasticache.ts';
import { FakeRds } from '../aws/fake-rds.ts';
import { EXAMPLE_CONFIG, exampleConfig } from '../helpers/example.ts';
import { exampleWith } from './config.ts';
import { growingSeries, NOW, writeSeries } from './series.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'headroom-capacity-current-'));
const GiB = 1024 ** 3;
const cpu = writeSeries(dir, 'db-cpu.csv', growingSeries({ level: 50, growth: 0.01 }));
const ops = writeSeries(dir, 'ops.csv', growingSeries({ level: (70_000 / 1.1) * 3600, growth: 0.01 }));
const find = (ms: MeasureReport[], target: string, measure: string) =>
  ms.find((m) => m.target === target && m.measure === measure)!;

describe('Capacity review from what runs now (AWS through the actuators, the simulated cloud)', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  let ec: FakeElastiCache;
  beforeEach(() => {
    clock = new ManualClock(NOW);
    rds = new FakeRds(clock).install();
    ec = new FakeElastiCache(clock).install();
    // The database already runs on db.r6g.xlarge with 600 GiB, two readers, two cache replicas.
    rds.addInstance({ id: 'kaireon-prod', instanceClass: 'db.r6g.xlarge', allocatedGiB: 600 });
    rds.addInstance({ id: 'kaireon-prod-r1', source: 'kaireon-prod', instanceClass: 'db.r6g.xlarge' });
    rds.addInstance({ id: 'kaireon-prod-r2', source: 'kaireon-prod', instanceClass: 'db.r6g.xlarge' });
    ec.addGroup({ id: 'kaireon-redis', nodeType: 'cache.r6g.large', shards: [2] });
  });
  afterEach(() => {
    rds.restore();
    ec.restore();
  });

  it('recommends db.r6g.2xlarge for a db.r6g.xlarge instance read from AWS, not the step from bounds.min', async () => {
    // 250 GiB free of the 600 allocated, 2 GiB less a day: the limit is what RDS says.
    const f = growingSeries({ level: 1, growth: 0 });
    const free = { t: f.t, v: f.t.map((t) => (250 + (2 * (NOW - t)) / 86_400_000) * GiB) };
    const config = exampleWith({ targets: { cache: { ops: { limit: 100_000 } } } });
    const r = await capacityReview({
      config,
      now: NOW,
      metrics: metricSources(),
      remote: false,
      files: {
        'db.cpu': cpu,
        'db.storage': writeSeries(dir, 'free.csv', free),
        'cache.ops': ops,
      },
      current: { cloud: 'aws', actuators: awsActuators(config, clock) },
    });
    const m = find(r.measures, 'db', 'cpu');
    expect(m.status).toBe('crosses');
    // eu-central-1: db.r6g.2xlarge 1.044 - db.r6g.xlarge 0.522 = 0.522 USD/h, x 730 h.
    expect(m.action).toMatchObject({
      text: 'move db from db.r6g.xlarge to db.r6g.2xlarge',
      monthlyCostDelta: 381.06,
    });
    expect(m.current).toEqual({ value: 'db.r6g.xlarge', unit: 'class', source: 'aws' });
    expect(m.note).toBe('tier db.r6g.xlarge (read from AWS)');
    // max_connections of the class read: LEAST(32 GiB / 9531392, 5000).
    expect(find(r.measures, 'db', 'connections').limit).toBe(3604);
    const s = find(r.measures, 'db', 'storage');
    expect(s).toMatchObject({ limit: 600, current: { value: 600, unit: 'GiB', source: 'aws' } });
    expect(s.latest!.value).toBeCloseTo(350, 0);
    expect(s.action!.text).toMatch(/^grow db's allocated storage from 600 GiB to \d+ GiB/);
    // Two replicas now: the recommendation starts from them, not from bounds.min (1).
    const o = find(r.measures, 'cache', 'ops');
    expect(o.current).toEqual({ value: 2, unit: 'replicas', source: 'aws' });
    expect(o.action!.text).toMatch(/^raise cache from 2 to [3-5] replicas/);
    expect(r.warnings).toEqual([]);
    expect(rds.changes()).toEqual([]);
    expect(ec.changes()).toEqual([]);
  });

  it('keeps capacity.current as the override over what AWS says', async () => {
    const config = exampleWith({ current: { db: 'db.r6g.2xlarge' } });
    const r = await capacityReview({
      config,
      now: NOW,
      metrics: metricSources(),
      remote: false,
      files: { 'db.cpu': cpu },
      current: { cloud: 'aws', actuators: awsActuators(config, clock) },
    });
    const m = find(r.measures, 'db', 'cpu');
    expect(m.action!.text).toBe('move db from db.r6g.2xlarge to db.r6g.4xlarge');
    expect(m.current).toMatchObject({ value: 'db.r6g.2xlarge', source: 'config' });
  });

  it('says so when AWS reports a class that is not on the ladder, rather than guessing a step', async () => {
    rds.instances.get('kaireon-prod')!.instanceClass = 'db.m5.large';
    const config = exampleConfig();
    const r = await capacityReview({
      config,
      now: NOW,
      metrics: metricSources(),
      remote: false,
      files: { 'db.cpu': cpu },
      current: { cloud: 'aws', actuators: awsActuators(config, clock) },
    });
    expect(find(r.measures, 'db', 'cpu').action!.text).toBe(
      'db runs on db.m5.large, which is not on its ladder (db.r6g.large, db.r6g.xlarge, db.r6g.2xlarge, db.r6g.4xlarge): add it to tiers to get a recommendation',
    );
  });

  it('reports a target it cannot read, and a metric that fails, with the reason; the rest stands', async () => {
    ec.failNext(
      'DescribeReplicationGroups',
      () =>
        new ElastiCacheServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          message: 'User is not authorized to perform: elasticache:DescribeReplicationGroups',
          $metadata: metadata(403),
        }),
    );
    const config = exampleWith({ targets: { cache: { ops: { limit: 100_000 } } } });
    const csv = metricSources();
    // The connections metric fails (CloudWatch refusing), the other CloudWatch metrics have no
    // data yet; CPU and operations come from their files.
    const metrics: MetricSource = {
      history: (s: DemandSignal, q) =>
        s.source !== 'cloudwatch'
          ? csv.history(s, q)
          : s.name === 'db.connections'
            ? Promise.reject(new Error('GetMetricData: Rate exceeded'))
            : Promise.resolve({ t: [], v: [], stepSeconds: 3600 }),
    };
    const r = await capacityReview({
      config,
      now: NOW,
      metrics,
      remote: true,
      files: { 'db.cpu': cpu, 'cache.ops': ops },
      current: { cloud: 'aws', actuators: awsActuators(config, clock) },
    });
    expect(find(r.measures, 'db', 'cpu').action!.text).toBe('move db from db.r6g.xlarge to db.r6g.2xlarge');
    const o = find(r.measures, 'cache', 'ops');
    expect(o.status).toBe('crosses');
    expect(o.current).toMatchObject({ value: 1, source: 'assumed' });
    expect(o.current!.error).toMatch(/^forbidden: DescribeReplicationGroups kaireon-redis: /);
    expect(o.action!.text).toMatch(/^raise cache from 1 to /);
    const c = find(r.measures, 'db', 'connections');
    expect(c).toMatchObject({ status: 'not-measured', error: 'GetMetricData: Rate exceeded' });
    expect(c.note).toBe(
      'CloudWatch AWS/RDS DatabaseConnections Maximum could not be read: GetMetricData: Rate exceeded',
    );
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^cache: current state not read from aws \(forbidden: DescribeReplicationGroups kaireon-redis: .*\); its actions assume the config$/,
      ),
      'db connections: CloudWatch AWS/RDS DatabaseConnections Maximum could not be read: GetMetricData: Rate exceeded',
    ]);
    expect(find(r.measures, 'cache', 'memory').status).toBe('no-data');
  });
});

describe('Command: headroom capacity --state DIR', () => {
  const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, 'capacity', '--config', EXAMPLE_CONFIG, ...args], {
      encoding: 'utf8',
      env: { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: '' },
    });

  it('reads the tier and replicas from the simulated cloud dev keeps there', () => {
    const state = mkdtempSync(path.join(tmpdir(), 'headroom-capacity-state-'));
    const sim = new SimCloud(exampleConfig(), { clock: new ManualClock(NOW) });
    sim.setValue('db', 1);
    sim.setValue('cache', 3);
    const snapshot = sim.snapshot();
    delete snapshot['db-readers'];
    writeFileSync(path.join(state, SIM_FILE), JSON.stringify(snapshot));
    const r = run('--now', '2026-12-01T00:00:00Z', '--state', state, '--trace', `db.cpu=${cpu}`, '--json');
    expect(r.status, r.stderr).toBe(0);
    const ms = JSON.parse(r.stdout).measures as MeasureReport[];
    expect(find(ms, 'db', 'cpu')).toMatchObject({
      action: { text: 'move db from db.r6g.xlarge to db.r6g.2xlarge' },
      current: { value: 'db.r6g.xlarge', source: 'sim' },
    });
    expect(find(ms, 'cache', 'memory').current).toEqual({ value: 3, unit: 'replicas', source: 'sim' });
    // Not in the file: what the config assumes.
    expect(find(ms, 'db-readers', 'cpu').current).toEqual({ value: 1, unit: 'replicas', source: 'assumed' });
    const text = run('--now', '2026-12-01T00:00:00Z', '--state', state, '--trace', `db.cpu=${cpu}`);
    expect(text.stdout).toMatch(/start by 2026-12-2\d; current: db\.r6g\.xlarge \(sim\)\n/);
  });

  it('refuses a directory without a simulated cloud, --state with --cloud aws, and a missing --trace file', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'headroom-capacity-empty-'));
    const r = run('--state', empty);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      `error: --state ${empty}: no simulated cloud there (${path.join(empty, SIM_FILE)}); run headroom dev --state ${empty}`,
    );
    expect(run('--state', empty, '--cloud', 'aws').status).toBe(2);
    // A --trace file that is not there is bad input, found before anything is read.
    const missing = path.join(empty, 'nope.csv');
    const t = run('--trace', `db.cpu=${missing}`);
    expect(t.status).toBe(1);
    expect(t.stderr.trim()).toBe(`error: --trace db.cpu=${missing}: no such file`);
  });
});
