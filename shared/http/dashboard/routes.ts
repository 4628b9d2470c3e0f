import * as z from 'zod';
import type { TriggerDeps } from '../../triggers/deps.ts';
import {
  describeZodError,
  HttpError,
  type HttpEvent,
  type HttpResult,
  json,
  parseJson,
  rawBody,
  refusal,
  requireMediaType,
  safeEqual,
} from '../../triggers/http.ts';
import { checkAccess } from '../../triggers/slack-commands.ts';
import { ASSETS, asset } from './assets.ts';
import {
  authenticated,
  CSRF_HEADER,
  csrfToken,
  type DashboardAccess,
  dashboardAccess,
  requireCsrf,
  requireSameOrigin,
  sessionCookie,
} from './auth.ts';

const NOT_CONFIGURED =
  'the dashboard is not configured: set the DashboardToken secret (HEADROOM_DASHBOARD_TOKEN for headroom dev)';

type Route = (event: HttpEvent, deps: TriggerDeps) => Promise<HttpResult>;

/** Nothing the page loads may come from elsewhere, and no other site may frame it. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function file(name: string, status = 200): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': ASSETS[name]!, ...PAGE_HEADERS },
    body: asset(name),
  };
}

function unauthorized(page: boolean): HttpResult {
  const headers = { 'www-authenticate': 'Bearer realm="headroom-dashboard"' };
  if (!page) return json(401, { error: 'authentication required: log in to the dashboard' }, headers);
  const r = file('login.html', 401);
  return { ...r, headers: { ...r.headers, ...headers } };
}

/** A route that answers only an authenticated caller; `csrf`: also only the page's own POSTs. */
function guarded(
  fn: (event: HttpEvent, deps: TriggerDeps, access: DashboardAccess) => Promise<HttpResult>,
  opts: { page?: boolean; csrf?: boolean } = {},
): Route {
  return async (event, deps) => {
    const access = dashboardAccess(deps);
    if (!access) return json(401, { error: NOT_CONFIGURED });
    if (!authenticated(event, access)) return unauthorized(opts.page ?? false);
    try {
      if (opts.csrf) requireCsrf(event, access);
      return await fn(event, deps, access);
    } catch (err) {
      const r = refusal(err);
      if (r) return r;
      throw err;
    }
  };
}

function body<T>(event: HttpEvent, schema: z.ZodType<T>): T {
  requireMediaType(event, 'application/json');
  const parsed = schema.safeParse(parseJson(rawBody(event)));
  if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
  return parsed.data;
}

/** The snapshot of `/api/state` plus what the page draws from the config (lead times, capacity). */
async function state(_e: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  const { config } = deps.brain;
  const snapshot = await deps.brain.snapshot();
  return json(200, {
    ...snapshot,
    config: {
      timezone: config.timezone,
      approvers: config.access.slack?.approvers ?? [],
      targets: config.targets.map((t) => ({
        id: t.id,
        kind: t.kind,
        leadTimeSeconds: t.leadTimeSeconds,
        marginSeconds: t.marginSeconds,
        approval: t.approval,
        tiers: t.tiers,
        capacity: t.capacity,
        bounds: t.bounds,
      })),
    },
  });
}

/** `GET /dashboard/audit?since=ISO&limit=N&action=A&target=T`: newest first, filtered. */
async function audit(e: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  const q = e.queryStringParameters ?? {};
  const since = q.since ? new Date(q.since) : undefined;
  if (since && Number.isNaN(since.getTime())) return json(400, { error: `since: invalid time "${q.since}"` });
  const limit = q.limit !== undefined ? Number(q.limit) : 200;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    return json(400, { error: `limit: expected an integer from 1 to 10000, got "${q.limit}"` });
  if (q.target) deps.brain.target(q.target);
  const filtered = Boolean(q.action || q.target);
  const entries = (await deps.brain.audit({ since, limit: filtered ? 10_000 : limit }))
    .filter((a) => (!q.action || a.action === q.action) && (!q.target || a.target === q.target))
    .slice(0, limit);
  return json(200, { entries });
}

/** `GET /dashboard/forecast`: each signal's forecast over the predictive horizon (at least 2 h). */
async function forecast(_e: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  const { config } = deps.brain;
  const horizon = Math.max(7200, ...config.predictive.map((p) => p.horizonSeconds));
  const views = await deps.brain.forecasts(new Date(deps.clock.now().getTime() + horizon * 1000));
  return json(200, { signals: views });
}

const Decide = z.strictObject({
  stepId: z.string().min(1).max(200),
  decision: z.enum(['approve', 'reject']),
  approver: z.string().min(1).max(100),
});

/** Approve / Reject a step: the approver must be one of Slack's (`access.slack.approvers`). */
async function decide(e: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  const d = body(e, Decide);
  try {
    checkAccess(deps.brain.config.access.slack, d.approver, '', 'decide');
  } catch (err) {
    throw new HttpError(403, `approver: ${(err as Error).message}`);
  }
  const decision = d.decision === 'approve' ? 'approved' : 'rejected';
  const r = await deps.brain.decide(d.stepId, decision, `dashboard:${d.approver}`);
  return json(200, {
    stepId: d.stepId,
    decision,
    results: r.results.filter((x) => x.stepId === d.stepId),
  });
}

/** What the page needs before anything else: how it is authenticated and its CSRF token. */
async function session(_e: HttpEvent, _deps: TriggerDeps, access: DashboardAccess): Promise<HttpResult> {
  // Deployed, each refresh reads every target from the cloud's APIs: every 15 s, not every 2 s.
  const refreshSeconds = access.mode === 'local' ? 2 : 15;
  return json(200, { auth: access.mode, csrf: csrfToken(access), csrfHeader: CSRF_HEADER, refreshSeconds });
}

/** `POST /dashboard/login` `{"token": "..."}`: the secret, once, for an HttpOnly session cookie. */
async function login(e: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  const access = dashboardAccess(deps);
  if (!access) return json(401, { error: NOT_CONFIGURED });
  try {
    requireSameOrigin(e);
    const { token } = body(e, z.strictObject({ token: z.string().min(1).max(1000) }));
    if (access.mode === 'token' && !safeEqual(token, access.token))
      return json(401, { error: 'token: not the dashboard token' });
    return {
      statusCode: 204,
      headers: { 'set-cookie': sessionCookie(e, access), 'cache-control': 'no-store' },
    };
  } catch (err) {
    const r = refusal(err);
    if (r) return r;
    throw err;
  }
}

/** The page's code and styles: public (the same as in the repository), never data. */
const assetRoutes: Record<string, Route> = Object.fromEntries(
  Object.keys(ASSETS)
    .filter((n) => n.endsWith('.js') || n.endsWith('.css'))
    .map((n) => [`GET /dashboard/${n}`, async () => file(n)]),
);

/** The dashboard of `headroom dev` and the deployed API (docs/operations.md). */
export const DASHBOARD_ROUTES: Record<string, Route> = {
  'GET /': guarded(async () => file('index.html'), { page: true }),
  ...assetRoutes,
  'GET /dashboard/session': guarded(session),
  'POST /dashboard/login': login,
  'GET /dashboard/state': guarded(state),
  'GET /dashboard/audit': guarded(audit),
  'GET /dashboard/forecast': guarded(forecast),
  'POST /dashboard/decide': guarded(decide, { csrf: true }),
};
