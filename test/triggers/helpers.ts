import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { DeferredSlackJob, TriggerDeps } from '../../shared/triggers/deps.ts';
import { finishSlackJob } from '../../shared/triggers/slack.ts';
import { slackSignature } from '../../shared/triggers/slack-signature.ts';
import { simBrain } from '../helpers/example.ts';

const EVENTS = path.resolve(import.meta.dirname, '../events');

export function fixtureText(name: string): string {
  return readFileSync(path.join(EVENTS, name), 'utf8');
}

/** A fresh copy of a JSON fixture of test/events. */
export function fixture<T = Record<string, any>>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** The documented alarm event, renamed to an alarm of the example config. */
export function alarmEvent(name = 'kaireon-api-cpu-high', file = 'cloudwatch-alarm-state-change.json') {
  const e = fixture(file);
  e.detail.alarmName = name;
  e.resources = [`arn:aws:cloudwatch:eu-central-1:123456789012:alarm:${name}`];
  return e;
}

/** An API Gateway HTTP API (payload v2) event, as the Lambda functions receive it. */
export function httpEvent(
  method: string,
  rawPath: string,
  opts: {
    body?: string | Buffer;
    headers?: Record<string, string>;
    base64?: boolean;
    query?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2 {
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  return {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString: '',
    headers: { ...(opts.headers ?? {}) },
    queryStringParameters: opts.query,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'req',
      routeKey: `${method} ${rawPath}`,
      stage: '$default',
      time: '27/Nov/2026:18:00:00 +0000',
      timeEpoch: 0,
    },
    body: body === undefined ? undefined : opts.base64 ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: Boolean(opts.base64),
  };
}

export const WEBHOOK_TOKEN = 't0k3n-for-tests';
export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const APPROVER = 'U024BE7LH';
export const USER = 'U0G9QF9C6';
export const CHANNEL = 'C2147483705';

/** A signed Slack request at the brain's clock (or `at` seconds). */
export function slackEvent(
  rawPath: string,
  body: string,
  opts: {
    secret?: string;
    timestamp?: number;
    base64?: boolean;
    tamper?: (b: string) => string;
    /** Slack's resend of a request it got no answer to in time: `X-Slack-Retry-Num`. */
    retryNum?: number;
  } = {},
): APIGatewayProxyEventV2 {
  const ts = String(opts.timestamp);
  const signature = slackSignature(opts.secret ?? SIGNING_SECRET, ts, body);
  return httpEvent('POST', rawPath, {
    body: opts.tamper ? opts.tamper(body) : body,
    base64: opts.base64,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': signature,
      ...(opts.retryNum !== undefined
        ? { 'x-slack-retry-num': String(opts.retryNum), 'x-slack-retry-reason': 'http_timeout' }
        : {}),
    },
  });
}

let triggers = 0;

/** A fresh `trigger_id`, as Slack gives every invocation of a command or button its own. */
export function nextTriggerId(): string {
  triggers++;
  return `13345224609.738474920.${triggers.toString(16).padStart(12, '0')}`;
}

/** The documented slash command form, with our command text, user and channel (and a fresh trigger_id). */
export function commandBody(text: string, user = USER, channel = CHANNEL): string {
  const form = new URLSearchParams(fixtureText('slack-slash-command.txt'));
  form.set('command', '/headroom');
  form.set('text', text);
  form.set('user_id', user);
  form.set('channel_id', channel);
  form.set('trigger_id', nextTriggerId());
  return form.toString();
}

/** A simulated brain with trigger deps whose deferred Slack work is awaited by the test. */
export function triggerWorld(opts: Parameters<typeof simBrain>[0] = {}) {
  const world = simBrain(opts);
  const responses: { url: string; message: Record<string, any> }[] = [];
  const pending: Promise<void>[] = [];
  const deps: TriggerDeps = {
    brain: world.brain,
    clock: world.clock,
    webhookToken: WEBHOOK_TOKEN,
    slackSigningSecret: SIGNING_SECRET,
    respond: async (url, message) => {
      responses.push({ url, message });
    },
  };
  deps.defer = async (job: DeferredSlackJob) => {
    pending.push(finishSlackJob(job, deps));
  };
  const nowSeconds = () => Math.floor(world.clock.now().getTime() / 1000);
  /** Waits for every deferred Slack job started so far. */
  const settle = async () => {
    while (pending.length) await pending.shift();
  };
  return { ...world, deps, responses, settle, nowSeconds };
}

export function bodyOf(r: { body?: string }): any {
  return JSON.parse(r.body ?? 'null');
}
