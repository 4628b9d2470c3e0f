import type { Config } from '../config/types.ts';
import { ConfigError } from '../domain/errors.ts';
import { KINDS } from '../kinds/index.ts';
import {
  eventBusArn,
  functionLogStreamsArn,
  lambdaFunctionArn,
  NameProblems,
  roleScope,
  type Scope,
  schedulesInGroupArn,
} from './arns.ts';
import type { Condition, Grant, KindTarget } from './grants.ts';

/**
 * Least privilege, derived from the configuration: a pure function from the validated config
 * and the names of Headroom's own resources to IAM statements. The deploy attaches exactly
 * these to the functions' role, so a target that is not in the config cannot be touched, and
 * adding one to the config (and deploying) is what grants access to it.
 */

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** Headroom's own resources in the deployed stage (the stacks resolve them at deploy time). */
export interface Deployment extends Scope {
  stateTableArn: string;
  /** Headroom's event bus: decisions out, requests in. */
  busArn: string;
  /** The role EventBridge Scheduler assumes to invoke the schedule function. */
  schedulerRoleArn: string;
  scheduleGroupName: string;
  deadLetterQueueArn: string;
  /** Every function that runs with the role (their log groups). */
  functionNames: string[];
  /** Functions that invoke themselves asynchronously (slow Slack commands). */
  selfInvokingFunctionNames: string[];
}

export interface HeadroomPolicy {
  /** The statements of the functions' role. */
  statements: PolicyStatement[];
  /**
   * For each role the config reaches targets through (`roleArn`): what that role needs in its
   * own account. The operator attaches it there; Headroom's role only gets sts:AssumeRole.
   */
  assumedRoles: Record<string, PolicyStatement[]>;
}

const sidOf = (...parts: string[]) =>
  parts
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/**
 * Statements with the same actions and condition become one (named after the first), listing
 * every resource: the policy grows by one ARN per target, not one statement per target, and
 * stays within IAM's size limits.
 */
function merge(grants: { sid: string; grant: Grant }[]): PolicyStatement[] {
  const bySid = new Map<string, PolicyStatement>();
  for (const { sid, grant } of grants) {
    const key = `${[...grant.actions].sort().join(',')}|${JSON.stringify(grant.condition ?? {})}`;
    const s = bySid.get(key);
    if (s) s.Resource = [...new Set([...s.Resource, ...grant.resources])].sort();
    else
      bySid.set(key, {
        Sid: sid,
        Effect: 'Allow',
        Action: [...new Set(grant.actions)].sort(),
        Resource: [...new Set(grant.resources)].sort(),
        ...(grant.condition ? { Condition: grant.condition } : {}),
      });
  }
  // Sids must be unique within a policy: a second statement of the same purpose is numbered.
  const seen = new Map<string, number>();
  return [...bySid.values()].map((s) => {
    const n = (seen.get(s.Sid) ?? 0) + 1;
    seen.set(s.Sid, n);
    return n === 1 ? s : { ...s, Sid: `${s.Sid}${n}` };
  });
}

/** Headroom's own needs: its state, bus, schedules, dead letters, logs and metrics. */
function ownGrants(config: Config, d: Deployment, names: NameProblems): Grant[] {
  const buses = [d.busArn];
  if (config.notifications.eventBus)
    buses.push(eventBusArn(d, names.bus('notifications.eventBus.name', config.notifications.eventBus.name)));
  const grants: Grant[] = [
    {
      purpose: 'StateTable',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query'],
      resources: [d.stateTableArn],
    },
    { purpose: 'PublishDecisions', actions: ['events:PutEvents'], resources: buses },
    {
      purpose: 'CampaignSchedules',
      actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
      resources: [schedulesInGroupArn(d, names.simple('scheduleGroupName', d.scheduleGroupName))],
    },
    {
      purpose: 'PassSchedulerRole',
      actions: ['iam:PassRole'],
      resources: [d.schedulerRoleArn],
      condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    },
    { purpose: 'DeadLetters', actions: ['sqs:SendMessage'], resources: [d.deadLetterQueueArn] },
    {
      purpose: 'Logs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: d.functionNames.map((f) => functionLogStreamsArn(d, names.simple('functionNames', f))),
    },
  ];
  if (d.selfInvokingFunctionNames.length)
    grants.push({
      purpose: 'FinishSlowCommands',
      actions: ['lambda:InvokeFunction'],
      resources: d.selfInvokingFunctionNames.map((f) =>
        lambdaFunctionArn(d, names.simple('selfInvokingFunctionNames', f)),
      ),
    });
  // GetMetricData has no resource-level permissions: `*` is the only resource it accepts.
  // The monthly capacity review (capacity.report) reads the targets' CloudWatch metrics too.
  if (Object.values(config.signals).some((s) => s.source === 'cloudwatch') || config.capacity?.report)
    grants.push({ purpose: 'ReadSignals', actions: ['cloudwatch:GetMetricData'], resources: ['*'] });
  return grants;
}

/** The target with its scope: its region, and its role's account when reached through one. */
function kindTarget(
  config: Config,
  d: Deployment,
  t: Config['targets'][number],
  names: NameProblems,
): KindTarget {
  const cluster = t.cluster ? config.clusters[t.cluster] : undefined;
  // A target's own region, else its cluster's (validate copies it onto the target), else the stage's.
  const where =
    t.spec.region !== undefined
      ? `targets.${t.id}.region`
      : cluster?.region !== undefined
        ? `clusters.${t.cluster}.region`
        : 'region';
  const region = names.region(where, t.region ?? cluster?.region ?? d.region);
  const scope = (t.roleArn && roleScope(t.roleArn, region)) || { ...d, region };
  return {
    id: t.id,
    path: `targets.${t.id}`,
    spec: t.spec,
    scope: { partition: scope.partition, account: scope.account, region: scope.region },
    ...(cluster?.eksCluster
      ? { eks: { name: cluster.eksCluster, path: `clusters.${t.cluster}.eksCluster` } }
      : {}),
  };
}

export function headroomPolicy(config: Config, d: Deployment): HeadroomPolicy {
  const names = new NameProblems();
  const own = ownGrants(config, d, names).map((grant) => ({ sid: grant.purpose, grant }));
  const assumed = new Map<string, { sid: string; grant: Grant }[]>();
  const direct: { sid: string; grant: Grant }[] = [];
  for (const t of config.targets) {
    const role = t.roleArn ? names.role(`targets.${t.id}.roleArn`, t.roleArn) : undefined;
    const grants = KINDS.of(t.kind)
      .iam(kindTarget(config, d, t, names), names)
      .map((grant: Grant) => ({
        sid: sidOf(t.kind, grant.purpose),
        grant,
      }));
    if (!role) direct.push(...grants);
    else if (grants.length) assumed.set(role, [...(assumed.get(role) ?? []), ...grants]);
  }
  if (names.list.length) throw new ConfigError(names.list);
  const statements = merge([...own, ...direct]);
  if (assumed.size)
    statements.push(
      ...merge([
        {
          sid: 'AssumeTargetRoles',
          grant: {
            purpose: 'AssumeTargetRoles',
            actions: ['sts:AssumeRole'],
            resources: [...assumed.keys()],
          },
        },
      ]),
    );
  return {
    statements,
    assumedRoles: Object.fromEntries([...assumed].map(([role, grants]) => [role, merge(grants)])),
  };
}

/** IAM's limit on the size of one managed policy, whitespace excluded. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

const sizeOf = (statements: PolicyStatement[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements }).length;

/**
 * Packs statements into as few policy documents as fit IAM's size limit, splitting the
 * resource list of a statement that is too large on its own (hundreds of targets).
 */
export function policyDocuments(
  statements: PolicyStatement[],
  maxChars = MANAGED_POLICY_MAX_CHARS,
): PolicyDocument[] {
  const pieces: PolicyStatement[] = [];
  const split = (s: PolicyStatement, part: number): void => {
    if (sizeOf([s]) <= maxChars) {
      pieces.push(part ? { ...s, Sid: `${s.Sid}Part${part}` } : s);
      return;
    }
    if (s.Resource.length < 2) throw new Error(`statement ${s.Sid} alone exceeds ${maxChars} characters`);
    const half = Math.ceil(s.Resource.length / 2);
    split({ ...s, Resource: s.Resource.slice(0, half) }, part * 2 + 1);
    split({ ...s, Resource: s.Resource.slice(half) }, part * 2 + 2);
  };
  for (const s of statements) split(s, 0);
  const docs: PolicyStatement[][] = [];
  for (const s of pieces) {
    const last = docs.at(-1);
    if (last && sizeOf([...last, s]) <= maxChars) last.push(s);
    else docs.push([s]);
  }
  return docs.map((Statement) => ({ Version: '2012-10-17', Statement }));
}
