import type { DemandSignal } from '../../domain/types.ts';
import type { MetricQuery, MetricSource, Series } from '../../ports/metrics.ts';
import { MetricSourceError } from './errors.ts';

/** Prometheus refuses a range query above 11,000 points per series; stay below it per request. */
export const MAX_POINTS_PER_REQUEST = 10_000;
const TIMEOUT_MS = 15_000;

export interface PrometheusSourceOptions {
  fetch?: typeof fetch;
  /** Where `tokenEnv` is looked up (default process.env). */
  env?: Record<string, string | undefined>;
}

interface QueryRangeResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: { metric: Record<string, string>; values?: [number, string][] }[] };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

/** The URL for messages: never the user:password part. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}

/**
 * fetch refuses URLs with user:password; they become a Basic Authorization header (unless a
 * bearer token is configured) and never appear in a URL or a message again.
 */
function withoutCredentials(url: string, headers: Record<string, string>): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new MetricSourceError(`invalid Prometheus url ${redactUrl(url)}`);
  }
  if (u.username || u.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  return u.toString();
}

/**
 * `source: prometheus` signals through the HTTP API's `query_range` (`url`, `query`, optional
 * `step`, optional bearer token read from the environment variable named by `tokenEnv`, or
 * basic auth written in the URL). The
 * query must return one series (aggregate it, e.g. `sum(rate(http_requests_total[5m]))`); its
 * values are taken in the signal's `unit`. Long ranges are read in chunks below Prometheus'
 * 11,000-points limit; evaluation times are aligned to the step so repeated reads line up.
 */
export class PrometheusMetricSource implements MetricSource {
  private readonly fetch: typeof fetch;
  private readonly env: Record<string, string | undefined>;

  constructor(opts: PrometheusSourceOptions = {}) {
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.env = opts.env ?? process.env;
  }

  private headers(signal: DemandSignal): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const tokenEnv = signal.spec.tokenEnv;
    if (typeof tokenEnv === 'string' && tokenEnv !== '') {
      const token = this.env[tokenEnv];
      if (!token)
        throw new MetricSourceError(
          `signals.${signal.name}.tokenEnv: environment variable ${tokenEnv} is not set (it should hold the bearer token)`,
        );
      h.authorization = `Bearer ${token}`;
    }
    return h;
  }

  async history(signal: DemandSignal, q: MetricQuery): Promise<Series> {
    const url = signal.spec.url;
    const query = signal.spec.query;
    if (typeof url !== 'string' || typeof query !== 'string')
      throw new MetricSourceError(`signals.${signal.name}: prometheus needs url and query`);
    const step =
      typeof signal.spec.step === 'number' && signal.spec.step > 0 ? signal.spec.step : q.stepSeconds;
    const headers = this.headers(signal);
    const endpoint = `${withoutCredentials(url, headers).replace(/\/+$/, '')}/api/v1/query_range`;
    const stepMs = step * 1000;
    const first = Math.ceil(q.from.getTime() / stepMs) * stepMs;
    const last = Math.floor(q.to.getTime() / stepMs) * stepMs;
    const t: number[] = [];
    const v: number[] = [];
    for (let start = first; start <= last; start += MAX_POINTS_PER_REQUEST * stepMs) {
      const end = Math.min(last, start + (MAX_POINTS_PER_REQUEST - 1) * stepMs);
      const body = new URLSearchParams({
        query,
        start: String(start / 1000),
        end: String(end / 1000),
        step: String(step),
      });
      const res = await this.post(signal, endpoint, headers, body);
      const result = res.data?.result ?? [];
      if (result.length > 1)
        throw new MetricSourceError(
          `signals.${signal.name}.query: returned ${result.length} series; aggregate it to one (for example sum(...))`,
        );
      for (const [ts, raw] of result[0]?.values ?? []) {
        const value = Number(raw);
        // NaN and Inf samples are missing data, not demand.
        if (!Number.isFinite(value)) continue;
        t.push(Math.round(ts * 1000));
        v.push(value);
      }
    }
    return { t, v, stepSeconds: step };
  }

  private async post(
    signal: DemandSignal,
    endpoint: string,
    headers: Record<string, string>,
    body: URLSearchParams,
  ): Promise<QueryRangeResponse> {
    const where = `signals.${signal.name}: Prometheus ${redactUrl(endpoint)}`;
    let res: Response;
    try {
      res = await this.fetch(endpoint, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      throw new MetricSourceError(`${where}: ${(cause as Error).message}`, { cause });
    }
    const text = await res.text();
    let json: QueryRangeResponse | undefined;
    try {
      json = JSON.parse(text) as QueryRangeResponse;
    } catch {
      json = undefined;
    }
    if (!res.ok || json?.status !== 'success') {
      const detail = json?.error ? `${json.errorType ?? 'error'}: ${json.error}` : text.slice(0, 200).trim();
      throw new MetricSourceError(`${where} answered ${res.status}${detail ? ` (${detail})` : ''}`);
    }
    if (json.data?.resultType !== 'matrix')
      throw new MetricSourceError(
        `${where}: expected a matrix result, got ${json.data?.resultType ?? 'nothing'}`,
      );
    return json;
  }
}
