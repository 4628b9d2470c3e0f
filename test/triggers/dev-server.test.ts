import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../shared/http/dev-server.ts';
import { MAX_BODY_BYTES } from '../../shared/triggers/http.ts';
import { slackSignature } from '../../shared/triggers/slack-signature.ts';
import { alarmEvent, commandBody, fixture, SIGNING_SECRET, triggerWorld, WEBHOOK_TOKEN } from './helpers.ts';

let server: DevServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A quiet Sunday night after the example campaign: nothing is raised yet. */
const QUIET = '2026-12-06T02:00:00Z';

async function serve() {
  const w = triggerWorld({ at: QUIET });
  server = await startDevServer(
    w.brain,
    { port: 0 },
    {
      clock: w.clock,
      webhookToken: WEBHOOK_TOKEN,
      slackSigningSecret: SIGNING_SECRET,
      respond: async (url, message) => {
        w.responses.push({ url, message });
      },
    },
  );
  return { ...w, url: server.url };
}

describe('Function: startDevServer', () => {
  it('answers /healthz, and 404 / 405 for unknown routes and methods', async () => {
    const { url } = await serve();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const wrong = await fetch(`${url}/alertmanager`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('takes an alarm on POST /events and shows the intent and raised desired capacity on GET /api/state', async () => {
    const { url } = await serve();
    const before = await (await fetch(`${url}/api/state`)).json();
    const res = await fetch(`${url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alarmEvent()),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const state: any = await (await fetch(`${url}/api/state`)).json();
    expect(state.intents).toContainEqual(
      expect.objectContaining({ target: 'api', rule: 'api-cpu-sustained' }),
    );
    const api = (s: any) => s.targets.find((t: any) => t.id === 'api');
    expect(api(state).desired).toBeGreaterThan(api(before).desired);
    const audit: any = await (await fetch(`${url}/api/audit?limit=5`)).json();
    expect(Date.parse(audit.entries[0].at)).toBeGreaterThan(0);
    expect(audit.entries.map((e: { action: string }) => e.action)).toContain('intent-created');
  });

  it('refuses a body over 1 MiB with 413 and a bad audit query with 400', async () => {
    const { url } = await serve();
    const big = await fetch(`${url}/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body: JSON.stringify({
        ...fixture('alertmanager-webhook-v4.json'),
        pad: 'x'.repeat(MAX_BODY_BYTES + 10),
      }),
    });
    expect(big.status).toBe(413);
    expect((await fetch(`${url}/api/audit?since=yesterday`)).status).toBe(400);
  });

  it('serves a signed Slack command exactly as the Lambda does', async () => {
    const w = await serve();
    const body = commandBody('campaign list');
    const ts = String(w.nowSeconds());
    const res = await fetch(`${w.url}/slack/commands`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': slackSignature(SIGNING_SECRET, ts, body),
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toMatch(/black-friday-tv/);
  });

  it('reads the tokens from the environment when no options are given', async () => {
    const w = triggerWorld();
    process.env.HEADROOM_WEBHOOK_TOKEN = 'from-env';
    try {
      server = await startDevServer(w.brain, { port: 0 });
    } finally {
      delete process.env.HEADROOM_WEBHOOK_TOKEN;
    }
    const post = (token: string) =>
      fetch(`${server!.url}/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(fixture('alertmanager-webhook-v4.json')),
      });
    expect((await post('wrong')).status).toBe(401);
    expect((await post('from-env')).status).toBe(200);
  });
});
