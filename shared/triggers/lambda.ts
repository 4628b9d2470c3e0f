import { createHash } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type LambdaRuntime, lambdaRuntime, metrics, powertoolsLogger } from '../app/lambda-runtime.ts';
import { HttpError, type HttpEvent, type HttpResult, json } from './http.ts';
import { dispatch, type Route } from './routes.ts';

/** The id that ties every log line of one delivery together: request id, event id or SNS message id. */
export function correlationIdOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as {
    requestContext?: { requestId?: unknown };
    id?: unknown;
    Records?: { Sns?: { MessageId?: unknown } }[];
    headroomDeferred?: { responseUrl?: unknown; key?: unknown };
  };
  // A deferred Slack job: its request key, never a piece of the response_url (a secret path).
  const url = e.headroomDeferred?.responseUrl;
  const deferred =
    e.headroomDeferred?.key ??
    (typeof url === 'string' ? createHash('sha256').update(url).digest('hex').slice(0, 12) : undefined);
  const id = e.requestContext?.requestId ?? e.id ?? e.Records?.[0]?.Sns?.MessageId ?? deferred;
  return id === undefined || id === null ? undefined : String(id);
}

/** A middy middleware (before hook) setting the Powertools correlation id; the event is never logged. */
export const correlationIds = (): MiddlewareObj => ({
  before: (request) => {
    const id = correlationIdOf(request.event);
    if (id) powertoolsLogger.setCorrelationId(String(id));
  },
});

/** middy + Powertools around a handler that receives the runtime of this cold start. */
export function lambdaHandler<E, R>(fn: (event: E, rt: LambdaRuntime, context: Context) => Promise<R>) {
  return middy(async (event: E, context: Context) => fn(event, await lambdaRuntime(), context))
    .use(injectLambdaContext(powertoolsLogger, { resetKeys: true }))
    .use(correlationIds())
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

/** Runs an HTTP route; a bug or an outage is logged and answered with a 500 that leaks nothing. */
export async function serveHttp(
  routes: Record<string, Route>,
  event: HttpEvent,
  rt: LambdaRuntime,
): Promise<HttpResult> {
  try {
    const res = await dispatch(routes, event, rt.deps);
    const status = res.statusCode ?? 200;
    metrics.addMetric(status < 400 ? 'Accepted' : 'Refused', MetricUnit.Count, 1);
    if (status >= 400) powertoolsLogger.warn('request refused', { status, route: event.routeKey });
    return res;
  } catch (err) {
    metrics.addMetric('Failed', MetricUnit.Count, 1);
    powertoolsLogger.error('request failed', err as Error);
    return json(500, { error: 'internal error; see the function logs' });
  }
}

/**
 * Runs a non-HTTP event. Bad input is logged and dropped (a retry would be just as bad);
 * an outage is thrown so EventBridge, SNS or Scheduler deliver the event again.
 */
export async function serveEvent<T>(fn: () => Promise<T>): Promise<T | { rejected: string }> {
  try {
    const out = await fn();
    metrics.addMetric('Accepted', MetricUnit.Count, 1);
    return out;
  } catch (err) {
    if (err instanceof HttpError || (err instanceof Error && err.name === 'InputError')) {
      metrics.addMetric('Refused', MetricUnit.Count, 1);
      powertoolsLogger.warn('event refused', { reason: (err as Error).message });
      return { rejected: (err as Error).message };
    }
    metrics.addMetric('Failed', MetricUnit.Count, 1);
    throw err;
  }
}
