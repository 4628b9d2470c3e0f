import path from 'node:path';
import { readTraceCsv, sliceSeries } from '../../shared/adapters/metrics/csv.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/types.ts';
import type { DemandSignal } from '../../shared/domain/types.ts';
import type { MetricQuery, MetricSource, Series } from '../../shared/ports/metrics.ts';
import { TRACES } from '../helpers/example.ts';

export const NASA = path.join(TRACES, 'nasa_kennedy_http_1995_per_minute.csv');

/**
 * A single-service configuration on the NASA per-minute trace (a csv signal counted per step):
 * an HPA whose pods serve 0.2 requests/s each at 70 %, so the trace's daily cycle moves the
 * floor between a handful and a few dozen pods.
 */
export function nasaConfig(
  opts: { mode?: 'apply' | 'forecast-only'; quantiles?: number[]; extra?: string } = {},
): Config {
  const qs = opts.quantiles ?? [0.95];
  const predictive = qs
    .map(
      (q, i) =>
        `  - { target: ${i === 0 ? 'api' : 'readers'}, signal: traffic, horizon: 2h, quantile: ${q}, mode: ${opts.mode ?? 'apply'} }`,
    )
    .join('\n');
  return parseConfig(
    `version: 1
clusters:
  prod: { kubeconfig: { context: prod } }
targets:
  api:
    kind: k8s-hpa
    cluster: prod
    namespace: web
    name: api
    bounds: { min: 2, max: 80 }
    capacity: { signal: traffic, perUnit: 0.2, targetUtilization: 0.7 }
    leadTime: 90s
  readers:
    kind: rds-read-replicas
    source: web-db
    region: eu-central-1
    instanceClass: db.r6g.large
    bounds: { min: 1, max: 5 }
    capacity: { signal: traffic, perUnit: 0.5, targetUtilization: 0.6 }
    leadTime: 20m
signals:
  traffic: { source: csv, file: ${JSON.stringify(NASA)}, unit: perStep }
predictive:
${predictive}
${opts.extra ?? ''}`,
    'nasa.yaml',
  );
}

/**
 * A metric source over a trace that, like a real one, only knows the past: rows after the
 * query's `to` do not exist yet. Records every query.
 */
export class TraceSource implements MetricSource {
  readonly queries: MetricQuery[] = [];
  readonly series: Series;
  failWith?: Error;
  /** Misbehave: also return rows after `to` (a source with a clock ahead). */
  leakFuture = false;

  constructor(file = NASA) {
    this.series = readTraceCsv(file);
  }

  async history(_signal: DemandSignal, q: MetricQuery): Promise<Series> {
    this.queries.push(q);
    if (this.failWith) throw this.failWith;
    const to = this.leakFuture ? q.to.getTime() + 3600_000 : q.to.getTime();
    return sliceSeries(this.series, q.from.getTime(), to);
  }
}
