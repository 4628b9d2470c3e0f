import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { MANAGED_TAG } from '../../shared/adapters/aws/rds-common.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/types.ts';
import { ConfigError } from '../../shared/domain/errors.ts';
import {
  headroomPolicy,
  MANAGED_POLICY_MAX_CHARS,
  MANAGED_TAG_KEY,
  MANAGED_TAG_VALUE,
  managedPrefix,
  policyDocuments,
} from '../../shared/iam/index.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';
import { ACCOUNT, type Call, decide, deployment, REGION } from './helpers.ts';

const exampleYaml = () => parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
const configOf = (doc: unknown): Config => parseConfig(stringify(doc), 'test.yaml');
const example = () => configOf(exampleYaml());

const db = (name: string, region = REGION, account = ACCOUNT) =>
  `arn:aws:rds:${region}:${account}:db:${name}`;
const rds = (type: string, name: string) => `arn:aws:rds:${REGION}:${ACCOUNT}:${type}:${name}`;
const cache = (type: string, name: string) => `arn:aws:elasticache:${REGION}:${ACCOUNT}:${type}:${name}`;
const managed = { [`aws:ResourceTag/${MANAGED_TAG_KEY}`]: MANAGED_TAG_VALUE };
const tagging = { [`aws:RequestTag/${MANAGED_TAG_KEY}`]: MANAGED_TAG_VALUE };
const PROD_ROLE = `arn:aws:iam::${ACCOUNT}:role/headroom-prod`;

/** The calls the actuators make on the example config's data tier (shared/adapters/aws). */
const DATA_TIER_CALLS: Call[] = [
  // db: rds-instance kaireon-prod
  { action: 'rds:DescribeDBInstances', resource: db('kaireon-prod') },
  { action: 'rds:ModifyDBInstance', resource: db('kaireon-prod') },
  { action: 'rds:AddTagsToResource', resource: db('kaireon-prod') },
  { action: 'rds:ListTagsForResource', resource: db('kaireon-prod') },
  // db-readers: replicas of kaireon-prod, created as kaireon-prod-headroom-<n>
  { action: 'rds:DescribeDBInstances', resource: db('kaireon-prod-headroom-1') },
  { action: 'rds:DescribeDBInstances', resource: db('*') },
  { action: 'rds:CreateDBInstanceReadReplica', resource: db('kaireon-prod-headroom-1'), context: tagging },
  { action: 'rds:CreateDBInstanceReadReplica', resource: db('kaireon-prod'), context: tagging },
  { action: 'rds:CreateDBInstanceReadReplica', resource: rds('og', 'default:postgres-16'), context: tagging },
  { action: 'rds:CreateDBInstanceReadReplica', resource: rds('pg', 'default.postgres16'), context: tagging },
  { action: 'rds:CreateDBInstanceReadReplica', resource: rds('subgrp', 'kaireon-db'), context: tagging },
  { action: 'rds:AddTagsToResource', resource: db('kaireon-prod-headroom-1'), context: tagging },
  { action: 'rds:DeleteDBInstance', resource: db('kaireon-prod-headroom-2'), context: managed },
  // cache: elasticache-replication-group kaireon-redis
  ...[
    'DescribeReplicationGroups',
    'IncreaseReplicaCount',
    'DecreaseReplicaCount',
    'ModifyReplicationGroupShardConfiguration',
    'ModifyReplicationGroup',
  ].map((a) => ({ action: `elasticache:${a}`, resource: cache('replicationgroup', 'kaireon-redis') })),
  { action: 'elasticache:DescribeCacheClusters', resource: cache('cluster', 'kaireon-redis-0001-002') },
];

/** Headroom's own resources: state, bus, schedules, dead letters, logs, self-invocation. */
const d = deployment();
const OWN_CALLS: Call[] = [
  ...['GetItem', 'PutItem', 'DeleteItem', 'Query'].map((a) => ({
    action: `dynamodb:${a}`,
    resource: d.stateTableArn,
  })),
  { action: 'events:PutEvents', resource: d.busArn },
  ...['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule'].map((a) => ({
    action: `scheduler:${a}`,
    resource: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/headroom-prod/black-friday-tv-start`,
  })),
  {
    action: 'iam:PassRole',
    resource: d.schedulerRoleArn,
    context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
  },
  { action: 'sqs:SendMessage', resource: d.deadLetterQueueArn },
  {
    action: 'logs:PutLogEvents',
    resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/headroom-prod-slack:log-stream:2026/11/27/[$LATEST]abc`,
  },
  {
    action: 'lambda:InvokeFunction',
    resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:headroom-prod-slack`,
  },
  { action: 'sts:AssumeRole', resource: PROD_ROLE },
];

/** The same call aimed elsewhere: another name, another region, another account. */
function elsewhere(c: Call): Call[] {
  const parts = c.resource.split(':');
  const other = (i: number, v: string) => parts.map((p, j) => (j === i ? v : p)).join(':');
  const renamed = c.resource
    .replace(/kaireon-prod-headroom-\d/, 'kaireon-staging-headroom-1')
    .replace(/kaireon-(prod|redis|db)/, 'payments-$1')
    .replace(/StateTable-abcdef|Bus-abcdef|DeadLetters-abcdef/, 'Other')
    .replace(/headroom-prod(-slack|\/|-SchedulerRole)/, 'other-app$1')
    .replace(/role\/headroom-prod$/, 'role/admin');
  // Listing instances is authorised against the region's `db:*` (see shared/iam/kinds.ts):
  // another instance in the same region is visible read-only, never changeable.
  // Option, parameter and subnet groups a new replica inherits have no declared names (`*`);
  // the create still needs the new instance's and the source's ARNs, which are declared.
  const unnamed = c.action === 'rds:DescribeDBInstances' || /:(og|pg|subgrp):/.test(c.resource);
  const out: Call[] = unnamed ? [] : [{ ...c, resource: renamed }];
  if (parts[3]) out.push({ ...c, resource: other(3, 'us-east-1') });
  out.push({ ...c, resource: other(4, '999999999999') });
  return out.filter((x) => x.resource !== c.resource);
}

describe('Function: headroomPolicy', () => {
  it("allows each action Headroom performs on the example config's targets and its own resources", async () => {
    const { statements } = headroomPolicy(example(), d);
    for (const call of [...DATA_TIER_CALLS, ...OWN_CALLS])
      expect({ ...call, decision: await decide(statements, call) }).toEqual({ ...call, decision: 'Allowed' });
  });

  it('denies the same actions on any other resource: another name, region or account', async () => {
    const { statements } = headroomPolicy(example(), d);
    for (const call of [...DATA_TIER_CALLS, ...OWN_CALLS])
      for (const other of elsewhere(call))
        expect({ ...other, decision: await decide(statements, other) }).toEqual({
          ...other,
          decision: 'ImplicitlyDenied',
        });
  });

  it('deletes only replicas Headroom made: the name prefix and the managed tag are both required', async () => {
    const { statements } = headroomPolicy(example(), d);
    const del = (name: string, context: Record<string, string>) =>
      decide(statements, { action: 'rds:DeleteDBInstance', resource: db(name), context });
    expect(await del('kaireon-prod-headroom-3', managed)).toBe('Allowed');
    expect(await del('kaireon-prod-headroom-3', {})).toBe('ImplicitlyDenied');
    expect(await del('kaireon-prod-headroom-3', { [`aws:ResourceTag/${MANAGED_TAG_KEY}`]: 'false' })).toBe(
      'ImplicitlyDenied',
    );
    // A hand-made replica survives even if someone copied the tag onto it.
    expect(await del('kaireon-prod-replica-1', managed)).toBe('ImplicitlyDenied');
    expect(await del('kaireon-prod', managed)).toBe('ImplicitlyDenied');
    // Creating a replica that is not tagged as Headroom's is refused.
    const create = { action: 'rds:CreateDBInstanceReadReplica', resource: db('kaireon-prod-headroom-4') };
    expect(await decide(statements, create)).toBe('ImplicitlyDenied');
  });

  it('lists DB instances read-only in the regions of declared replica targets, and changes none of them', async () => {
    const { statements } = headroomPolicy(example(), d);
    // A filtered DescribeDBInstances (replicas of a source, hand-made ones included) is
    // authorised against `db:*`: the actuator can count capacity it did not create.
    expect(await decide(statements, { action: 'rds:DescribeDBInstances', resource: db('*') })).toBe(
      'Allowed',
    );
    expect(
      await decide(statements, { action: 'rds:DescribeDBInstances', resource: db('*', 'us-east-1') }),
    ).toBe('ImplicitlyDenied');
    for (const action of ['rds:ModifyDBInstance', 'rds:DeleteDBInstance', 'rds:RebootDBInstance'])
      expect(await decide(statements, { action, resource: db('payments-prod'), context: managed })).toBe(
        'ImplicitlyDenied',
      );
    // Without a replica or reader target there is nothing to list.
    const doc = exampleYaml();
    delete doc.targets['db-readers'];
    doc.targets.api.dependsOn = ['pgbouncer'];
    doc.rules = doc.rules.filter((r: { then: { target: string } }) => r.then.target !== 'db-readers');
    doc.predictive = doc.predictive.filter((p: { target: string }) => p.target !== 'db-readers');
    doc.campaigns[0].targets = doc.campaigns[0].targets.filter((t: string) => t !== 'db-readers');
    const without = headroomPolicy(configOf(doc), d).statements;
    expect(await decide(without, { action: 'rds:DescribeDBInstances', resource: db('*') })).toBe(
      'ImplicitlyDenied',
    );
    expect(await decide(without, { action: 'rds:DescribeDBInstances', resource: db('kaireon-prod') })).toBe(
      'Allowed',
    );
  });

  it('passes the scheduler role only to EventBridge Scheduler', async () => {
    const { statements } = headroomPolicy(example(), d);
    const pass = (service: string) =>
      decide(statements, {
        action: 'iam:PassRole',
        resource: d.schedulerRoleArn,
        context: { 'iam:PassedToService': service },
      });
    expect(await pass('scheduler.amazonaws.com')).toBe('Allowed');
    expect(await pass('lambda.amazonaws.com')).toBe('ImplicitlyDenied');
    expect(await pass('ec2.amazonaws.com')).toBe('ImplicitlyDenied');
  });

  it('reaches a cluster behind roleArn only through that role, which gets the EKS permissions', async () => {
    const { statements, assumedRoles } = headroomPolicy(example(), d);
    const describe = {
      action: 'eks:DescribeCluster',
      resource: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/kaireon-prod`,
    };
    expect(await decide(statements, describe)).toBe('ImplicitlyDenied');
    expect(Object.keys(assumedRoles)).toEqual([PROD_ROLE]);
    expect(await decide(assumedRoles[PROD_ROLE]!, describe, PROD_ROLE)).toBe('Allowed');
    expect(
      await decide(
        assumedRoles[PROD_ROLE]!,
        { ...describe, resource: describe.resource.replace('kaireon-prod', 'kaireon-staging') },
        PROD_ROLE,
      ),
    ).toBe('ImplicitlyDenied');
  });

  it('a target added to the config appears in the policy, with nothing else', async () => {
    const doc = exampleYaml();
    const before = headroomPolicy(configOf(doc), d).statements;
    doc.clusters.batch = { eksCluster: 'batch-eu', region: 'eu-west-1' };
    doc.targets['orders-db'] = {
      kind: 'rds-instance',
      identifier: 'orders-prod',
      tiers: ['db.r6g.large', 'db.r6g.xlarge'],
    };
    doc.targets['batch-nodes'] = {
      kind: 'eks-nodegroup',
      cluster: 'batch',
      nodegroup: 'spot',
      bounds: { min: 0, max: 30 },
    };
    const after = headroomPolicy(configOf(doc), d).statements;
    const calls: Call[] = [
      { action: 'rds:ModifyDBInstance', resource: db('orders-prod') },
      {
        action: 'eks:UpdateNodegroupConfig',
        resource:
          'arn:aws:eks:eu-west-1:123456789012:nodegroup/batch-eu/spot/4ec6a3f2-1b2c-4d5e-8f90-123456789abc',
      },
      { action: 'eks:DescribeUpdate', resource: 'arn:aws:eks:eu-west-1:123456789012:cluster/batch-eu' },
    ];
    for (const call of calls) {
      expect(await decide(before, call)).toBe('ImplicitlyDenied');
      expect(await decide(after, call)).toBe('Allowed');
    }
    // Only the new targets' ARNs were added.
    const resources = (s: typeof after) => new Set(s.flatMap((x) => x.Resource));
    const added = [...resources(after)].filter((r) => !resources(before).has(r)).sort();
    expect(added).toEqual([
      'arn:aws:eks:eu-west-1:123456789012:cluster/batch-eu',
      'arn:aws:eks:eu-west-1:123456789012:nodegroup/batch-eu/spot/*',
      'arn:aws:rds:eu-central-1:123456789012:db:orders-prod',
    ]);
  });

  it('names nothing undeclared: every target ARN carries a declared identifier', () => {
    const config = example();
    const { statements, assumedRoles } = headroomPolicy(config, d);
    const declared = ['kaireon-prod', 'kaireon-prod-headroom-*', 'kaireon-redis', 'kaireon-redis-*'];
    const targetArns = [...statements, ...Object.values(assumedRoles).flat()]
      .flatMap((s) => s.Resource)
      .filter((r) => /^arn:aws:(rds|elasticache|eks):/.test(r));
    for (const arn of targetArns) {
      const name = arn.split(/:(?:db|replicationgroup|cluster)[:/]/)[1];
      // Option, parameter and subnet groups are inherited by new replicas: only `*` is possible.
      if (/:(og|pg|subgrp):\*$/.test(arn) || arn.endsWith(':db:*')) continue;
      expect(declared, arn).toContain(name);
    }
    // Without targets, signals or cross-account roles, only Headroom's own resources remain.
    const bare = headroomPolicy({ ...config, targets: [], signals: {} }, d);
    expect(bare.assumedRoles).toEqual({});
    expect(
      bare.statements
        .flatMap((s) => s.Action)
        .filter((a) => /^(rds|elasticache|eks|sts|cloudwatch):/.test(a)),
    ).toEqual([]);
  });

  it('grants a target reached through another account only sts:AssumeRole, and lists what that role needs', async () => {
    const doc = exampleYaml();
    const role = 'arn:aws:iam::210987654321:role/headroom-analytics';
    doc.targets.analytics = {
      kind: 'aurora-serverless-v2',
      clusterIdentifier: 'analytics',
      region: 'eu-west-1',
      roleArn: role,
      bounds: { min: 0.5, max: 64 },
    };
    const { statements, assumedRoles } = headroomPolicy(configOf(doc), d);
    const modify = {
      action: 'rds:ModifyDBCluster',
      resource: 'arn:aws:rds:eu-west-1:210987654321:cluster:analytics',
    };
    expect(await decide(statements, modify, undefined, '210987654321')).toBe('ImplicitlyDenied');
    expect(await decide(statements, { action: 'sts:AssumeRole', resource: role })).toBe('Allowed');
    expect(await decide(assumedRoles[role]!, modify, role, '210987654321')).toBe('Allowed');
  });

  it('refuses names that would widen the policy, naming every bad field at once', () => {
    const doc = exampleYaml();
    doc.targets.db.identifier = 'kaireon-*';
    doc.targets.cache.replicationGroupId = 'kaireon redis';
    doc.clusters.prod.eksCluster = 'kaireon-?';
    delete doc.clusters.prod.roleArn;
    const config = configOf(doc);
    expect(() => headroomPolicy(config, d)).toThrow(ConfigError);
    try {
      headroomPolicy(config, d);
    } catch (err) {
      expect((err as ConfigError).problems.sort()).toEqual([
        'clusters.prod.eksCluster: "kaireon-?" cannot appear in an IAM policy (letters, digits, ".", "_" and "-" only; no wildcards)',
        'targets.cache.replicationGroupId: "kaireon redis" cannot appear in an IAM policy (letters, digits, ".", "_" and "-" only; no wildcards)',
        'targets.db.identifier: "kaireon-*" cannot appear in an IAM policy (letters, digits, ".", "_" and "-" only; no wildcards)',
      ]);
    }
  });

  it('cannot be widened to every region: region "*" fails validate, and the generator refuses one anyway', () => {
    const doc = exampleYaml();
    doc.targets.db.region = '*';
    expect(() => configOf(doc)).toThrow(/targets\.db\.region: invalid region "\*"/);
    // A Config built without validate (a script, a future code path) is still refused.
    const config = example();
    const db = config.targets.find((t) => t.id === 'db')!;
    db.region = '*';
    db.spec.region = '*';
    config.clusters.prod!.region = 'eu-*';
    for (const t of config.targets) if (t.cluster === 'prod') t.region = 'eu-*';
    try {
      headroomPolicy(config, d);
      expect.unreachable('a wildcard region was granted');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        'clusters.prod.region: "eu-*" is not an AWS region code (no wildcards)',
        'targets.db.region: "*" is not an AWS region code (no wildcards)',
      ]);
    }
  });

  it('names replicas as RDS allows (lower case, 63 characters with -NN, no trailing hyphen), and tags them as the actuators do', () => {
    expect(managedPrefix('Kaireon-Prod')).toBe('kaireon-prod-headroom-');
    expect(`${managedPrefix('x'.repeat(70))}NN`).toBe(`${'x'.repeat(51)}-headroom-NN`);
    expect(`${managedPrefix('x'.repeat(70))}NN`).toHaveLength(63);
    expect(managedPrefix(`${'a'.repeat(48)}-b-c`)).toBe(`${'a'.repeat(48)}-b-headroom-`);
    expect(MANAGED_TAG).toEqual({ Key: MANAGED_TAG_KEY, Value: MANAGED_TAG_VALUE });
  });
});

describe('Function: policyDocuments', () => {
  it('packs the statements of 300 targets into managed policies within the IAM size limit, granting the same', async () => {
    const doc = exampleYaml();
    for (let i = 0; i < 300; i++)
      doc.targets[`db-${i}`] = {
        kind: 'rds-instance',
        identifier: `orders-shard-${i}`,
        tiers: ['db.r6g.large'],
      };
    const { statements } = headroomPolicy(configOf(doc), d);
    const docs = policyDocuments(statements);
    expect(docs.length).toBeGreaterThan(1);
    expect(docs.length).toBeLessThanOrEqual(10);
    for (const p of docs) expect(JSON.stringify(p).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    for (const i of [0, 150, 299])
      expect(
        await decide(statements, { action: 'rds:ModifyDBInstance', resource: db(`orders-shard-${i}`) }),
      ).toBe('Allowed');
    expect(
      await decide(statements, { action: 'rds:ModifyDBInstance', resource: db('orders-shard-300') }),
    ).toBe('ImplicitlyDenied');
  });
});
