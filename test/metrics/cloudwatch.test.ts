import path from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetricSource } from '../../shared/adapters/metrics/cloudwatch.ts';
import { readTraceCsv } from '../../shared/adapters/metrics/csv.ts';
import { MetricSourceError } from '../../shared/adapters/metrics/errors.ts';
import type { DemandSignal } from '../../shared/domain/types.ts';
import { ForecastDemandProvider } from '../../shared/forecast/provider.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { exampleConfig, TRACES } from '../helpers/example.ts';
import { FakeCloudWatch } from './fake-cloudwatch.ts';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const LB = { LoadBalancer: 'app/kaireon-prod/50dc6c495c0c9188' };

/** The example config's `traffic` signal: ALB RequestCount, Sum per 60 s, perMinute. */
const traffic = (): DemandSignal => exampleConfig().signals.traffic!;

/** 20 days of the NASA per-minute trace, shifted so that it ends at NOW, published into the fake. */
function publishNasa(fake: FakeCloudWatch): Map<number, number> {
  const s = readTraceCsv(path.join(TRACES, 'nasa_kennedy_http_1995_per_minute.csv'));
  const end = Date.parse('1995-07-21T00:00:00Z');
  const shift = NOW - end;
  const published = new Map<number, number>();
  s.t.forEach((t, i) => {
    if (t >= end - 20 * 86_400_000 && t < end) {
      fake.put('AWS/ApplicationELB', 'RequestCount', LB, t + shift, s.v[i]!);
      published.set(t + shift, s.v[i]!);
    }
  });
  return published;
}

describe('Function: CloudWatchMetricSource against a stateful GetMetricData', () => {
  const cw = mockClient(CloudWatchClient);
  let clock: ManualClock;
  let fake: FakeCloudWatch;

  beforeEach(() => {
    clock = new ManualClock(NOW);
    fake = new FakeCloudWatch(clock);
    cw.reset();
    cw.on(GetMetricDataCommand).callsFake((input) => fake.getMetricData(input));
  });
  afterEach(() => cw.reset());

  const source = (maxDatapoints?: number) =>
    new CloudWatchMetricSource({ clientFor: (region) => new CloudWatchClient({ region }), maxDatapoints });

  it('reads 14 days of 1-minute Sum data across pages, oldest first, exactly as published', async () => {
    const published = publishNasa(fake);
    const got = await source(5000).history(traffic(), {
      from: new Date(NOW - 14 * 86_400_000),
      to: new Date(NOW),
      stepSeconds: 60,
    });
    const expected = [...published.entries()].filter(([t]) => t >= NOW - 14 * 86_400_000 && t <= NOW);
    expect(got.stepSeconds).toBe(60);
    expect(got.t.length).toBe(expected.length);
    expect(got.t).toEqual(expected.map(([t]) => t));
    expect(got.v).toEqual(expected.map(([, v]) => v));
    // 14 days of minutes do not fit in 5,000 datapoints: the source followed NextToken.
    expect(fake.calls.length).toBe(Math.ceil(expected.length / 5000));
    expect(fake.calls.every((c) => c.ScanBy === 'TimestampAscending')).toBe(true);
    expect(fake.calls[0]!.MetricDataQueries![0]!.MetricStat).toMatchObject({
      Period: 60,
      Stat: 'Sum',
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'LoadBalancer' }],
      },
    });
  });

  it('never asks for more than 14 days, however far back the caller reaches', async () => {
    publishNasa(fake);
    const got = await source().history(traffic(), {
      from: new Date(NOW - 30 * 86_400_000),
      to: new Date(NOW),
      stepSeconds: 60,
    });
    expect(new Date(fake.calls[0]!.StartTime!).getTime()).toBe(NOW - 14 * 86_400_000);
    expect(got.t[0]).toBeGreaterThanOrEqual(NOW - 14 * 86_400_000);
  });

  it('aggregates to the configured period and statistic', async () => {
    publishNasa(fake);
    const signal = traffic();
    const five: DemandSignal = {
      ...signal,
      spec: { ...signal.spec, metric: { ...(signal.spec.metric as object), period: 300, stat: 'Maximum' } },
    };
    const got = await source().history(five, {
      from: new Date(NOW - 3600_000),
      to: new Date(NOW),
      stepSeconds: 300,
    });
    expect(got.stepSeconds).toBe(300);
    expect(got.t.every((t) => t % 300_000 === 0)).toBe(true);
    expect(got.t.length).toBeGreaterThanOrEqual(11);
  });

  it('turns a Forbidden result into an error naming the signal, not an empty history', async () => {
    publishNasa(fake);
    fake.forbidden.add('RequestCount');
    const err = await source()
      .history(traffic(), { from: new Date(NOW - 3600_000), to: new Date(NOW), stepSeconds: 60 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricSourceError);
    expect((err as Error).message).toBe(
      'signals.traffic: CloudWatch returned Forbidden (Forbidden: Insufficient permissions)',
    );
  });

  it("reports the service's own error for a period CloudWatch refuses", async () => {
    const signal = traffic();
    const bad: DemandSignal = {
      ...signal,
      spec: { ...signal.spec, metric: { ...(signal.spec.metric as object), period: 90 } },
    };
    await expect(
      source().history(bad, { from: new Date(NOW - 3600_000), to: new Date(NOW), stepSeconds: 90 }),
    ).rejects.toThrow(/InvalidParameterValueException: .*Period must be a multiple of 60/);
  });

  it('feeds the forecaster per-second demand and afterwards reads only the new minutes', async () => {
    publishNasa(fake);
    const config = exampleConfig();
    const provider = new ForecastDemandProvider({ metrics: source(), refitSeconds: 600 });
    const views = await provider.demand(config, new Date(NOW), new Date(NOW + 3 * 3600_000));
    const view = views.traffic!;
    // perMinute counts become requests per second.
    expect(view.observedPerSecond).toBeCloseTo(
      (
        await source().history(traffic(), {
          from: new Date(NOW - 120_000),
          to: new Date(NOW),
          stepSeconds: 60,
        })
      ).v.at(-1)! / 60,
    );
    expect(view.points[0]!.t).toBeLessThanOrEqual(NOW);
    expect(view.points.at(-1)!.t).toBeGreaterThanOrEqual(NOW + 3 * 3600_000);
    const first = fake.calls.length;
    // Within refitSeconds: served from the cache, nothing read.
    await provider.demand(config, new Date(NOW + 300_000), new Date(NOW + 3 * 3600_000));
    expect(fake.calls.length).toBe(first);
    // After it: only the minutes since the last row (and a small overlap) are read.
    clock.set(NOW + 900_000);
    for (let t = NOW; t < NOW + 900_000; t += 60_000)
      fake.put('AWS/ApplicationELB', 'RequestCount', LB, t, 3000);
    await provider.demand(config, new Date(NOW + 900_000), new Date(NOW + 4 * 3600_000));
    const refresh = fake.calls.at(-1)!;
    const span = new Date(refresh.EndTime!).getTime() - new Date(refresh.StartTime!).getTime();
    expect(span).toBeLessThanOrEqual(30 * 60_000);
  });
});
