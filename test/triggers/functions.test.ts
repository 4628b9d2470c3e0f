import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as alarm } from '../../functions/alarm.ts';
import { handler as alertmanager } from '../../functions/alertmanager.ts';
import { handler as bus } from '../../functions/bus.ts';
import { handler as schedule } from '../../functions/schedule.ts';
import { handler as slack } from '../../functions/slack.ts';
import { invokeAsync } from '../../shared/app/lambda-invoke.ts';
import { buildLambdaRuntime, useLambdaRuntime } from '../../shared/app/lambda-runtime.ts';
import type { DeferredSlackJob } from '../../shared/triggers/deps.ts';
import { simBrain } from '../helpers/example.ts';
import {
  alarmEvent,
  bodyOf,
  CHANNEL,
  commandBody,
  fixture,
  httpEvent,
  SIGNING_SECRET,
  slackEvent,
  USER,
  WEBHOOK_TOKEN,
} from './helpers.ts';

const context = {
  functionName: 'headroom-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:headroom-test',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  logGroupName: '/aws/lambda/headroom-test',
  logStreamName: '2026/11/27/[$LATEST]abc',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 3000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
} as unknown as Context;

const secret = (value: string) => JSON.stringify({ type: 'sst.sst.Secret', value });

beforeAll(() => {
  vi.stubEnv('SST_RESOURCE_App', JSON.stringify({ name: 'headroom', stage: 'test' }));
  vi.stubEnv('SST_RESOURCE_WebhookToken', secret(WEBHOOK_TOKEN));
  vi.stubEnv('SST_RESOURCE_SlackSigningSecret', secret(SIGNING_SECRET));
});
afterAll(() => vi.unstubAllEnvs());

let logs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  useLambdaRuntime(undefined);
});

/** A Lambda runtime on the simulated cloud; linked secrets come from SST_RESOURCE_* as in AWS. */
async function world() {
  const w = simBrain();
  const deferred: DeferredSlackJob[] = [];
  const responses: { url: string; message: Record<string, any> }[] = [];
  const rt = await buildLambdaRuntime({
    config: w.config,
    store: w.store,
    actuators: w.sim.registry,
    clock: w.clock,
    notifier: w.notifier,
    defer: async (job) => {
      deferred.push(job);
    },
  });
  rt.deps.respond = async (url, message) => {
    responses.push({ url, message });
  };
  useLambdaRuntime(rt);
  logs = [];
  const capture = (chunk: unknown) => {
    logs.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as never);
  return { ...w, rt, deferred, responses, now: () => Math.floor(w.clock.now().getTime() / 1000) };
}

describe('Function: alertmanager handler', () => {
  it('answers 401 without the linked bearer token and 200 with it', async () => {
    const w = await world();
    const body = JSON.stringify(fixture('alertmanager-webhook-v4.json'));
    const anonymous = await alertmanager(
      httpEvent('POST', '/alertmanager', { body, headers: { 'content-type': 'application/json' } }),
      context,
    );
    expect(anonymous.statusCode).toBe(401);
    const ok = await alertmanager(
      httpEvent('POST', '/alertmanager', {
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
      }),
      context,
    );
    expect(ok.statusCode).toBe(200);
    expect(bodyOf(ok)).toMatchObject({ accepted: 2, intents: 1 });
    expect((await w.repo.intents(w.clock.now())).map((i) => i.target)).toEqual(['workers']);
  });

  it('answers the health probe without a token, and nothing else without one', async () => {
    await world();
    const health = await alertmanager(httpEvent('GET', '/healthz', {}), context);
    expect(health.statusCode).toBe(200);
    expect(bodyOf(health)).toEqual({ ok: true });
    const state = await alertmanager(httpEvent('GET', '/api/state', {}), context);
    expect(state.statusCode).toBe(404);
  });

  it('never writes the token into the logs, and tags log lines with the request id', async () => {
    await world();
    await alertmanager(
      httpEvent('POST', '/alertmanager', {
        body: '{',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
      }),
      context,
    );
    const text = logs.join('');
    expect(text).toContain('"correlation_id":"req"');
    expect(text).not.toContain(WEBHOOK_TOKEN);
  });
});

describe('Function: alarm handler', () => {
  it('records the intent of an EventBridge alarm, and drops a malformed event without throwing', async () => {
    const w = await world();
    await expect(alarm(alarmEvent(), context)).resolves.toMatchObject({ accepted: 1, kind: 'alarm' });
    await expect(alarm({ 'detail-type': 'CloudWatch Alarm State Change' }, context)).resolves.toMatchObject({
      rejected: expect.stringMatching(/EventBridge/),
    });
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
  });

  it('throws on an outage so the delivery is retried', async () => {
    const w = await world();
    vi.spyOn(w.store, 'put').mockRejectedValue(new Error('ProvisionedThroughputExceededException'));
    await expect(alarm(alarmEvent(), context)).rejects.toThrow(/ProvisionedThroughput/);
  });
});

describe('Function: slack handler', () => {
  it('answers at once, then finishes the command in its asynchronous invocation', async () => {
    const w = await world();
    const res = await slack(
      slackEvent('/slack/commands', commandBody('scale workers floor 10 for 1h'), { timestamp: w.now() }),
      context,
    );
    expect(bodyOf(res as { body?: string }).text).toMatch(/working on/);
    expect(w.deferred).toEqual([
      expect.objectContaining({ kind: 'slack-command', user: USER, channel: CHANNEL }),
    ]);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
    await slack({ headroomDeferred: w.deferred[0]! }, context);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
    expect(w.responses[0]!.message.text).toMatch(/floor 10 for 1h/);
    expect(logs.join('')).not.toContain(SIGNING_SECRET);
  });

  it('runs a deferred command once when Lambda delivers the invocation again', async () => {
    const w = await world();
    await slack(
      slackEvent('/slack/commands', commandBody('scale workers floor 10 for 1h'), { timestamp: w.now() }),
      context,
    );
    for (let i = 0; i < 3; i++) await slack({ headroomDeferred: w.deferred[0]! }, context);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
    expect(w.responses).toHaveLength(1);
  });

  it("takes a deferred command again once a crashed run's time is over, and not before", async () => {
    const w = await world();
    await slack(
      slackEvent('/slack/commands', commandBody('scale workers floor 10 for 1h'), { timestamp: w.now() }),
      context,
    );
    // The first run never returns (the invocation timed out or its sandbox died).
    const hang = vi.spyOn(w.rt.brain, 'requestFloor').mockImplementationOnce(() => new Promise(() => {}));
    void slack({ headroomDeferred: w.deferred[0]! }, context);
    await vi.waitFor(() => expect(hang).toHaveBeenCalled());
    await slack({ headroomDeferred: w.deferred[0]! }, context);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
    // context.getRemainingTimeInMillis() is 3 s: after that, Lambda's retry does the work.
    w.clock.advance(4_000);
    await slack({ headroomDeferred: w.deferred[0]! }, context);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
    expect(w.responses).toHaveLength(1);
  });

  it('finishes the asynchronous invocation when the response_url POST fails, so Lambda does not rerun the command', async () => {
    const w = await world();
    w.rt.deps.respond = async () => {
      throw new Error('response_url answered 500');
    };
    await slack(
      slackEvent('/slack/commands', commandBody('scale workers floor 10 for 1h'), { timestamp: w.now() }),
      context,
    );
    await expect(slack({ headroomDeferred: w.deferred[0]! }, context)).resolves.toEqual({ finished: true });
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
    const text = logs.join('');
    expect(text).toContain('could not post the answer to Slack (https://hooks.slack.com/commands/…)');
    expect(text).not.toContain('1234/5678');
  });
});

describe('Function: schedule handler', () => {
  it('reconciles on a campaign phase and on the periodic tick', async () => {
    const w = await world();
    await w.brain.requestFloor({
      target: 'pgbouncer',
      floor: 3,
      forSeconds: 3600,
      reason: 'test',
      source: { kind: 'cli', ref: 'test' },
    });
    expect(w.sim.value('pgbouncer')).toBe(2);
    await schedule({ kind: 'campaign-phase', campaign: 'black-friday-tv', phase: 'start' }, context);
    expect(w.sim.value('pgbouncer')).toBe(3);
    // The periodic tick finds the floor already applied: it reconciles and changes nothing.
    await expect(schedule(fixture('eventbridge-scheduled-event.json'), context)).resolves.toMatchObject({
      steps: 0,
    });
    expect(w.sim.value('pgbouncer')).toBe(3);
  });
});

describe('Function: bus handler', () => {
  it('holds a floor requested by another system once, however often the event is delivered', async () => {
    const w = await world();
    const event = fixture('headroom-floor-requested.json');
    await bus(event, context);
    await bus(structuredClone(event), context);
    const intents = await w.repo.intents(w.clock.now());
    expect(intents).toMatchObject([
      { target: 'workers', floor: 12, source: { kind: 'event', ref: 'deploy-pipeline' } },
    ]);
  });

  it('adds a campaign requested on the bus', async () => {
    const w = await world();
    await bus(fixture('headroom-campaign-requested.json'), context);
    const c = (await w.brain.campaigns()).find((x) => x.name === 'cyber-monday-mail');
    expect(c).toMatchObject({ multiplier: 4, targets: ['api', 'workers'], createdBy: 'marketing-calendar' });
  });

  it('refuses other detail-types and bad details without changing anything', async () => {
    const w = await world();
    const alarmOnBus = await bus(alarmEvent(), context);
    expect(alarmOnBus).toMatchObject({ rejected: expect.stringMatching(/unsupported detail-type/) });
    const bad = fixture('headroom-floor-requested.json');
    bad.detail.for = 'forever';
    expect(await bus(bad, context)).toMatchObject({
      rejected: expect.stringMatching(/for: invalid duration "forever"/),
    });
    expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
  });
});

describe('Function: bus handler (strict input)', () => {
  const floorWith = (detail: Record<string, unknown>) => {
    const e = fixture('headroom-floor-requested.json');
    Object.assign(e.detail, detail);
    return e;
  };
  const campaignWith = (detail: Record<string, unknown>) => {
    const e = fixture('headroom-campaign-requested.json');
    Object.assign(e.detail, detail);
    return e;
  };

  it.each([
    [
      'a floor in hex',
      floorWith({ floor: '0x10' }),
      'floor: expected a whole number from 0 to 1000000000, written in decimal digits, got "0x10"',
    ],
    ['a floor with an exponent', floorWith({ floor: '1e1' }), 'floor: expected a whole number'],
    ['a fractional floor', floorWith({ floor: 2.5 }), 'floor: expected a whole number'],
    [
      'a duration in fractions of a millisecond',
      floorWith({ for: '0.0001ms' }),
      'for: invalid duration "0.0001ms"',
    ],
    ['a duration of 99999 days', floorWith({ for: '99999d' }), 'for: invalid duration "99999d"'],
    [
      'a duration over limits.maxIntentDuration',
      floorWith({ for: '45d' }),
      'for: at most 30d, got 45d (limits.maxIntentDuration)',
    ],
    ['a duration under a minute', floorWith({ for: '30s' }), 'for: must be at least 1m'],
    [
      'a raise of 1e308',
      floorWith({ floor: undefined, raise: '1e308' }),
      'raise: expected a whole count or a percentage',
    ],
    [
      'a raise of 1001%',
      floorWith({ floor: undefined, raise: '1001%' }),
      'raise: expected a whole count or a percentage',
    ],
    [
      'a start that is not a time',
      floorWith({ from: '2026-02-31T10:00:00Z' }),
      'from: invalid time "2026-02-31T10:00:00Z"',
    ],
    ['a multiplier of 1e308', campaignWith({ multiplier: 1e308 }), 'multiplier: '],
    ['a campaign name with a slash', campaignWith({ name: 'cyber/monday' }), 'name: invalid campaign name'],
    [
      'a campaign name that mentions the channel',
      campaignWith({ name: '<!channel>' }),
      'name: invalid campaign name',
    ],
    [
      'a campaign floor in hex',
      campaignWith({ floors: { api: '0x10' } }),
      'campaign.floors.api: expected a whole number',
    ],
    [
      'a campaign start on the 31st of February',
      campaignWith({ start: '2026-02-31T09:00:00+01:00' }),
      'campaign.start: invalid time',
    ],
    ['a campaign of 32 days', campaignWith({ duration: '32d' }), 'campaign.duration: at most 31d, got 32d'],
  ])('refuses %s without retrying it or storing anything', async (_why, event, expected) => {
    const w = await world();
    const out = await bus(event, context);
    expect(out).toMatchObject({ rejected: expect.stringContaining(expected) });
    expect(await w.repo.intents(w.clock.now())).toEqual([]);
    expect((await w.brain.campaigns()).map((c) => c.name)).toEqual(['black-friday-tv']);
    expect(await w.brain.audit()).toEqual([]);
  });

  it.each([
    ['a duration over the cap', { for: '45d' }, 'for: at most 30d, got 45d'],
    ['a floor above the bounds', { floor: 9999 }, 'floor 9999 is above the bounds of workers'],
    ['a floor in hex', { floor: '0x10' }, 'floor: expected a whole number'],
  ])(
    'takes the corrected resend of a floor request refused for %s (same event id)',
    async (_why, detail, why) => {
      const w = await world();
      expect(await bus(floorWith(detail), context)).toMatchObject({ rejected: expect.stringContaining(why) });
      await bus(floorWith({ for: '2h' }), context);
      expect(await w.repo.intents(w.clock.now())).toMatchObject([{ target: 'workers', floor: 12 }]);
    },
  );
});

describe('Function: invokeAsync', () => {
  it('sends a SigV4-signed asynchronous Invoke for the deferred Slack work', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response('', { status: 202 });
    }) as unknown as typeof fetch;
    const env = {
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: 'session',
    };
    await invokeAsync('headroom-slack', { headroomDeferred: { text: 'status' } }, env, fakeFetch);
    const { url, init } = calls[0]!;
    expect(url).toBe(
      'https://lambda.eu-central-1.amazonaws.com/2015-03-31/functions/headroom-slack/invocations',
    );
    const headers = init.headers as Record<string, string>;
    expect(headers['x-amz-invocation-type']).toBe('Event');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/lambda\/aws4_request, SignedHeaders=.*x-amz-invocation-type/,
    );
    expect(headers['x-amz-security-token']).toBe('session');
    expect(JSON.parse(init.body as string)).toEqual({ headroomDeferred: { text: 'status' } });
  });

  it('throws when Lambda does not accept the event, so the user hears of the failure', async () => {
    const fakeFetch = (async () =>
      new Response('{"Message":"denied"}', { status: 403 })) as unknown as typeof fetch;
    await expect(
      invokeAsync(
        'f',
        {},
        { AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' },
        fakeFetch,
      ),
    ).rejects.toThrow(/403/);
  });
});
