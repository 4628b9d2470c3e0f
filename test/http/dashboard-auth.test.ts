import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../shared/http/dev-server.ts';
import { silentLogger } from '../../shared/ports/logger.ts';
import { dispatch, LAMBDA_ROUTES } from '../../shared/triggers/routes.ts';
import { APPROVER, bodyOf, httpEvent, triggerWorld, USER } from '../triggers/helpers.ts';

/** The deployed API's dashboard: the token the operator set as the `DashboardToken` secret. */
const TOKEN = 'dash-token-9c1e55';
const ORIGIN = 'https://api.example.com';

/** Before the example campaign: the database is still on its smallest class. */
const AT = '2026-11-27T18:00:00Z';

function deployed() {
  const w = triggerWorld({ at: AT });
  w.deps.dashboardToken = TOKEN;
  const call = (
    method: string,
    path: string,
    opts: Parameters<typeof httpEvent>[2] & { cookies?: string[] } = {},
  ) => {
    const event = httpEvent(method, path, { ...opts, headers: { host: 'api.example.com', ...opts.headers } });
    if (opts.cookies) event.cookies = opts.cookies;
    return dispatch(LAMBDA_ROUTES, event, w.deps);
  };
  return { ...w, call };
}

/** A db class change that waits for an approver (the example's db has `approval: required`). */
async function pendingDbStep(w: ReturnType<typeof deployed>): Promise<string> {
  await w.brain.requestFloor({
    target: 'db',
    floor: 'db.r6g.xlarge',
    forSeconds: 7200,
    reason: 'load test',
    source: { kind: 'cli', ref: 'test' },
  });
  const db = (await w.brain.snapshot()).targets.find((t) => t.id === 'db')!;
  expect(db.decision).toBe('needs-approval');
  return db.steps[0]!.id;
}

async function login(w: ReturnType<typeof deployed>): Promise<string> {
  const r = await w.call('POST', '/dashboard/login', {
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify({ token: TOKEN }),
  });
  expect(r.statusCode).toBe(204);
  return String(r.headers!['set-cookie']).split(';')[0]!;
}

describe('Deployed dashboard: the API answers only with the operator-set secret', () => {
  it('refuses every data route and the page with 401 without the token, and with a wrong one', async () => {
    const w = deployed();
    for (const path of [
      '/',
      '/dashboard/state',
      '/dashboard/audit',
      '/dashboard/forecast',
      '/dashboard/session',
    ]) {
      const none = await w.call('GET', path);
      expect(none.statusCode, path).toBe(401);
      expect(none.headers!['www-authenticate'], path).toMatch(/^Bearer/);
      expect(none.body, path).not.toContain('kaireon');
      const wrong = await w.call('GET', path, { headers: { authorization: 'Bearer not-the-token' } });
      expect(wrong.statusCode, path).toBe(401);
    }
    // The page itself: a 401 whose body is the login form, not the dashboard.
    const page = await w.call('GET', '/');
    expect(page.headers!['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('Dashboard token');
  });

  it('serves the targets to the bearer token, and to a browser after logging in with it', async () => {
    const w = deployed();
    const bearer = await w.call('GET', '/dashboard/state', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.statusCode).toBe(200);
    expect(bodyOf(bearer).targets.map((t: { id: string }) => t.id)).toContain('db-readers');

    const r = await w.call('POST', '/dashboard/login', {
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ token: TOKEN }),
    });
    const cookie = String(r.headers!['set-cookie']);
    expect(cookie).toMatch(
      /^headroom_dashboard=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/,
    );
    expect(cookie).not.toContain(TOKEN);
    // API Gateway (payload v2) hands cookies over in `cookies`, not in a header.
    const page = await w.call('GET', '/', { cookies: [cookie.split(';')[0]!] });
    expect(page.statusCode).toBe(200);
    expect(page.headers!['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('<h2 id="h-targets">Targets</h2>');
  });

  it('refuses a wrong token at login, and a login posted from another site', async () => {
    const w = deployed();
    const wrong = await w.call('POST', '/dashboard/login', {
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ token: 'guess' }),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers!['set-cookie']).toBeUndefined();
    const foreign = await w.call('POST', '/dashboard/login', {
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ token: TOKEN }),
    });
    expect(foreign.statusCode).toBe(403);
    expect(bodyOf(foreign).error).toContain('origin: "https://evil.example"');
  });

  it('is closed when the function has no DashboardToken linked: 401 even with a token', async () => {
    const w = deployed();
    w.deps.dashboardToken = undefined;
    const r = await w.call('GET', '/dashboard/state', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.statusCode).toBe(401);
    expect(bodyOf(r).error).toContain('DashboardToken');
  });
});

describe('Deployed dashboard: Approve and Reject are CSRF-protected and follow the Slack approvers', () => {
  it('approves a step for an approver with the CSRF token from the session, and the step runs', async () => {
    const w = deployed();
    const stepId = await pendingDbStep(w);
    const cookie = await login(w);
    const session = bodyOf(await w.call('GET', '/dashboard/session', { cookies: [cookie] }));
    // Each refresh reads every target from the cloud: a deployed page refreshes every 15 s.
    expect(session).toMatchObject({ auth: 'token', csrfHeader: 'x-headroom-csrf', refreshSeconds: 15 });
    const { csrf, csrfHeader } = session;
    const r = await w.call('POST', '/dashboard/decide', {
      cookies: [cookie],
      headers: { 'content-type': 'application/json', origin: ORIGIN, [csrfHeader]: csrf },
      body: JSON.stringify({ stepId, decision: 'approve', approver: APPROVER }),
    });
    expect(r.statusCode).toBe(200);
    expect(bodyOf(r)).toMatchObject({ stepId, decision: 'approved', results: [{ outcome: 'executed' }] });
    const audit = await w.brain.audit();
    expect(audit.find((a) => a.action === 'approval')).toMatchObject({
      stepId,
      actor: `dashboard:${APPROVER}`,
    });
    expect(audit.find((a) => a.action === 'step-executed' && a.target === 'db')).toBeTruthy();
  });

  it('changes nothing without the CSRF token, from another origin, or for a user who is not an approver', async () => {
    const w = deployed();
    const stepId = await pendingDbStep(w);
    const cookie = await login(w);
    const { csrf } = bodyOf(await w.call('GET', '/dashboard/session', { cookies: [cookie] }));
    const post = (headers: Record<string, string>, approver = APPROVER) =>
      w.call('POST', '/dashboard/decide', {
        cookies: [cookie],
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ stepId, decision: 'approve', approver }),
      });
    const noCsrf = await post({ origin: ORIGIN });
    expect(noCsrf.statusCode).toBe(403);
    expect(bodyOf(noCsrf).error).toContain('x-headroom-csrf');
    const foreign = await post({ origin: 'https://evil.example', 'x-headroom-csrf': csrf });
    expect(foreign.statusCode).toBe(403);
    const noOrigin = await post({ 'x-headroom-csrf': csrf });
    expect(noOrigin.statusCode).toBe(403);
    const user = await post({ origin: ORIGIN, 'x-headroom-csrf': csrf }, USER);
    expect(user.statusCode).toBe(403);
    expect(bodyOf(user).error).toBe('approver: you are not an approver');
    const badBody = await w.call('POST', '/dashboard/decide', {
      cookies: [cookie],
      headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-headroom-csrf': csrf },
      body: JSON.stringify({ stepId, decision: 'maybe', approver: APPROVER }),
    });
    expect(badBody.statusCode).toBe(400);
    expect(bodyOf(badBody).error).toMatch(/^decision: /);
    expect((await w.brain.audit()).filter((a) => a.action === 'approval')).toEqual([]);
    const db = (await w.brain.snapshot()).targets.find((t) => t.id === 'db')!;
    expect(db).toMatchObject({ decision: 'needs-approval', actual: 'db.r6g.large' });
  });
});

describe('headroom dev dashboard: open without a token only on a loopback address', () => {
  let server: DevServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(host: string, dashboardToken?: string) {
    const w = triggerWorld({ at: AT });
    server = await startDevServer(
      w.brain,
      { port: 0, host },
      { clock: w.clock, logger: silentLogger, dashboardToken },
    );
    return `http://127.0.0.1:${new URL(server.url).port}`;
  }

  it('serves the page and the state to this machine on 127.0.0.1', async () => {
    const url = await serve('127.0.0.1');
    expect((await fetch(`${url}/`)).status).toBe(200);
    const state = (await (await fetch(`${url}/dashboard/state`)).json()) as { targets: unknown[] };
    expect(state.targets).toHaveLength(7);
  });

  it('answers 401 on 0.0.0.0 until a token is set, then only to that token', async () => {
    const open = await serve('0.0.0.0');
    const refused = await fetch(`${open}/dashboard/state`);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toContain('HEADROOM_DASHBOARD_TOKEN');
    await server!.close();
    const url = await serve('0.0.0.0', TOKEN);
    expect((await fetch(`${url}/dashboard/state`)).status).toBe(401);
    expect((await fetch(`${url}/`)).status).toBe(401);
    const ok = await fetch(`${url}/dashboard/state`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });
});
