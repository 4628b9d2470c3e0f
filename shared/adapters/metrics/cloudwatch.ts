import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { DemandSignal } from '../../domain/types.ts';
import type { MetricQuery, MetricSource, Series } from '../../ports/metrics.ts';
import { awsClientConfig, ClientCache } from '../aws-clients.ts';
import { MetricSourceError } from './errors.ts';

/** The narrow slice of the CloudWatch client this source needs (injected in tests). */
export interface CloudWatchMetricsClient {
  send(command: GetMetricDataCommand): Promise<GetMetricDataCommandOutput>;
}

/** CloudWatch keeps 1-minute data for 15 days; a forecast reads at most 14 of them. */
export const MAX_HISTORY_SECONDS = 14 * 86_400;

/**
 * How far back CloudWatch answers at a period: 1-minute data for 15 days, 5-minute data for
 * 63 days, hourly data for 455 days (the capacity review reads 30 days of hourly peaks).
 */
export function maxHistorySeconds(periodSeconds: number): number {
  if (periodSeconds >= 3600) return 455 * 86_400;
  if (periodSeconds >= 300) return 63 * 86_400;
  return MAX_HISTORY_SECONDS;
}
/** A defensive cap on pages per query (100,800 points per page is the service limit). */
const MAX_PAGES = 50;

export interface CloudWatchSourceOptions {
  /** One client per region: the default builds SDK clients with adaptive retry. */
  clientFor?: (region: string | undefined) => CloudWatchMetricsClient;
  /** Datapoints per page before CloudWatch paginates (the service default and maximum is 100,800). */
  maxDatapoints?: number;
}

/** Epoch ms of the nearest period boundary at or after `ms` (CloudWatch aligns periods to the epoch). */
function alignUp(ms: number, periodMs: number): number {
  return Math.ceil(ms / periodMs) * periodMs;
}

/**
 * `source: cloudwatch` signals through `GetMetricData`: one metric (`metric.namespace`,
 * `name`, `dimensions`, `stat`, `period`) or a metric math / Metrics Insights `expression`.
 * Reads at most 14 days, oldest first, following `NextToken` until the result is complete.
 * Values are returned as CloudWatch reports them per period (the signal's `unit` converts
 * them to per-second demand later). A result the service marks Forbidden or InternalError is
 * an error, never an empty history.
 */
export class CloudWatchMetricSource implements MetricSource {
  private readonly clientFor: NonNullable<CloudWatchSourceOptions['clientFor']>;
  /** This source's clients, one per region (aws-clients.ts: the one way clients are cached). */
  private readonly clients = new ClientCache();
  private readonly maxDatapoints: number | undefined;

  constructor(opts: CloudWatchSourceOptions = {}) {
    this.maxDatapoints = opts.maxDatapoints;
    this.clientFor =
      opts.clientFor ??
      ((region) =>
        new CloudWatchClient(awsClientConfig(this.clients, { region })) as CloudWatchMetricsClient);
  }

  private client(signal: DemandSignal): CloudWatchMetricsClient {
    const region = typeof signal.spec.region === 'string' ? signal.spec.region : undefined;
    return this.clients.get(region ?? '', () => this.clientFor(region));
  }

  /** The query for a signal: its metric, or its expression, at its period. */
  static queryFor(signal: DemandSignal): { query: MetricDataQuery; periodSeconds: number } {
    const metric = signal.spec.metric as
      | {
          namespace: string;
          name: string;
          dimensions?: Record<string, string>;
          stat?: string;
          period?: number;
        }
      | undefined;
    const expression = signal.spec.expression as string | undefined;
    if (metric) {
      const periodSeconds = metric.period ?? 60;
      return {
        periodSeconds,
        query: {
          Id: 'demand',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: metric.namespace,
              MetricName: metric.name,
              Dimensions: Object.entries(metric.dimensions ?? {}).map(([Name, Value]) => ({ Name, Value })),
            },
            Period: periodSeconds,
            Stat: metric.stat ?? 'Sum',
          },
        },
      };
    }
    if (expression) {
      const step = typeof signal.spec.step === 'number' ? signal.spec.step : 60;
      return {
        periodSeconds: step,
        query: { Id: 'demand', ReturnData: true, Expression: expression, Period: step },
      };
    }
    throw new MetricSourceError(`signals.${signal.name}: cloudwatch needs metric or expression`);
  }

  async history(signal: DemandSignal, q: MetricQuery): Promise<Series> {
    const { query, periodSeconds } = CloudWatchMetricSource.queryFor(signal);
    const periodMs = periodSeconds * 1000;
    const to = q.to.getTime();
    const from = Math.max(q.from.getTime(), to - maxHistorySeconds(periodSeconds) * 1000);
    const input: GetMetricDataCommandInput = {
      MetricDataQueries: [query],
      StartTime: new Date(alignUp(from, periodMs)),
      EndTime: new Date(alignUp(to, periodMs)),
      ScanBy: 'TimestampAscending',
      ...(this.maxDatapoints ? { MaxDatapoints: this.maxDatapoints } : {}),
    };
    if (input.StartTime!.getTime() >= input.EndTime!.getTime())
      return { t: [], v: [], stepSeconds: periodSeconds };
    const byTime = new Map<number, number>();
    let token: string | undefined;
    let pages = 0;
    do {
      let out: GetMetricDataCommandOutput;
      try {
        out = await this.client(signal).send(new GetMetricDataCommand({ ...input, NextToken: token }));
      } catch (cause) {
        const e = cause as Error;
        throw new MetricSourceError(
          `signals.${signal.name}: CloudWatch GetMetricData failed: ${e.name}: ${e.message}`,
          {
            cause,
          },
        );
      }
      for (const r of out.MetricDataResults ?? []) {
        if (r.Id !== 'demand') continue;
        if (r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError') {
          const why = (r.Messages ?? []).map((m) => `${m.Code}: ${m.Value}`).join('; ');
          throw new MetricSourceError(
            `signals.${signal.name}: CloudWatch returned ${r.StatusCode}${why ? ` (${why})` : ''}`,
          );
        }
        const ts = r.Timestamps ?? [];
        const vs = r.Values ?? [];
        for (let i = 0; i < ts.length && i < vs.length; i++) {
          const v = vs[i]!;
          if (Number.isFinite(v)) byTime.set(new Date(ts[i]!).getTime(), v);
        }
      }
      token = out.NextToken;
      if (++pages >= MAX_PAGES && token)
        throw new MetricSourceError(
          `signals.${signal.name}: CloudWatch kept paginating after ${MAX_PAGES} pages`,
        );
    } while (token);
    const t = [...byTime.keys()].filter((x) => x >= from && x <= to).sort((a, b) => a - b);
    return { t, v: t.map((x) => byTime.get(x)!), stepSeconds: periodSeconds };
  }
}
