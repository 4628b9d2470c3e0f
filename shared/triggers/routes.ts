import { DASHBOARD_ROUTES } from '../http/dashboard/routes.ts';
import { alertmanagerRoute } from './alertmanager.ts';
import type { TriggerDeps } from './deps.ts';
import { eventsRoute } from './events.ts';
import { type HttpEvent, type HttpResult, json } from './http.ts';
import { slackCommandsRoute, slackInteractionsRoute } from './slack.ts';

export type Route = (event: HttpEvent, deps: TriggerDeps) => Promise<HttpResult>;

async function stateRoute(_e: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  return json(200, await deps.brain.snapshot());
}

async function auditRoute(e: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  const q = e.queryStringParameters ?? {};
  const since = q.since !== undefined ? new Date(q.since) : undefined;
  if (since && Number.isNaN(since.getTime())) return json(400, { error: `since: invalid time "${q.since}"` });
  const limit = q.limit !== undefined ? Number(q.limit) : 200;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    return json(400, { error: `limit: expected an integer from 1 to 10000, got "${q.limit}"` });
  return json(200, { entries: await deps.brain.audit({ since, limit }) });
}

async function healthRoute(): Promise<HttpResult> {
  return json(200, { ok: true });
}

/** The Lambda HTTP API routes of CONTRACTS.md, and the dashboard (authenticated: shared/http/dashboard). */
export const LAMBDA_ROUTES: Record<string, Route> = {
  'POST /alertmanager': alertmanagerRoute,
  'POST /slack/commands': slackCommandsRoute,
  'POST /slack/interactions': slackInteractionsRoute,
  'GET /healthz': healthRoute,
  ...DASHBOARD_ROUTES,
};

/** `headroom dev` serves the Lambda routes plus the local-only ones. */
export const DEV_ROUTES: Record<string, Route> = {
  ...LAMBDA_ROUTES,
  'POST /events': eventsRoute,
  'GET /api/state': stateRoute,
  'GET /api/audit': auditRoute,
};

/** Dispatches on method and path (`routeKey` when API Gateway set one); 404 / 405 otherwise. */
export async function dispatch(
  routes: Record<string, Route>,
  event: HttpEvent,
  deps: TriggerDeps,
): Promise<HttpResult> {
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '/';
  const key = event.routeKey && event.routeKey !== '$default' ? event.routeKey : `${method} ${path}`;
  // A parameterised API Gateway route (`GET /dashboard/{file}`) is served by its exact path.
  const route = routes[key] ?? routes[`${method} ${path}`];
  if (route) return route(event, deps);
  const allowed = Object.keys(routes)
    .filter((k) => k.endsWith(` ${path}`))
    .map((k) => k.split(' ')[0]!);
  if (allowed.length)
    return json(405, { error: `${method} not allowed on ${path}` }, { allow: allowed.join(', ') });
  return json(404, { error: `no route ${method} ${path}` });
}
