import {
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
  InvalidNextToken,
  InvalidParameterValueException,
  type MetricDataResult,
  MissingRequiredParameterException,
} from '@aws-sdk/client-cloudwatch';
import type { Clock } from '../../shared/ports/clock.ts';

/**
 * A stateful stand-in for CloudWatch's GetMetricData, for the parts Headroom uses: metrics
 * stored as 1-minute samples, aggregated per requested Period and Stat, 1-minute data kept 15
 * days (older periods come back empty, as from the service), ScanBy order (descending unless
 * asked), pagination after MaxDatapoints with an opaque NextToken bound to the request,
 * StatusCode PartialData until the last page, and the service's exception classes for bad
 * input. Every call is recorded.
 */
export class FakeCloudWatch {
  readonly calls: GetMetricDataCommandInput[] = [];
  /** Results the service marks Forbidden for these metric names (no permission). */
  readonly forbidden = new Set<string>();
  private readonly samples = new Map<string, Map<number, number>>();
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  static key(namespace: string, name: string, dims: Record<string, string> = {}): string {
    const d = Object.entries(dims)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return `${namespace}|${name}|${d}`;
  }

  /** Publishes a 1-minute sample (as PutMetricData would, with StorageResolution 60). */
  put(namespace: string, name: string, dims: Record<string, string>, at: number, value: number): void {
    const k = FakeCloudWatch.key(namespace, name, dims);
    let m = this.samples.get(k);
    if (!m) {
      m = new Map();
      this.samples.set(k, m);
    }
    m.set(Math.floor(at / 60_000) * 60_000, value);
  }

  async getMetricData(input: GetMetricDataCommandInput): Promise<GetMetricDataCommandOutput> {
    this.calls.push(structuredClone(input));
    const meta = { $metadata: { httpStatusCode: 400 } };
    if (!input.StartTime || !input.EndTime || !input.MetricDataQueries?.length)
      throw new MissingRequiredParameterException({
        ...meta,
        message: 'StartTime, EndTime and MetricDataQueries are required',
      });
    const start = new Date(input.StartTime).getTime();
    const end = new Date(input.EndTime).getTime();
    if (start >= end)
      throw new InvalidParameterValueException({
        ...meta,
        message: 'The parameter StartTime must be less than EndTime.',
      });
    const max = input.MaxDatapoints ?? 100_800;
    const series = input.MetricDataQueries.map((q) => {
      const stat = q.MetricStat;
      if (!stat)
        throw new InvalidParameterValueException({
          ...meta,
          message: 'The fake only evaluates MetricStat queries',
        });
      if (stat.Period === undefined || stat.Period % 60 !== 0)
        throw new InvalidParameterValueException({
          ...meta,
          message: `The parameter MetricDataQueries.member.1.MetricStat.Period must be a multiple of 60 for standard resolution metrics.`,
        });
      const dims = Object.fromEntries((stat.Metric?.Dimensions ?? []).map((d) => [d.Name!, d.Value!]));
      const name = stat.Metric?.MetricName ?? '';
      const k = FakeCloudWatch.key(stat.Metric?.Namespace ?? '', name, dims);
      return { id: q.Id!, name, points: this.aggregate(k, stat.Period, stat.Stat ?? 'Sum', start, end) };
    });
    if (input.ScanBy !== 'TimestampAscending') for (const s of series) s.points.reverse();
    // Pagination: datapoints of all queries in order, cut at MaxDatapoints.
    const request = JSON.stringify({ ...input, NextToken: undefined });
    let offset = 0;
    if (input.NextToken) {
      const decoded = decodeToken(input.NextToken);
      if (!decoded || decoded.request !== request)
        throw new InvalidNextToken({ ...meta, message: 'The service returned an invalid next token' });
      offset = decoded.offset;
    }
    const total = series.reduce((n, s) => n + s.points.length, 0);
    const results: MetricDataResult[] = [];
    let skipped = 0;
    let taken = 0;
    for (const s of series) {
      const from = Math.max(0, offset - skipped);
      const room = max - taken;
      const page = s.points.slice(from, from + room);
      skipped += s.points.length;
      taken += page.length;
      const done = from + page.length >= s.points.length;
      const forbidden = this.forbidden.has(s.name);
      results.push({
        Id: s.id,
        Label: s.name,
        Timestamps: forbidden ? [] : page.map((p) => new Date(p.t)),
        Values: forbidden ? [] : page.map((p) => p.v),
        StatusCode: forbidden ? 'Forbidden' : done ? 'Complete' : 'PartialData',
        Messages: forbidden ? [{ Code: 'Forbidden', Value: 'Insufficient permissions' }] : [],
      });
    }
    const next = offset + taken;
    return {
      $metadata: { httpStatusCode: 200, requestId: `req-${this.calls.length}` },
      MetricDataResults: results,
      NextToken: next < total ? encodeToken({ request, offset: next }) : undefined,
      Messages: [],
    };
  }

  /** Period aggregates over stored 1-minute samples; 1-minute data older than 15 days is gone. */
  private aggregate(key: string, period: number, stat: string, start: number, end: number) {
    const m = this.samples.get(key);
    const out: { t: number; v: number }[] = [];
    if (!m) return out;
    const p = period * 1000;
    const kept = this.clock.now().getTime() - 15 * 86_400_000;
    for (let t = Math.ceil(start / p) * p; t < end; t += p) {
      if (period === 60 && t < kept) continue;
      const vs: number[] = [];
      for (let s = t; s < t + p; s += 60_000) {
        const v = m.get(s);
        if (v !== undefined) vs.push(v);
      }
      if (vs.length === 0) continue;
      const sum = vs.reduce((a, b) => a + b, 0);
      const v =
        stat === 'Sum'
          ? sum
          : stat === 'Average'
            ? sum / vs.length
            : stat === 'Maximum'
              ? Math.max(...vs)
              : stat === 'SampleCount'
                ? vs.length
                : Number.NaN;
      out.push({ t, v });
    }
    return out;
  }
}

function encodeToken(x: { request: string; offset: number }): string {
  return Buffer.from(JSON.stringify(x)).toString('base64');
}

function decodeToken(token: string): { request: string; offset: number } | undefined {
  try {
    return JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}
