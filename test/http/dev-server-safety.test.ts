import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../shared/http/dev-server.ts';
import { slackSignature } from '../../shared/triggers/slack-signature.ts';
import { recordingLogger } from '../helpers/logger.ts';
import {
  alarmEvent,
  commandBody,
  fixture,
  SIGNING_SECRET,
  triggerWorld,
  WEBHOOK_TOKEN,
} from '../triggers/helpers.ts';

let server: DevServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A quiet Sunday night after the example campaign: nothing is raised yet. */
const QUIET = '2026-12-06T02:00:00Z';

async function serve(opts: { host?: string; webhookToken?: string | null } = {}) {
  const w = triggerWorld({ at: QUIET });
  const log = recordingLogger();
  server = await startDevServer(
    w.brain,
    { port: 0, host: opts.host },
    {
      clock: w.clock,
      logger: log.logger,
      webhookToken: opts.webhookToken === null ? undefined : (opts.webhookToken ?? WEBHOOK_TOKEN),
      slackSigningSecret: SIGNING_SECRET,
      respond: async (url, message) => {
        w.responses.push({ url, message });
      },
    },
  );
  const { port } = new URL(server.url);
  return { ...w, ...log, url: server.url, port: Number(port) };
}

/** The JSON answers these tests read. */
type Answer = { error: string; text?: string; accepted?: number };

/** A raw request as a browser or a script sends it: node:http lets us set Host and Origin. */
function send(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: Answer }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: {
          ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as Answer }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** What a web page can send without a CORS preflight: a text/plain POST carrying the alarm JSON. */
function alarmPost(headers: Record<string, string>) {
  return { method: 'POST', path: '/events', headers, body: JSON.stringify(alarmEvent()) };
}

async function expectNothingRaised(w: Awaited<ReturnType<typeof serve>>) {
  expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
  expect(await w.brain.audit()).toHaveLength(0);
}

describe('Function: startDevServer (safe on a laptop)', () => {
  it('refuses a cross-site text/plain POST /events with 415 and raises nothing', async () => {
    const w = await serve();
    const res = await send(w.url, alarmPost({ 'content-type': 'text/plain;charset=UTF-8' }));
    expect(res.status).toBe(415);
    expect(res.body.error).toBe('content-type must be application/json, got "text/plain"');
    const form = await send(w.url, alarmPost({ 'content-type': 'application/x-www-form-urlencoded' }));
    expect(form.status).toBe(415);
    const none = await send(w.url, alarmPost({}));
    expect(none.status).toBe(415);
    expect(none.body.error).toContain('got "none"');
    await expectNothingRaised(w);
  });

  it('refuses a text/plain AlertManager webhook with 415 even with the right token', async () => {
    const w = await serve();
    const res = await send(w.url, {
      method: 'POST',
      path: '/alertmanager',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body: JSON.stringify(fixture('alertmanager-webhook-v4.json')),
    });
    expect(res.status).toBe(415);
    await expectNothingRaised(w);
  });

  it('takes the same alarm as application/json from a loopback Host and raises the target', async () => {
    const w = await serve();
    const res = await send(w.url, alarmPost({ 'content-type': 'application/json; charset=utf-8' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: 1 });
    expect(await w.repo.intents(w.clock.now())).toContainEqual(
      expect.objectContaining({ target: 'api', rule: 'api-cpu-sustained' }),
    );
  });

  it('serves the loopback names localhost, 127.0.0.1 and [::1] with its port, and refuses others with 403 (DNS rebinding)', async () => {
    const w = await serve();
    for (const host of [
      `localhost:${w.port}`,
      `127.0.0.1:${w.port}`,
      `[::1]:${w.port}`,
      `LOCALHOST:${w.port}`,
    ])
      expect((await send(w.url, { path: '/healthz', headers: { host } })).status, host).toBe(200);
    for (const host of [
      `rebind.attacker.example:${w.port}`,
      'rebind.attacker.example',
      `localhost:${w.port + 1}`,
      'localhost',
      `127.0.0.1.nip.io:${w.port}`,
    ]) {
      const res = await send(w.url, { path: '/api/state', headers: { host } });
      expect(res.status, host).toBe(403);
      expect(res.body.error).toContain(`host: "${host}" is not this server`);
    }
    const post = await send(
      w.url,
      alarmPost({ host: `rebind.attacker.example:${w.port}`, 'content-type': 'application/json' }),
    );
    expect(post.status).toBe(403);
    await expectNothingRaised(w);
    expect(w.lines).toContainEqual({
      level: 'warn',
      message: expect.stringContaining('refused POST /events: host: "rebind.attacker.example'),
    });
  });

  it("refuses a request whose Origin is not the server's own with 403, and takes its own origin", async () => {
    const w = await serve();
    for (const origin of [
      'https://evil.example',
      'null',
      `http://rebind.attacker.example:${w.port}`,
      `https://127.0.0.1:${w.port}`,
      `http://127.0.0.1:${w.port + 1}`,
    ]) {
      const res = await send(w.url, alarmPost({ origin, 'content-type': 'application/json' }));
      expect(res.status, origin).toBe(403);
      expect(res.body.error).toBe(`origin: "${origin}" is not this server's origin`);
    }
    expect(
      (await send(w.url, { path: '/api/state', headers: { origin: 'https://evil.example' } })).status,
    ).toBe(403);
    await expectNothingRaised(w);
    const own = await send(
      w.url,
      alarmPost({ origin: `http://localhost:${w.port}`, 'content-type': 'application/json' }),
    );
    expect(own.status).toBe(200);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
  });

  it('keeps the form content type of the signed Slack routes', async () => {
    const w = await serve();
    const body = commandBody('campaign list');
    const ts = String(w.nowSeconds());
    const res = await send(w.url, {
      method: 'POST',
      path: '/slack/commands',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.body.text).toMatch(/black-friday-tv/);
  });

  it('answers the Host of the address it was told to listen on', async () => {
    const w = await serve({ host: '127.0.0.2' });
    expect(w.url).toBe(`http://127.0.0.2:${w.port}`);
    expect((await send(w.url, { path: '/healthz', headers: { host: `127.0.0.2:${w.port}` } })).status).toBe(
      200,
    );
    expect((await send(w.url, { path: '/healthz', headers: { host: `127.0.0.3:${w.port}` } })).status).toBe(
      403,
    );
  });

  it('prints route 500s and the unset-token warning through its logger', async () => {
    const w = await serve({ webhookToken: null });
    const saved = process.env.HEADROOM_WEBHOOK_TOKEN;
    expect(saved).toBeUndefined();
    expect(w.lines).toContainEqual({
      level: 'warn',
      message: 'HEADROOM_WEBHOOK_TOKEN is not set: POST /alertmanager accepts requests without a token',
    });
    w.brain.snapshot = async () => {
      throw new Error('state store unreachable');
    };
    const res = await send(w.url, { path: '/api/state' });
    expect(res.status).toBe(500);
    expect(w.lines).toContainEqual({ level: 'error', message: 'GET /api/state: state store unreachable' });
  });
});
