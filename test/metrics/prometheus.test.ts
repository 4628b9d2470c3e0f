import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTraceCsv, sliceSeries } from '../../shared/adapters/metrics/csv.ts';
import { MetricSourceError } from '../../shared/adapters/metrics/errors.ts';
import { MAX_POINTS_PER_REQUEST, PrometheusMetricSource } from '../../shared/adapters/metrics/prometheus.ts';
import type { DemandSignal } from '../../shared/domain/types.ts';
import { forecastSeries } from '../../shared/forecast/forecaster.ts';
import { TRACES } from '../helpers/example.ts';
import {
  type BearerProxy,
  bearerProxy,
  openMetrics,
  type RunningPrometheus,
  startPrometheus,
} from './prometheus-server.ts';

/** Eight days of the NASA per-minute trace: 11,520 minutes, more than one query_range may return. */
const FROM = Date.parse('1995-07-03T00:00:00Z');
const TO = Date.parse('1995-07-10T23:59:00Z');
const TOKEN = 'prom-secret-7f3a';

const nasa = sliceSeries(readTraceCsv(path.join(TRACES, 'nasa_kennedy_http_1995_per_minute.csv')), FROM, TO);

function signal(spec: Record<string, unknown>): DemandSignal {
  return { name: 'traffic', source: 'prometheus', unit: 'perMinute', spec };
}

describe('Function: PrometheusMetricSource against a real Prometheus', () => {
  let prom: RunningPrometheus;
  let proxy: BearerProxy;

  beforeAll(async () => {
    prom = await startPrometheus(
      openMetrics('nasa_requests', [
        { labels: { site: 'ksc' }, t: nasa.t, v: nasa.v },
        { labels: { site: 'mirror' }, t: nasa.t, v: nasa.v.map((v) => v / 2) },
      ]),
    );
    proxy = await bearerProxy(prom.url, TOKEN);
  });
  afterAll(async () => {
    await proxy?.close();
    await prom?.stop();
  });

  const env = { PROM_TOKEN: TOKEN };
  const q = { from: new Date(FROM), to: new Date(TO), stepSeconds: 60 };

  it('reads eight days of per-minute history in chunks below the 11,000-point limit, with the bearer token', async () => {
    const source = new PrometheusMetricSource({ env });
    const before = proxy.forwarded.length;
    const got = await source.history(
      signal({ url: proxy.url, query: 'sum(nasa_requests{site="ksc"})', tokenEnv: 'PROM_TOKEN' }),
      q,
    );
    const calls = proxy.forwarded.slice(before);
    expect(calls.length).toBe(2);
    for (const c of calls) {
      expect(c.path).toBe('/api/v1/query_range');
      const points = (Number(c.params.get('end')) - Number(c.params.get('start'))) / 60 + 1;
      expect(points).toBeLessThanOrEqual(MAX_POINTS_PER_REQUEST);
    }
    // Every minute the trace has is there with its value, in order, once.
    const byTime = new Map(got.t.map((t, i) => [t, got.v[i]!]));
    expect(got.t.length).toBe(new Set(got.t).size);
    expect(got.t).toEqual([...got.t].sort((a, b) => a - b));
    expect(got.t[0]).toBe(FROM);
    for (let i = 0; i < nasa.t.length; i++) expect(byTime.get(nasa.t[i]!)).toBe(nasa.v[i]);
    expect(got.stepSeconds).toBe(60);
  });

  it('follows a configured step and a base URL with a trailing slash', async () => {
    const source = new PrometheusMetricSource({ env });
    const got = await source.history(
      signal({
        url: `${proxy.url}/`,
        query: 'sum(nasa_requests{site="ksc"})',
        tokenEnv: 'PROM_TOKEN',
        step: 300,
      }),
      { from: new Date(FROM), to: new Date(FROM + 3600_000), stepSeconds: 60 },
    );
    expect(got.stepSeconds).toBe(300);
    expect(got.t).toEqual(Array.from({ length: 13 }, (_, k) => FROM + k * 300_000));
  });

  it('refuses a query that returns several series instead of silently picking one', async () => {
    const source = new PrometheusMetricSource({ env });
    await expect(
      source.history(signal({ url: proxy.url, query: 'nasa_requests', tokenEnv: 'PROM_TOKEN' }), q),
    ).rejects.toThrow('signals.traffic.query: returned 2 series; aggregate it to one (for example sum(...))');
  });

  it("reports Prometheus' own message for invalid PromQL", async () => {
    const source = new PrometheusMetricSource({ env });
    const err = await source
      .history(signal({ url: proxy.url, query: 'sum(rate(nasa_requests[5m]', tokenEnv: 'PROM_TOKEN' }), q)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricSourceError);
    expect((err as Error).message).toMatch(/answered 400 \(bad_data: .*parse error/);
  });

  it('never puts the token in an error, and names the missing variable', async () => {
    const wrong = new PrometheusMetricSource({ env: { PROM_TOKEN: 'not-the-token' } });
    const rejected = proxy.rejected;
    const err = (await wrong
      .history(signal({ url: proxy.url, query: 'sum(nasa_requests)', tokenEnv: 'PROM_TOKEN' }), q)
      .catch((e: unknown) => e)) as Error;
    expect(proxy.rejected).toBe(rejected + 1);
    expect(err.message).toContain('answered 401');
    expect(err.message).not.toContain('not-the-token');

    const missing = new PrometheusMetricSource({ env: {} });
    await expect(
      missing.history(signal({ url: proxy.url, query: 'sum(nasa_requests)', tokenEnv: 'PROM_TOKEN' }), q),
    ).rejects.toThrow('signals.traffic.tokenEnv: environment variable PROM_TOKEN is not set');

    const userinfo = new PrometheusMetricSource({ env });
    const bad = (await userinfo
      .history(signal({ url: 'http://admin:hunter2@127.0.0.1:1', query: 'up' }), q)
      .catch((e: unknown) => e)) as Error;
    expect(bad).toBeInstanceOf(MetricSourceError);
    expect(bad.message).not.toContain('hunter2');
  });

  it('gives the forecaster a history in which it finds the daily cycle', async () => {
    const source = new PrometheusMetricSource({ env });
    const series = await source.history(
      signal({ url: prom.url, query: 'sum(nasa_requests{site="ksc"})' }),
      q,
    );
    const f = forecastSeries(series, { horizonSeconds: 7200, quantile: 0.95 });
    expect(f.seasonality).toContain(86_400);
    expect(f.points.length).toBe(120);
    for (const p of f.points) expect(p.lower).toBeLessThanOrEqual(p.upper);
  });
});
