import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfigFile } from '../shared/app/config-file.ts';
import { openRuntime } from '../shared/cli/runtime.ts';
import { startDevServer } from '../shared/http/dev-server.ts';
import { systemClock } from '../shared/ports/clock.ts';
import type { Logger } from '../shared/ports/logger.ts';
import { matchingRules } from '../shared/rules/rules.ts';
import { slackSignature } from '../shared/triggers/slack-signature.ts';

/**
 * Trigger load: the real HTTP routes of `headroom dev` (node:http, the Lambda route code, the
 * embedded SQLite store, the simulated cloud) under AlertManager redeliveries and Slack retries.
 * It counts what a duplicate did, from the audit log, not from what the handler says about itself:
 * `duplicatesExecuted` is the number of intents created beyond one per distinct key.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLE = path.resolve(ROOT, '../shared/spec/headroom.example.yaml');
const EVENTS = path.join(ROOT, 'test/events');
const TOKEN = 'bench-webhook-token';
const SECRET = 'bench-slack-signing-secret';
const AM_REQUESTS = 2000;
const AM_CONCURRENCY = 20;
const SLACK_REQUESTS = 500;
/** About 20% of the Slack requests are retries, 5% exact replays; the rest distinct commands. */
const SLACK_RETRIES = SLACK_REQUESTS / 5;
const SLACK_REPLAYS = SLACK_REQUESTS / 20;
const SLACK_CONCURRENCY = 10;
/** Slack users of the example config's `access.slack`. */
const SLACK_USERS = ['U024BE7LH', 'U0G9QF9C6'];
const SLACK_CHANNEL = 'C2147483705';
/** Every request and the deferred Slack work must be done by then: the bench stops by itself. */
const DEADLINE_MS = 240_000;

/** A small deterministic PRNG (mulberry32): the same load on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentiles(ms: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : 0);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(s.at(-1) ?? 0) };
}

interface Sent {
  route: string;
  status: number;
  ms: number;
  body: unknown;
  error?: string;
}

/** Sends `requests` with at most `concurrency` in flight, in order; never throws. */
async function load(
  url: string,
  requests: { route: string; headers: Record<string, string>; body: string }[],
  concurrency: number,
  deadline: number,
): Promise<Sent[]> {
  const out: Sent[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length && Date.now() < deadline) {
      const i = next++;
      const r = requests[i]!;
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}${r.route}`, {
          method: 'POST',
          headers: r.headers,
          body: r.body,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        out[i] = { route: r.route, status: res.status, ms: performance.now() - t0, body };
      } catch (err) {
        out[i] = {
          route: r.route,
          status: 0,
          ms: performance.now() - t0,
          body: undefined,
          error: String(err),
        };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out.filter(Boolean);
}

interface Alert {
  status: 'firing';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/**
 * 120 distinct alert keys (fingerprint, startsAt, status): 60 alerts, each in two episodes. A
 * third are the example's critical WorkerQueueBacklog (its rule raises `workers`), the rest do
 * not match any rule (warnings, other alerts), as on a real AlertManager.
 */
function alertPool(now: number): Alert[] {
  const pool: Alert[] = [];
  for (let i = 0; i < 60; i++) {
    const labels: Record<string, string> =
      i % 3 === 0
        ? { alertname: 'WorkerQueueBacklog', queue: `q${i}`, job: 'kaireon-worker', severity: 'critical' }
        : i % 3 === 1
          ? { alertname: 'WorkerQueueBacklog', queue: `q${i}`, job: 'kaireon-worker', severity: 'warning' }
          : { alertname: 'HighRequestLatency', route: `/r${i}`, job: 'kaireon-api', severity: 'page' };
    labels.instance = `kaireon-${i}`;
    const fingerprint = createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
    for (const episode of [0, 1])
      pool.push({
        status: 'firing',
        labels,
        annotations: { summary: `${labels.alertname} on ${labels.instance}` },
        startsAt: new Date(now - (episode ? 5 : 45) * 60_000 - i * 1000).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=up&g0.tab=1',
        fingerprint,
      });
  }
  return pool;
}

const keyOf = (a: Alert) => `${a.fingerprint}:${a.startsAt}:${a.status}`;

async function alertmanagerLoad(url: string, now: number, deadline: number) {
  const rand = prng(11);
  const template = JSON.parse(readFileSync(path.join(EVENTS, 'alertmanager-webhook-v4.json'), 'utf8'));
  const pool = alertPool(now);
  const requests = [];
  const seen = new Map<string, Alert>();
  let deliveries = 0;
  for (let i = 0; i < AM_REQUESTS; i++) {
    // A group of 1-5 alerts, as AlertManager sends a group again every group_interval.
    const n = 1 + Math.floor(rand() * 5);
    const alerts: Alert[] = [];
    for (let k = 0; k < n; k++) {
      const a = pool[Math.floor(rand() * pool.length)]!;
      if (!alerts.includes(a)) alerts.push(a);
    }
    for (const a of alerts) seen.set(keyOf(a), a);
    deliveries += alerts.length;
    const body = JSON.stringify({
      ...template,
      status: 'firing',
      alerts,
      groupLabels: { alertname: alerts[0]!.labels.alertname },
      commonLabels: { alertname: alerts[0]!.labels.alertname },
      truncatedAlerts: 0,
    });
    requests.push({
      route: '/alertmanager',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body,
    });
  }
  const sent = await load(url, requests, AM_CONCURRENCY, deadline);
  let saidDuplicate = 0;
  for (const s of sent) {
    const b = s.body as { duplicates?: number } | undefined;
    if (s.status === 200 && typeof b?.duplicates === 'number') saidDuplicate += b.duplicates;
  }
  return { sent, deliveries, distinct: [...seen.values()], saidDuplicate };
}

interface SlackRequest {
  route: string;
  headers: Record<string, string>;
  body: string;
  /** The logical command this request carries (its trigger_id). */
  key: string;
  kind: 'original' | 'retry' | 'replay';
  scale: boolean;
}

/**
 * 500 slash commands: 375 distinct ones (most `scale ... floor N for 1h`, which creates an intent,
 * some `campaign list` and `help`), 100 Slack retries of them (same payload and trigger_id, new
 * timestamp and signature, `X-Slack-Retry-Num` 1-3 and `X-Slack-Retry-Reason: http_timeout`) and
 * 25 exact replays of a request already sent (same headers, same signature).
 */
function slackRequests(now: number): SlackRequest[] {
  const rand = prng(7);
  const base = new URLSearchParams(readFileSync(path.join(EVENTS, 'slack-slash-command.txt'), 'utf8'));
  const sign = (body: string, extra: Record<string, string> = {}) => {
    const ts = String(Math.floor(now / 1000));
    return {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': slackSignature(SECRET, ts, body),
      ...extra,
    };
  };
  const originals: SlackRequest[] = [];
  for (let i = 0; i < SLACK_REQUESTS - SLACK_RETRIES - SLACK_REPLAYS; i++) {
    const form = new URLSearchParams(base);
    const r = rand();
    const target = r < 0.5 ? 'api' : 'workers';
    const scale = r < 0.88;
    const text = scale
      ? `scale ${target} floor ${4 + Math.floor(rand() * 20)} for 1h`
      : r < 0.95
        ? 'campaign list'
        : 'help';
    form.set('command', '/headroom');
    form.set('text', text);
    form.set('user_id', SLACK_USERS[i % SLACK_USERS.length]!);
    form.set('channel_id', SLACK_CHANNEL);
    form.set('response_url', `https://hooks.slack.com/commands/T0001/${i}/bench`);
    const key = `${13345224609 + i}.738474920.${createHash('sha1').update(String(i)).digest('hex').slice(0, 20)}`;
    form.set('trigger_id', key);
    const body = form.toString();
    originals.push({ route: '/slack/commands', headers: sign(body), body, key, kind: 'original', scale });
  }
  const out: SlackRequest[] = [...originals];
  // Retries and replays come some requests after their original, as Slack retries after 1, 60
  // and 300 s (compressed here); an insertion point after the original keeps the order causal.
  const insertAfter = (req: SlackRequest, of: SlackRequest) => {
    const at = out.indexOf(of);
    const pos = Math.min(out.length, at + 1 + Math.floor(rand() * 40));
    out.splice(pos, 0, req);
  };
  for (let i = 0; i < SLACK_RETRIES; i++) {
    const of = originals[Math.floor(rand() * originals.length)]!;
    const n = 1 + (i % 3);
    insertAfter(
      {
        ...of,
        headers: sign(of.body, { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' }),
        kind: 'retry',
      },
      of,
    );
  }
  for (let i = 0; i < SLACK_REPLAYS; i++) {
    const of = originals[Math.floor(rand() * originals.length)]!;
    insertAfter({ ...of, headers: { ...of.headers }, kind: 'replay' }, of);
  }
  return out;
}

export async function benchTriggers() {
  const started = performance.now();
  const deadline = Date.now() + DEADLINE_MS;
  const dir = mkdtempSync(path.join(tmpdir(), 'headroom-bench-triggers-'));
  const config = loadConfigFile(EXAMPLE);
  const serverErrors: string[] = [];
  const logger: Logger = { info: () => {}, warn: () => {}, error: (m) => serverErrors.push(m) };
  const rt = await openRuntime({ config, cloud: 'sim', stateDir: dir, clock: systemClock });
  const responses: { url: string; text: string }[] = [];
  const server = await startDevServer(
    rt.brain,
    { port: 0, host: '127.0.0.1' },
    {
      clock: systemClock,
      logger,
      webhookToken: TOKEN,
      slackSigningSecret: SECRET,
      respond: async (url, message) => {
        responses.push({ url, text: String(message.text ?? '') });
      },
    },
  );
  try {
    const now = Date.now();
    // AlertManager ------------------------------------------------------------------------
    const am = await alertmanagerLoad(server.url, now, deadline);
    const afterAm = await rt.brain.audit({ limit: 10_000 });
    const alertIntents = afterAm.filter(
      (e) => e.action === 'intent-created' && e.reason?.includes(' is firing') && e.actor === undefined,
    ).length;
    const expectedAlertIntents = am.distinct.reduce(
      (n, a) =>
        n +
        matchingRules(config, {
          kind: 'alert',
          labels: a.labels,
          status: a.status,
          fingerprint: a.fingerprint,
          startsAt: a.startsAt,
        }).length,
      0,
    );

    // Slack --------------------------------------------------------------------------------
    const slack = slackRequests(Date.now());
    const slackSent = await load(server.url, slack, SLACK_CONCURRENCY, deadline);
    // Deferred commands answer through response_url: wait for every one that was acknowledged.
    const deferred = slackSent.filter(
      (s) => s.status === 200 && String((s.body as { text?: string })?.text).includes('working on'),
    ).length;
    while (responses.length < deferred && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const audit = await rt.brain.audit({ limit: 10_000 });
    const slackIntents = audit.filter(
      (e) => e.action === 'intent-created' && e.actor !== undefined && SLACK_USERS.includes(e.actor),
    ).length;
    const distinctScale = new Set(slack.filter((s) => s.scale).map((s) => s.key)).size;
    const failedDeferred = responses.filter((r) => r.text.startsWith(':x:')).length;

    const errorsOf = (sent: Sent[]) => sent.filter((s) => s.status !== 200 || s.error).length;
    const statuses = (sent: Sent[]) =>
      sent.reduce<Record<string, number>>((m, s) => {
        m[String(s.status)] = (m[String(s.status)] ?? 0) + 1;
        return m;
      }, {});
    return {
      via: 'headroom dev HTTP server (node:http) with the embedded SQLite store and the simulated cloud',
      seconds: Math.round((performance.now() - started) / 100) / 10,
      errorsExpected: 0,
      serverErrors: serverErrors.length,
      serverErrorSamples: serverErrors.slice(0, 5),
      alertmanager: {
        requests: AM_REQUESTS,
        answered: am.sent.length,
        concurrency: AM_CONCURRENCY,
        errors: errorsOf(am.sent),
        statuses: statuses(am.sent),
        alertDeliveries: am.deliveries,
        distinctKeys: am.distinct.length,
        duplicates: am.deliveries - am.distinct.length,
        answeredAsDuplicate: am.saidDuplicate,
        intentsCreated: alertIntents,
        intentsExpected: expectedAlertIntents,
        duplicatesExecuted: alertIntents - expectedAlertIntents,
        latencyMs: percentiles(am.sent.map((s) => s.ms)),
      },
      slack: {
        requests: slack.length,
        answered: slackSent.length,
        concurrency: SLACK_CONCURRENCY,
        errors: errorsOf(slackSent) + failedDeferred,
        statuses: statuses(slackSent),
        retries: slack.filter((s) => s.kind === 'retry').length,
        replays: slack.filter((s) => s.kind === 'replay').length,
        duplicates: slack.length - new Set(slack.map((s) => s.key)).size,
        distinctScaleCommands: distinctScale,
        scaleRequests: slack.filter((s) => s.scale).length,
        deferredAnswered: responses.length,
        deferredFailed: failedDeferred,
        intentsCreated: slackIntents,
        intentsExpected: distinctScale,
        duplicatesExecuted: slackIntents - distinctScale,
        latencyMs: percentiles(slackSent.map((s) => s.ms)),
      },
    };
  } finally {
    await server.close();
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
