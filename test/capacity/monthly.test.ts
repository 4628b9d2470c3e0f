import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { metricSources } from '../../shared/adapters/metrics/index.ts';
import { SlackNotifier, slackClient } from '../../shared/adapters/slack/notifier.ts';
import {
  isCapacityReviewEvent,
  lambdaCapacityReport,
  runCapacityReport,
} from '../../shared/app/capacity-report.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { FakeRds } from '../aws/fake-rds.ts';
import { FakeCloudWatch } from '../metrics/fake-cloudwatch.ts';
import { fakeSlackApi } from '../triggers/fakes.ts';
import { exampleWith } from './config.ts';
import { growingSeries, NOW, writeSeries } from './series.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'headroom-capacity-monthly-'));
const HOUR = 3_600_000;

describe('Monthly capacity review posted to Slack', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('posts the crossing measure with its date and action to the report channel, the rest counted', async () => {
    const api = await fakeSlackApi();
    close = api.close;
    const cpu = writeSeries(dir, 'db-cpu.csv', growingSeries({ level: 50, growth: 0.01 }));
    const config = exampleWith(
      {
        targets: {
          db: { cpu: { signal: 'db-cpu' }, storage: { enabled: false } },
          cache: { ops: { enabled: false } },
        },
        report: { slack: { channel: 'C0CAPACITY' } },
      },
      { 'db-cpu': { source: 'csv', file: cpu, unit: 'perStep' } },
    );
    // CloudWatch keeps two weeks of the other measures: connections and Redis memory, flat.
    const clock = new ManualClock(NOW);
    const cloudwatch = new FakeCloudWatch(clock);
    for (let t = NOW - 14 * 24 * HOUR; t < NOW; t += HOUR) {
      cloudwatch.put('AWS/RDS', 'DatabaseConnections', { DBInstanceIdentifier: 'kaireon-prod' }, t, 600);
      cloudwatch.put(
        'AWS/ElastiCache',
        'DatabaseMemoryUsagePercentage',
        { CacheClusterId: 'kaireon-redis-001' },
        t,
        40,
      );
    }
    const brainNotifications = new MemoryNotifier();
    const report = await runCapacityReport({
      config,
      clock,
      metrics: metricSources({
        cloudwatch: {
          clientFor: () => ({ send: (c: GetMetricDataCommand) => cloudwatch.getMetricData(c.input) }),
        },
      }),
      notifier: brainNotifications,
      slackFor: (channel) =>
        new SlackNotifier(slackClient('xoxb-test', { slackApiUrl: api.url }), { channel }),
    });

    expect(api.posts).toHaveLength(1);
    const post = api.posts[0]!;
    expect(post.channel).toBe('C0CAPACITY');
    const lines = post.text.split('\n');
    expect(lines[0]).toBe(
      'Monthly capacity review (2026-12-01): 1 measure crosses its threshold within 90 days.',
    );
    expect(lines[1]).toMatch(
      /^• db CPU: 54\.\d % now, \+1\.0\d %\/day, crosses 70 % on 2026-12-2[45] \(2026-12-2\d to 2026-12-2\d\) → move db from db\.r6g\.large to db\.r6g\.xlarge \(lead time 30m, \+\$190\.53\/month on demand\), start by 2026-12-2\d; current: db\.r6g\.large \(assumed\)$/,
    );
    // Connections (600 of 1802) and Redis memory (40 %) are flat; the readers have no CPU source.
    expect(lines[2]).toBe('2 within limits, 1 not assessed (see headroom capacity).');
    expect(post.blocks[0].text.text).toMatch(/^:chart_with_upwards_trend: Monthly capacity review/);
    expect(brainNotifications.sent).toEqual([]);
    expect(report.measures.find((m) => m.measure === 'connections')).toMatchObject({
      status: 'ok',
      limit: 1802,
    });
    // The metrics were read hourly, as the review's daily peaks need.
    expect(cloudwatch.calls.map((c) => c.MetricDataQueries![0]!.MetricStat!.Period)).toEqual([3600, 3600]);
    // Hourly data is kept 455 days: the review asks for its whole 30-day window.
    expect(cloudwatch.calls.map((c) => new Date(c.StartTime!).toISOString())).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z',
    ]);
  });

  it('in the Lambda, recommends from the instance class RDS reports, through the AWS actuators', async () => {
    const clock = new ManualClock(NOW);
    const rds = new FakeRds(clock).install();
    close = async () => rds.restore();
    rds.addInstance({ id: 'kaireon-prod', instanceClass: 'db.r6g.xlarge' });
    const cpu = writeSeries(dir, 'db-cpu-xl.csv', growingSeries({ level: 50, growth: 0.01 }));
    const off = { enabled: false };
    const config = exampleWith(
      {
        targets: {
          db: { cpu: { signal: 'db-cpu' }, connections: off, storage: off },
          cache: { memory: off, ops: off },
        },
      },
      { 'db-cpu': { source: 'csv', file: cpu, unit: 'perStep' } },
    );
    const notifier = new MemoryNotifier();
    await lambdaCapacityReport({ config, clock, notifier });
    const lines = notifier.sent[0]!.text.split('\n');
    expect(lines[1]).toMatch(
      /→ move db from db\.r6g\.xlarge to db\.r6g\.2xlarge \(lead time 30m, \+\$381\.06\/month on demand\), start by 2026-12-2\d; current: db\.r6g\.xlarge \(aws\)$/,
    );
    expect(rds.callsOf('DescribeDBInstances').map((c) => c.input.DBInstanceIdentifier)).toContain(
      'kaireon-prod',
    );
    expect(rds.changes()).toEqual([]);
  });

  it('is the event the monthly schedule sends to the schedule function', () => {
    expect(isCapacityReviewEvent({ kind: 'capacity-review' })).toBe(true);
    expect(isCapacityReviewEvent({ kind: 'campaign-phase', campaign: 'x', phase: 'start' })).toBe(false);
  });
});
