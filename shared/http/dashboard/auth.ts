import { createHmac, randomBytes } from 'node:crypto';
import type { TriggerDeps } from '../../triggers/deps.ts';
import { HttpError, type HttpEvent, header, safeEqual } from '../../triggers/http.ts';

/** The cookie a browser keeps after `POST /dashboard/login`. */
export const SESSION_COOKIE = 'headroom_dashboard';
/** How long a dashboard login lasts. */
export const SESSION_SECONDS = 12 * 3600;
/** The header the page sends its CSRF token in on every POST. */
export const CSRF_HEADER = 'x-headroom-csrf';

/**
 * Who may open the dashboard. Deployed, an operator-set secret (`DashboardToken`): a browser
 * logs in once with it and keeps an HttpOnly cookie derived from it; scripts send it as a
 * bearer token. `headroom dev` without `HEADROOM_DASHBOARD_TOKEN` is `local`: its Host and
 * Origin checks keep it to this machine, as for `/api/state`. Anything else refuses everything.
 */
export type DashboardAccess = { mode: 'token'; token: string } | { mode: 'local'; key: string };

export function dashboardAccess(
  deps: Pick<TriggerDeps, 'dashboardToken' | 'dashboardLocal'>,
): DashboardAccess | undefined {
  if (deps.dashboardToken) return { mode: 'token', token: deps.dashboardToken };
  if (deps.dashboardLocal) return { mode: 'local', key: LOCAL_KEY };
  return undefined;
}

/** The per-process key of a local dashboard's CSRF tokens. */
const LOCAL_KEY = randomBytes(32).toString('hex');

function derive(secret: string, purpose: string): string {
  return createHmac('sha256', secret).update(`headroom-dashboard:${purpose}`).digest('base64url');
}

/** The session cookie's value: derived from the secret, so the secret itself never sits in a browser. */
export function sessionValue(access: DashboardAccess): string {
  return derive(access.mode === 'token' ? access.token : access.key, 'session');
}

/** The token the page must echo in `x-headroom-csrf` (given by `GET /dashboard/session`). */
export function csrfToken(access: DashboardAccess): string {
  return derive(access.mode === 'token' ? access.token : access.key, 'csrf');
}

function cookies(event: HttpEvent): Map<string, string> {
  const out = new Map<string, string>();
  const parts = [...(event.cookies ?? []), ...(header(event, 'cookie') ?? '').split(';')];
  for (const part of parts) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/** True when the request carries the secret (bearer) or the session cookie; local access always is. */
export function authenticated(event: HttpEvent, access: DashboardAccess): boolean {
  if (access.mode === 'local') return true;
  const auth = header(event, 'authorization') ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(auth.trim())?.[1];
  if (bearer !== undefined) return safeEqual(bearer, access.token);
  const cookie = cookies(event).get(SESSION_COOKIE);
  return cookie !== undefined && safeEqual(cookie, sessionValue(access));
}

/** The Origin of a state-changing request must be the page's own (the Host it was sent to). */
export function requireSameOrigin(event: HttpEvent): void {
  const origin = header(event, 'origin');
  const host = header(event, 'host') ?? event.requestContext?.domainName;
  let own = false;
  try {
    own = origin !== undefined && host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    own = false;
  }
  if (!own) throw new HttpError(403, `origin: "${origin ?? ''}" is not this dashboard's origin`);
  const site = header(event, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin')
    throw new HttpError(403, `sec-fetch-site: "${site}" (only the dashboard's own page may post)`);
}

/** Same origin, and the CSRF token of this dashboard in its header. */
export function requireCsrf(event: HttpEvent, access: DashboardAccess): void {
  requireSameOrigin(event);
  const sent = header(event, CSRF_HEADER);
  if (sent === undefined || !safeEqual(sent, csrfToken(access)))
    throw new HttpError(403, `${CSRF_HEADER}: missing or wrong CSRF token (reload the dashboard)`);
}

/** `Set-Cookie` of a login: HttpOnly, SameSite=Strict, Secure unless served on this machine over http. */
export function sessionCookie(event: HttpEvent, access: DashboardAccess): string {
  const host = (header(event, 'host') ?? '').toLowerCase();
  const local = /^(localhost|127\.[\d.]+|\[::1\])(:\d+)?$/.test(host);
  return `${SESSION_COOKIE}=${sessionValue(access)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${local ? '' : '; Secure'}`;
}
