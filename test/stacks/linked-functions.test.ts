import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableIfMissing, DynamoStateStore } from '../../shared/adapters/state/index.ts';
import { Repo } from '../../shared/state/repo.ts';
import { slackSignature } from '../../shared/triggers/slack-signature.ts';
import { configJson } from '../../stacks/config.ts';
import { BUNDLED_CONFIG, LINK } from '../../stacks/settings.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';
import { fixture, httpEvent } from '../triggers/helpers.ts';
import { type FakeAws, startFakeAws } from './fake-aws.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const REGION = 'eu-central-1';
const ACCOUNT = '123456789012';
const TABLE = 'headroom-test-state';
const TOKEN = 'webhook-token-7f3a9c';
const SIGNING = 'slack-signing-secret-51c0de';

/** The linked values SST puts in a deployed function, by the names the stacks give them. */
const LINKS: Record<string, unknown> = {
  [LINK.StateTable]: { name: TABLE, arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}` },
  [LINK.HeadroomBus]: {
    name: 'headroom-test',
    arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/headroom-test`,
  },
  [LINK.SchedulerRole]: { arn: `arn:aws:iam::${ACCOUNT}:role/headroom-test-scheduler` },
  [LINK.ScheduleGroup]: { name: 'headroom-test' },
  [LINK.ScheduleTarget]: { arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:headroom-test-schedule` },
  [LINK.WebhookToken]: { value: TOKEN },
  [LINK.SlackSigningSecret]: { value: SIGNING },
};

interface Invocation {
  fn: string;
  event: unknown;
}
interface Outcome {
  result?: { statusCode?: number; body?: string; [k: string]: unknown };
  error?: string;
}

/**
 * A Lambda execution environment in a fresh Node: the working directory is the package root
 * holding the bundled `headroom.yaml`, the environment is what the stacks set (HEADROOM_CONFIG
 * and SST_RESOURCE_<Name> per link) and nothing of this process. Runs the real handlers of
 * functions/ one after another and prints their answers.
 */
const CHILD = `
const invocations = JSON.parse(process.env.INVOCATIONS);
const out = [];
for (const { fn, event } of invocations) {
  const mod = await import(process.env.FUNCTIONS_DIR + '/' + fn + '.ts');
  const context = { functionName: 'headroom-test-' + fn, functionVersion: '$LATEST', awsRequestId: 'req-' + out.length,
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:headroom-test-' + fn,
    memoryLimitInMB: '512', logGroupName: '/aws/lambda/headroom-test-' + fn, logStreamName: 's', getRemainingTimeInMillis: () => 20000 };
  try { out.push({ result: await mod.handler(event, context) }); } catch (e) { out.push({ error: e.message }); }
}
process.stdout.write('\\n@@' + JSON.stringify(out) + '\\n');
process.exit(0);
`;

let fake: FakeAws;
let server: ReturnType<typeof dynalite>;
let dynamo: string;
let pkg: string;

async function invoke(
  invocations: Invocation[],
  links: Record<string, unknown> = LINKS,
): Promise<{ outcomes: Outcome[]; output: string }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    // The function runs on this machine and shares its clock: under faketime (the suite at a
    // future date, docs/testing.md) the Slack timestamps and campaign times this process
    // computes are checked against the same time in the child.
    ...clockEnv(process.env),
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_ENDPOINT_URL: fake.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo,
    HEADROOM_CONFIG: BUNDLED_CONFIG,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    FUNCTIONS_DIR: path.join(ROOT, 'functions'),
    INVOCATIONS: JSON.stringify(invocations),
    SST_RESOURCE_App: JSON.stringify({ name: 'headroom', stage: 'test' }),
    ...Object.fromEntries(Object.entries(links).map(([k, v]) => [`SST_RESOURCE_${k}`, JSON.stringify(v)])),
  };
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: pkg,
    env,
    timeout: 60_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('@@'));
  if (!line) throw new Error(`the function environment printed no result:\n${stderr}`);
  return { outcomes: JSON.parse(line.slice(2)) as Outcome[], output: stdout + stderr };
}

/** The variables of libfaketime (the preload and its settings) when this process runs under it. */
function clockEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined &&
        (e[0] === 'LD_PRELOAD' || e[0].startsWith('FAKETIME') || e[0] === 'DONT_FAKE_MONOTONIC'),
    ),
  );
}

function slackCommand(text: string, secret: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  const body = new URLSearchParams({
    command: '/headroom',
    text,
    user_id: 'U024BE7LH',
    channel_id: 'C2147483705',
    response_url: 'https://hooks.slack.com/commands/T1/2/3',
  }).toString();
  return httpEvent('POST', '/slack/commands', {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': slackSignature(secret, ts, body),
    },
  });
}

const alertmanager = (token: string) =>
  httpEvent('POST', '/alertmanager', {
    body: JSON.stringify(fixture('alertmanager-webhook-v4.json')),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });

describe('Functions with the linked values the stacks give them (SST_RESOURCE_<Name>)', () => {
  beforeAll(async () => {
    fake = await startFakeAws(REGION, ACCOUNT);
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    dynamo = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new DynamoDBClient({
      endpoint: dynamo,
      region: REGION,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    });
    await createTableIfMissing(client, TABLE);
    client.destroy();
    // The function package: the config sits beside the code as the stacks bundle it.
    pkg = mkdtempSync(path.join(tmpdir(), 'headroom-package-'));
    writeFileSync(path.join(pkg, BUNDLED_CONFIG), configJson(EXAMPLE_CONFIG));
  });

  afterAll(async () => {
    await fake?.close();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it('authenticate with the linked secrets, write the linked table, schedule in the linked group and publish on the linked bus', async () => {
    const start = new Date(Date.now() + 2 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const campaign = fixture('headroom-campaign-requested.json');
    campaign.detail.start = start;
    const alarm = fixture('cloudwatch-alarm-state-change.json');
    alarm.detail.alarmName = 'kaireon-api-cpu-high';
    const { outcomes, output } = await invoke([
      { fn: 'alertmanager', event: alertmanager(TOKEN) },
      { fn: 'alertmanager', event: alertmanager('not-the-token') },
      { fn: 'slack', event: slackCommand('campaign list', SIGNING) },
      { fn: 'slack', event: slackCommand('campaign list', 'another-secret') },
      { fn: 'bus', event: campaign },
      { fn: 'alarm', event: alarm },
    ]);
    const [amOk, amBad, slackOk, slackBad, bus, alarmed] = outcomes;
    expect(amOk?.result?.statusCode).toBe(200);
    expect(JSON.parse(amOk?.result?.body ?? '{}').accepted).toBeGreaterThanOrEqual(1);
    expect(amBad?.result?.statusCode).toBe(401);
    expect(slackOk?.result?.statusCode).toBe(200);
    expect(slackBad?.result?.statusCode).toBe(401);
    expect(bus?.error).toBeUndefined();
    expect(alarmed?.error).toBeUndefined();

    // The linked state table holds what the functions recorded.
    const client = new DynamoDBClient({
      endpoint: dynamo,
      region: REGION,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    });
    const repo = new Repo(new DynamoStateStore({ client, tableName: TABLE }));
    const intents = await repo.intents(new Date());
    expect(intents.map((i) => i.target).sort()).toEqual(['api', 'workers']);
    expect((await repo.storedCampaigns(new Date())).map((c) => c.name)).toEqual(['cyber-monday-mail']);
    client.destroy();

    // The campaign's phases became one-time schedules in the linked group, invoking the linked
    // target with the linked role.
    const scheduled = [...fake.schedules.values()];
    expect(scheduled.length).toBeGreaterThan(0);
    for (const s of scheduled) {
      expect(s.GroupName).toBe('headroom-test');
      expect(s.ScheduleExpression).toMatch(/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/);
      expect(s.Target.Arn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:headroom-test-schedule`);
      expect(s.Target.RoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/headroom-test-scheduler`);
      expect(JSON.parse(s.Target.Input ?? '{}')).toMatchObject({
        kind: 'campaign-phase',
        campaign: 'cyber-monday-mail',
      });
    }
    // Decisions went out on the linked bus.
    expect(fake.events.length).toBeGreaterThan(0);
    expect(new Set(fake.events.map((e) => e.EventBusName))).toEqual(new Set(['headroom-test']));
    expect(fake.events.map((e) => e.DetailType)).toContain('Headroom Campaign Scheduled');

    // Secrets never reach the logs.
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain(SIGNING);
  });

  it('fail closed without their links: no table, no function; no token, every webhook refused', async () => {
    const { StateTable: _, ...withoutTable } = LINKS;
    const noTable = await invoke([{ fn: 'schedule', event: {} }], withoutTable);
    expect(noTable.outcomes[0]?.error).toBe('the function is not linked to StateTable');

    const { WebhookToken: __, ...withoutToken } = LINKS;
    const noToken = await invoke(
      [
        { fn: 'alertmanager', event: alertmanager(TOKEN) },
        { fn: 'alertmanager', event: alertmanager('') },
      ],
      withoutToken,
    );
    expect(noToken.outcomes.map((o) => o.result?.statusCode)).toEqual([401, 401]);
  });

  it('serve the dashboard from the alertmanager function only with the linked DashboardToken', async () => {
    const DASHBOARD = 'dashboard-token-0b5e77';
    const bearer = { headers: { authorization: `Bearer ${DASHBOARD}` } };
    const asset = { ...httpEvent('GET', '/dashboard/app.js'), routeKey: 'GET /dashboard/{file}' };
    const linked = { ...LINKS, [LINK.DashboardToken]: { value: DASHBOARD } };
    const { outcomes, output } = await invoke(
      [
        { fn: 'alertmanager', event: httpEvent('GET', '/dashboard/audit') },
        { fn: 'alertmanager', event: httpEvent('GET', '/') },
        { fn: 'alertmanager', event: httpEvent('GET', '/dashboard/audit', bearer) },
        { fn: 'alertmanager', event: httpEvent('GET', '/', bearer) },
        { fn: 'alertmanager', event: asset },
      ],
      linked,
    );
    expect(outcomes.map((o) => o.result?.statusCode)).toEqual([401, 401, 200, 200, 200]);
    expect(JSON.parse(outcomes[2]?.result?.body ?? '{}')).toHaveProperty('entries');
    expect(outcomes[3]?.result?.body).toContain('<h2 id="h-targets">Targets</h2>');
    expect(outcomes[4]?.result?.body).toContain("from './api.js'");
    expect(output).not.toContain(DASHBOARD);
    // Not linked: closed, whatever token is sent.
    const unlinked = await invoke([
      { fn: 'alertmanager', event: httpEvent('GET', '/dashboard/audit', bearer) },
    ]);
    expect(unlinked.outcomes[0]?.result?.statusCode).toBe(401);
  });
});
