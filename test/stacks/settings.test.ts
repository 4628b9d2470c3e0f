import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { configFromEnv } from '../../shared/app/lambda-runtime.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { headroomPolicy } from '../../shared/iam/index.ts';
import { loadDeployConfig } from '../../stacks/config.ts';
import {
  alarmDelivery,
  alarmNameFilter,
  deploymentOf,
  FUNCTIONS,
  functionArn,
  LINK,
  physicalNames,
  reconcileRate,
  slackUse,
} from '../../stacks/settings.ts';
import { EXAMPLE_CONFIG, exampleConfig } from '../helpers/example.ts';
import { decide } from '../iam/helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const scope = { partition: 'aws', account: '123456789012', region: 'eu-central-1' };

describe('Stacks: names and schedules', () => {
  it('names every resource <app>-<stage>-..., within AWS limits, or says which stage name is too long', () => {
    const n = physicalNames('headroom', 'prod');
    expect(n.functions).toEqual({
      alarm: 'headroom-prod-alarm',
      alertmanager: 'headroom-prod-alertmanager',
      slack: 'headroom-prod-slack',
      schedule: 'headroom-prod-schedule',
      bus: 'headroom-prod-bus',
      operator: 'headroom-prod-operator',
    });
    expect(n).toMatchObject({
      stateTable: 'headroom-prod-state',
      bus: 'headroom-prod',
      deadLetters: 'headroom-prod-dead-letters',
      functionsRole: 'headroom-prod-functions',
      schedulerRole: 'headroom-prod-scheduler',
      scheduleGroup: 'headroom-prod',
    });
    expect(() => physicalNames('headroom', 'x'.repeat(60))).toThrow(/use a shorter stage name/);
    expect(() => physicalNames('headroom', 'pr/1')).toThrow(/not a valid Lambda name/);
  });

  it('runs the reconcile every reconcileInterval, in whole minutes (Scheduler has no shorter rate)', () => {
    expect(reconcileRate(60)).toBe('rate(1 minute)');
    expect(reconcileRate(30)).toBe('rate(1 minute)');
    expect(reconcileRate(90)).toBe('rate(2 minutes)');
    expect(reconcileRate(exampleConfig().defaults.reconcileIntervalSeconds)).toBe('rate(1 minute)');
  });

  it('gives every function a timeout its trigger can wait for', () => {
    // HTTP API integrations end at 30 s; the executor's lease on a target lasts 120 s.
    expect(FUNCTIONS.alertmanager.timeoutSeconds).toBeLessThan(30);
    expect(FUNCTIONS.schedule.timeoutSeconds).toBeLessThan(120);
    for (const spec of Object.values(FUNCTIONS)) {
      expect(spec.handler).toMatch(/^functions\/[a-z]+\.handler$/);
      expect(spec.memoryMB).toBeGreaterThanOrEqual(256);
    }
  });
});

describe('Stacks: what the config decides', () => {
  it("filters the default bus to the alarms the example's rules watch", () => {
    expect(alarmNameFilter(exampleConfig())).toEqual([
      'kaireon-api-cpu-high',
      'kaireon-db-cpu-70',
      'kaireon-redis-memory-70',
    ]);
  });

  it('turns alarm globs into EventBridge wildcards, and creates no rule when no rule watches an alarm', () => {
    const doc = parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
    doc.rules = [
      { name: 'a', when: { alarm: 'kaireon-*-cpu-high' }, then: { target: 'api', raise: 1, for: '1h' } },
      { name: 'b', when: { alarm: 'db-node-?' }, then: { target: 'api', raise: 1, for: '1h' } },
      {
        name: 'c',
        when: { alarm: 'kaireon-*-cpu-high', state: 'OK' },
        then: { target: 'api', raise: 1, for: '1h' },
      },
    ];
    expect(alarmNameFilter(parseConfig(stringify(doc)))).toEqual([
      { wildcard: 'db-node-*' },
      { wildcard: 'kaireon-*-cpu-high' },
    ]);
    doc.rules = [{ name: 'cron', when: { cron: '0 7 * * *' }, then: { target: 'api', floor: 4, for: '1h' } }];
    expect(alarmNameFilter(parseConfig(stringify(doc)))).toBeUndefined();
  });

  it('delivers alarms through EventBridge unless the deploy asks for SNS, never both', () => {
    expect(alarmDelivery({})).toBe('eventbridge');
    expect(alarmDelivery({ HEADROOM_ALARM_DELIVERY: 'sns' })).toBe('sns');
    expect(() => alarmDelivery({ HEADROOM_ALARM_DELIVERY: 'both' })).toThrow(
      'HEADROOM_ALARM_DELIVERY: expected "eventbridge" or "sns", got "both"',
    );
  });

  it('deploys Slack only when the config uses it', () => {
    const doc = parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
    expect(slackUse(parseConfig(stringify(doc)))).toEqual({ routes: true, botToken: false });
    doc.notifications = { slack: { channel: 'C2147483705' } };
    expect(slackUse(parseConfig(stringify(doc)))).toEqual({ routes: true, botToken: true });
    delete doc.access;
    delete doc.notifications;
    expect(slackUse(parseConfig(stringify(doc)))).toEqual({ routes: false, botToken: false });
  });

  it('the policy the stacks attach names the very resources the stacks create', async () => {
    const names = physicalNames('headroom', 'prod');
    const d = deploymentOf(names, scope, ['alarm', 'alertmanager', 'schedule', 'bus', 'slack', 'operator']);
    const { statements } = headroomPolicy(exampleConfig(), d);
    const arn = (service: string, resource: string) =>
      `arn:aws:${service}:eu-central-1:123456789012:${resource}`;
    const allowed = [
      { action: 'dynamodb:PutItem', resource: arn('dynamodb', 'table/headroom-prod-state') },
      { action: 'events:PutEvents', resource: arn('events', 'event-bus/headroom-prod') },
      { action: 'sqs:SendMessage', resource: arn('sqs', 'headroom-prod-dead-letters') },
      {
        action: 'scheduler:CreateSchedule',
        resource: arn('scheduler', 'schedule/headroom-prod/launch-start'),
      },
      { action: 'lambda:InvokeFunction', resource: functionArn(scope, 'headroom-prod-slack') },
      ...Object.values(names.functions).map((f) => ({
        action: 'logs:PutLogEvents',
        resource: arn('logs', `log-group:/aws/lambda/${f}:log-stream:x`),
      })),
      {
        action: 'iam:PassRole',
        resource: 'arn:aws:iam::123456789012:role/headroom-prod-scheduler',
        context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      },
    ];
    for (const call of allowed) expect(await decide(statements, call), call.resource).toBe('Allowed');
    // Only the slack function invokes itself; the other stage's resources are out of reach.
    for (const call of [
      { action: 'lambda:InvokeFunction', resource: functionArn(scope, 'headroom-prod-schedule') },
      { action: 'dynamodb:PutItem', resource: arn('dynamodb', 'table/headroom-staging-state') },
    ])
      expect(await decide(statements, call), call.resource).toBe('ImplicitlyDenied');
    // Without the slack function, nothing may be invoked.
    const noSlack = headroomPolicy(
      exampleConfig(),
      deploymentOf(names, scope, ['alarm', 'schedule']),
    ).statements;
    expect(noSlack.flatMap((s) => s.Action)).not.toContain('lambda:InvokeFunction');
  });

  it('links exactly the resources sst-env.d.ts declares for the functions', () => {
    const declared = [
      ...readFileSync(path.join(ROOT, 'sst-env.d.ts'), 'utf8').matchAll(/^ {4}"(\w+)": \{/gm),
    ].map((m) => m[1]);
    expect(declared.sort()).toEqual(Object.values(LINK).sort());
  });
});

describe('Stacks: the configuration a deploy ships', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads ./headroom.yaml, or the file HEADROOM_CONFIG names', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'headroom-deploy-'));
    copyFileSync(EXAMPLE_CONFIG, path.join(dir, 'headroom.yaml'));
    const local = loadDeployConfig({}, dir);
    expect(local.file).toBe(path.join(dir, 'headroom.yaml'));
    expect(local.config.targets.map((t) => t.id)).toContain('db-readers');
    expect(loadDeployConfig({ HEADROOM_CONFIG: EXAMPLE_CONFIG }, dir).file).toBe(EXAMPLE_CONFIG);
  });

  it('bundles the validated document as JSON that the functions read back to the same config', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'headroom-deploy-'));
    const deployed = loadDeployConfig({ HEADROOM_CONFIG: EXAMPLE_CONFIG }, dir);
    expect(deployed.bundle).toBe(path.join(dir, '.sst', 'headroom-config', 'headroom.json'));
    const read = await configFromEnv(deployed.bundle);
    expect({ ...read, source: undefined }).toEqual({ ...deployed.config, source: undefined });
    expect(JSON.parse(readFileSync(deployed.bundle, 'utf8')).campaigns[0].start).toBe(
      '2026-11-27T20:55:00+01:00',
    );
  });

  it('stops the deploy with every problem of a bad config, one path: message per line', () => {
    expect(() => loadDeployConfig({ HEADROOM_CONFIG: 'test/fixtures/bad-config.yaml' }, ROOT)).toThrow(
      [
        `${path.join(ROOT, 'test/fixtures/bad-config.yaml')} is not a valid Headroom configuration:`,
        '  targets.db.tiers[3]: unknown RDS instance class "db.r6g.5xlarge"',
        '  targets.db.bounds.max: "db.r6g.4xlarge" is not on the tier ladder',
        '  targets.api.dependsOn: dependency cycle api -> pgbouncer -> api',
        '  rules[3].then.target: unknown target "cahce"',
      ].join('\n'),
    );
  });

  it('says where it looked when there is no configuration', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'headroom-deploy-'));
    expect(() => loadDeployConfig({}, dir)).toThrow(
      `no Headroom configuration at ${path.join(dir, 'headroom.yaml')}: put it in headroom.yaml or set HEADROOM_CONFIG=path/to/headroom.yaml`,
    );
  });
});
