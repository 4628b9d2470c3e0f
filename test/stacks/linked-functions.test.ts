import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../../shared/triggers/slack-signature.ts';
import { LINK } from '../../stacks/settings.ts';
import { fixture, httpEvent } from '../triggers/helpers.ts';
import { ACCOUNT, type Backends, linkedValues, REGION, startBackends } from './function-env.ts';

const run = promisify(execFile);
const TABLE = 'headroom-test-state';
const TOKEN = 'webhook-token-7f3a9c';
const SIGNING = 'slack-signing-secret-51c0de';

/** The linked values SST puts in a deployed function, by the names the stacks give them. */
const LINKS: Record<string, unknown> = {
  ...linkedValues(TABLE),
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

let backends: Backends;

async function invoke(
  invocations: Invocation[],
  links: Record<string, unknown> = LINKS,
): Promise<{ outcomes: Outcome[]; output: string }> {
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: backends.pkg,
    env: backends.env(links, { INVOCATIONS: JSON.stringify(invocations) }),
    timeout: 60_000,
    maxBuffer: 32 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('@@'));
  if (!line) throw new Error(`the function environment printed no result:\n${stderr}`);
  return { outcomes: JSON.parse(line.slice(2)) as Outcome[], output: stdout + stderr };
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
    backends = await startBackends(TABLE);
  });

  afterAll(async () => backends?.close());

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
    const { repo, close } = backends.repo();
    const intents = await repo.intents(new Date());
    expect(intents.map((i) => i.target).sort()).toEqual(['api', 'workers']);
    expect((await repo.storedCampaigns(new Date())).map((c) => c.name)).toEqual(['cyber-monday-mail']);
    close();

    // The campaign's phases became one-time schedules in the linked group, invoking the linked
    // target with the linked role.
    const scheduled = [...backends.fake.schedules.values()];
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
    expect(backends.fake.events.length).toBeGreaterThan(0);
    expect(new Set(backends.fake.events.map((e) => e.EventBusName))).toEqual(new Set(['headroom-test']));
    expect(backends.fake.events.map((e) => e.DetailType)).toContain('Headroom Campaign Scheduled');

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
