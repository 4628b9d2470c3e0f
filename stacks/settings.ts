import type { Config } from '../shared/config/types.ts';
import type { Deployment, Scope } from '../shared/iam/index.ts';

/**
 * The decisions the stacks take, as plain data and pure functions (no SST globals), so they
 * can be read in one place and tested without deploying anything.
 */

/** Linked resources, named exactly as shared/app/lambda-runtime.ts reads them (`Resource.<Name>`). */
export const LINK = {
  StateTable: 'StateTable',
  HeadroomBus: 'HeadroomBus',
  SchedulerRole: 'SchedulerRole',
  ScheduleGroup: 'ScheduleGroup',
  ScheduleTarget: 'ScheduleTarget',
  WebhookToken: 'WebhookToken',
  SlackSigningSecret: 'SlackSigningSecret',
  SlackBotToken: 'SlackBotToken',
  DashboardToken: 'DashboardToken',
} as const;

/** Where the bundled configuration sits in every function package (the Lambda working directory). */
export const BUNDLED_CONFIG = 'headroom.json';

/** The dashboard's page files, copied into the package of the function that serves it (shared/http/dashboard/assets.ts). */
export const DASHBOARD_FILES = [
  { from: 'shared/http/dashboard/public', to: 'dashboard' },
  { from: 'node_modules/uplot/dist/uPlot.esm.js', to: 'dashboard/uPlot.esm.js' },
  { from: 'node_modules/uplot/dist/uPlot.min.css', to: 'dashboard/uPlot.min.css' },
];

export type FunctionKey = 'alarm' | 'alertmanager' | 'slack' | 'schedule' | 'bus' | 'operator';

export interface FunctionSpec {
  handler: string;
  memoryMB: number;
  timeoutSeconds: number;
  description: string;
}

/**
 * The operator API (shared/triggers/operator.ts, docs/operations.md), every route deployed with
 * IAM auth. A test checks this list against the routes the operator function serves.
 */
export const OPERATOR_ROUTE_KEYS = [
  'GET /api/state',
  'GET /api/plan',
  'GET /api/audit',
  'GET /api/campaigns',
  'POST /api/campaigns',
  'POST /api/campaigns/cancel',
  'POST /api/approve',
  'POST /api/reject',
  'POST /api/release',
  'POST /api/ceilings',
] as const;

/**
 * Memory buys CPU on Lambda (1,769 MB is one vCPU), and CPU is what a cold start spends:
 * `npm run bench -- functions` measures 0.25-0.7 s of cold import at full speed (3.1 MB
 * bundles) and a peak of ~125 MB per invocation, so memory is sized for CPU, not for RSS.
 * Timeouts follow what each trigger waits for.
 */
export const FUNCTIONS: Record<FunctionKey, FunctionSpec> = {
  alarm: {
    handler: 'functions/alarm.handler',
    // An alarm records an intent, then reconciles once: reads every target (several cloud
    // calls with adaptive retry) and applies the steps that are due. Invoked asynchronously.
    memoryMB: 512,
    timeoutSeconds: 60,
    description: 'Headroom: CloudWatch alarm state changes (EventBridge or SNS)',
  },
  alertmanager: {
    handler: 'functions/alertmanager.handler',
    // Behind the HTTP API, whose integrations time out after 30 s: answer before that.
    memoryMB: 512,
    timeoutSeconds: 25,
    description: 'Headroom: Prometheus AlertManager webhook',
  },
  slack: {
    handler: 'functions/slack.handler',
    // Slack gives a command 3 s, cold start included. Scaled from the bench's full-CPU cold
    // import (~0.4-0.6 s), 1024 MB (0.58 vCPU) starts in ~1 s where 512 MB would need ~2 s
    // before the first byte of work. Slow commands finish in an asynchronous
    // self-invocation of this same function, which may reconcile: hence 60 s.
    memoryMB: 1024,
    timeoutSeconds: 60,
    description: 'Headroom: Slack slash commands and approval buttons',
  },
  schedule: {
    handler: 'functions/schedule.handler',
    // The periodic reconcile and campaign phases touch every target. The executor leases a
    // target for 120 s while it changes it: the function must end before its lease does.
    memoryMB: 1024,
    timeoutSeconds: 100,
    description: 'Headroom: periodic reconcile and one-time campaign phases',
  },
  bus: {
    handler: 'functions/bus.handler',
    // A campaign or floor request: store, schedule phases, reconcile once. Asynchronous.
    memoryMB: 512,
    timeoutSeconds: 60,
    description: 'Headroom: campaign and floor requests from other systems on the bus',
  },
  operator: {
    handler: 'functions/operator.handler',
    // Behind the HTTP API (integrations end at 30 s): status, plan and an approval's reconcile.
    memoryMB: 1024,
    timeoutSeconds: 25,
    description: 'Headroom: operator API for the CLI (--api, --stage), IAM (SigV4) authenticated',
  },
};

/**
 * Packages kept out of the esbuild bundle and installed beside it instead (SST
 * `nodejs.install`). Empty: every function is bundled (with code splitting), exactly as
 * `npm run bench -- functions` measures it.
 */
export const UNBUNDLED_PACKAGES: string[] = [];

const LAMBDA_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `<app>-<stage>-<function>`: a fixed name gives every function a known ARN before it exists,
 * so the policy can name the log groups and the Slack self-invocation exactly, and operators
 * can find the functions (`aws lambda invoke --function-name headroom-prod-schedule`).
 */
export function functionName(app: string, stage: string, fn: FunctionKey): string {
  const name = `${app}-${stage}-${fn}`;
  if (!LAMBDA_NAME.test(name))
    throw new Error(
      `function name "${name}" is not a valid Lambda name (letters, digits, "-" and "_", at most 64): use a shorter stage name`,
    );
  return name;
}

/** The physical names of Headroom's own resources in one stage. */
export interface PhysicalNames {
  /** `<app>-<stage>`: the prefix of every name (alarms too). */
  base: string;
  functions: Record<FunctionKey, string>;
  stateTable: string;
  bus: string;
  deadLetters: string;
  functionsRole: string;
  schedulerRole: string;
  scheduleGroup: string;
}

/**
 * Every resource the policy names gets a fixed `<app>-<stage>-...` name, so the whole policy
 * is computed (and a bad config refused) before anything is created, and the number of
 * managed policies is known when the program runs.
 */
export function physicalNames(app: string, stage: string): PhysicalNames {
  const base = `${app}-${stage}`;
  const roleName = (suffix: string) => {
    const n = `${base}-${suffix}`;
    if (n.length > 64)
      throw new Error(`IAM role name "${n}" is longer than 64 characters: use a shorter stage name`);
    return n;
  };
  const functions = Object.fromEntries(
    (Object.keys(FUNCTIONS) as FunctionKey[]).map((k) => [k, functionName(app, stage, k)]),
  ) as Record<FunctionKey, string>;
  return {
    base,
    functions,
    stateTable: `${base}-state`,
    bus: base,
    deadLetters: `${base}-dead-letters`,
    functionsRole: roleName('functions'),
    schedulerRole: roleName('scheduler'),
    scheduleGroup: base,
  };
}

/** Headroom's own resources as the IAM policy needs them, from their names and the account. */
export function deploymentOf(names: PhysicalNames, scope: Scope, deployed: FunctionKey[]): Deployment {
  const { partition: p, region: r, account: a } = scope;
  return {
    ...scope,
    stateTableArn: `arn:${p}:dynamodb:${r}:${a}:table/${names.stateTable}`,
    busArn: `arn:${p}:events:${r}:${a}:event-bus/${names.bus}`,
    schedulerRoleArn: `arn:${p}:iam::${a}:role/${names.schedulerRole}`,
    scheduleGroupName: names.scheduleGroup,
    deadLetterQueueArn: `arn:${p}:sqs:${r}:${a}:${names.deadLetters}`,
    functionNames: deployed.map((k) => names.functions[k]),
    // The slack function finishes slow commands in an asynchronous invocation of itself.
    selfInvokingFunctionNames: deployed.includes('slack') ? [names.functions.slack] : [],
  };
}

/** The ARN of a function whose name is fixed (the schedule function, before it exists). */
export function functionArn(scope: Scope, name: string): string {
  return `arn:${scope.partition}:lambda:${scope.region}:${scope.account}:function:${name}`;
}

/** `defaults.reconcileInterval` as an EventBridge Scheduler rate (whole minutes, at least one). */
export function reconcileRate(seconds: number): `rate(${string})` {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return minutes === 1 ? 'rate(1 minute)' : `rate(${minutes} minutes)`;
}

export type AlarmDelivery = 'eventbridge' | 'sns';

/**
 * How CloudWatch alarms reach the alarm function, chosen at deploy with
 * `HEADROOM_ALARM_DELIVERY`: `eventbridge` (default; a rule on the default bus sees every
 * alarm of the region, nothing to change on the alarms) or `sns` (a topic the alarms name in
 * their actions). One or the other: the same state change delivered both ways would carry two
 * different ids and count twice.
 */
export function alarmDelivery(env: Record<string, string | undefined>): AlarmDelivery {
  const v = env.HEADROOM_ALARM_DELIVERY || 'eventbridge';
  if (v !== 'eventbridge' && v !== 'sns')
    throw new Error(`HEADROOM_ALARM_DELIVERY: expected "eventbridge" or "sns", got "${v}"`);
  return v;
}

export type AlarmNameFilter = (string | { wildcard: string })[];

/**
 * The alarm names the rules react to, as an EventBridge pattern: exact names, and globs as
 * `wildcard` matches (EventBridge knows `*` only, so `?` widens to `*`; the function matches
 * the rule exactly anyway). Undefined when no rule watches an alarm: no rule is created.
 */
export function alarmNameFilter(config: Config): AlarmNameFilter | undefined {
  const names = [...new Set(config.rules.map((r) => r.when.alarm).filter((a): a is string => !!a))].sort();
  if (!names.length) return undefined;
  return names.map((n) => (/[*?]/.test(n) ? { wildcard: n.replace(/\?/g, '*') } : n));
}

/**
 * Slack is deployed only when the config uses it: the routes and the signing secret for
 * commands or approval buttons, the bot token when decisions are posted to a channel.
 */
export function slackUse(config: Config): { routes: boolean; botToken: boolean } {
  const notifications = config.notifications.slack !== undefined;
  return { routes: config.access.slack !== undefined || notifications, botToken: notifications };
}
