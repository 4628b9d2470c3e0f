import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { metricSources } from '../../shared/adapters/metrics/index.ts';
import { capacityReview, type MeasureReport } from '../../shared/capacity/review.ts';
import { ConfigError } from '../../shared/domain/errors.ts';
import { exampleConfig } from '../helpers/example.ts';
import { exampleWith } from './config.ts';
import { growingSeries, NOW, trueCrossing, writeSeries } from './series.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'headroom-capacity-'));
const GiB = 1024 ** 3;
const find = (ms: MeasureReport[], target: string, measure: string) =>
  ms.find((m) => m.target === target && m.measure === measure)!;

function problemsOf(capacity: unknown, signals?: Record<string, unknown>): string[] {
  try {
    exampleWith(capacity, signals);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('Capacity review: thresholds, crossing dates and actions per target', () => {
  it('dates the database CPU crossing 70 % and recommends the next instance class with its price', async () => {
    const cpu = writeSeries(dir, 'db-cpu.csv', growingSeries({ level: 50, growth: 0.01 }));
    const r = await capacityReview({
      config: exampleConfig(),
      now: NOW,
      metrics: metricSources(),
      remote: false,
      files: { 'db.cpu': cpu },
    });
    const m = find(r.measures, 'db', 'cpu');
    expect(r.measures[0]).toBe(m);
    expect(m).toMatchObject({ status: 'crosses', threshold: 70, limit: 100 });
    expect(m.latest!.percent).toBeCloseTo(55, 0);
    expect(m.trend!.perDayText).toMatch(/^\+1\.0\d %\/day$/);
    // Today's peak is 50 x 1.1 = 55 % (the daily cycle): 70 % after ln(70/55)/ln(1.01) = 24.2 days.
    const truth = trueCrossing(55, 0.01, 70);
    expect(Math.abs(Date.parse(m.crossing!.at!) - truth)).toBeLessThan(86_400_000);
    expect(Date.parse(m.crossing!.earliest!)).toBeLessThanOrEqual(truth);
    expect(Date.parse(m.crossing!.latest!)).toBeGreaterThanOrEqual(truth);
    // eu-central-1: db.r6g.xlarge 0.522 - db.r6g.large 0.261 = 0.261 USD/h, x 730 h.
    expect(m.action).toMatchObject({
      kind: 'next-tier',
      text: 'move db from db.r6g.large to db.r6g.xlarge',
      leadTimeSeconds: 1800,
      monthlyCostDelta: 190.53,
    });
    expect(Date.parse(m.action!.actBy!)).toBe(Date.parse(m.crossing!.earliest!) - 1800_000);
    // The other measures say what they need rather than guessing.
    expect(find(r.measures, 'db', 'storage').note).toBe(
      'needs capacity.targets.db.storage.limit (allocated storage in GiB)',
    );
    expect(find(r.measures, 'cache', 'memory')).toMatchObject({
      status: 'not-measured',
      note: 'read from CloudWatch AWS/ElastiCache DatabaseMemoryUsagePercentage Maximum: pass --cloud aws, or --trace cache.memory=FILE',
    });
  });

  it('sizes more replicas for Redis operations and more storage from the configured limits', async () => {
    const config = exampleWith({
      current: { db: 'db.r6g.xlarge' },
      targets: { cache: { ops: { limit: 100_000 } }, db: { storage: { limit: 500 } } },
    });
    // 70,000 ops/s peaks (as commands per hour), +1 %/day; 200 GiB free of 500, -2 GiB a day.
    const ops = growingSeries({ level: (70_000 / 1.1) * 3600, growth: 0.01 });
    const free = { t: ops.t, v: ops.t.map((t) => (200 + (2 * (NOW - t)) / 86_400_000) * GiB) };
    const r = await capacityReview({
      config,
      now: NOW,
      metrics: metricSources(),
      remote: false,
      files: {
        'cache.ops': writeSeries(dir, 'ops.csv', ops),
        'db.storage': writeSeries(dir, 'free.csv', free),
      },
    });
    const s = find(r.measures, 'db', 'storage');
    expect(s).toMatchObject({ status: 'crosses', unit: 'GiB', limit: 500 });
    expect(s.latest!.value).toBeCloseTo(300, 0);
    // 350 GiB (70 % of 500) is 50 GiB away at 2 GiB a day: 25 days.
    expect(Math.abs(Date.parse(s.crossing!.at!) - (NOW + 25 * 86_400_000))).toBeLessThan(86_400_000);
    expect(s.action).toMatchObject({ kind: 'more-storage', monthlyCostDelta: expect.any(Number) });
    expect(s.action!.text).toMatch(/^grow db's allocated storage from 500 GiB to \d+ GiB/);
    const f = find(r.measures, 'cache', 'ops');
    // 70 % of the benchmark now, 80 % after ln(80/70)/ln(1.01) = 13.4 days.
    expect(f).toMatchObject({ status: 'crosses', threshold: 80 });
    expect(Math.abs(f.latest!.percent - 70)).toBeLessThan(1);
    expect(Math.abs(Date.parse(f.crossing!.at!) - trueCrossing(70, 0.01, 80))).toBeLessThan(86_400_000);
    expect(f.action).toMatchObject({ kind: 'more-replicas', leadTimeSeconds: 1200 });
    expect(f.action!.text).toMatch(/^raise cache from 1 to \d replicas/);
  });

  it('refuses a bad capacity section with one clear line per problem, naming its config path', () => {
    expect(
      problemsOf(
        {
          window: '3d',
          thresholds: { cpu: 120, disk: 70 },
          current: { db: 'db.r5.large' },
          targets: {
            dbx: { cpu: { threshold: 60 } },
            db: { iops: { threshold: 60 }, cpu: { signal: 'nope' } },
          },
          report: { schedule: '0 8 1 * *' },
        },
        {},
      ),
    ).toEqual([
      'capacity.window: "3d" must be a duration from 7d to 90d (e.g. 30d)',
      'capacity.thresholds.cpu: Too big: expected number to be <=100',
      'capacity.report.schedule: must be an EventBridge cron(...) expression, e.g. cron(0 8 1 * ? *)',
    ]);
    expect(
      problemsOf({
        thresholds: { disk: 70 },
        current: { db: 'db.r5.large' },
        targets: {
          dbx: { cpu: { threshold: 60 } },
          db: { iops: { threshold: 60 }, cpu: { signal: 'nope' } },
        },
      }),
    ).toEqual([
      'capacity.thresholds.disk: unknown measure "disk" (known: cpu, connections, storage, memory, ops)',
      'capacity.targets.dbx: unknown target "dbx" (known: api, workers, pgbouncer, nodes, db, db-readers, cache)',
      'capacity.targets.db.iops: rds-instance has no measure "iops" (cpu, connections, storage); a measure of your own needs a signal and a limit',
      'capacity.targets.db.cpu.signal: unknown signal "nope" (declared: traffic)',
      'capacity.current.db: "db.r5.large" is not on the ladder of db (db.r6g.large, db.r6g.xlarge, db.r6g.2xlarge, db.r6g.4xlarge)',
    ]);
  });
});
