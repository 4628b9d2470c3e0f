import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { headroomPolicy } from '../../shared/iam/index.ts';
import { ACCOUNT, type Call, decide, deployment, REGION } from './helpers.ts';

/** rds-storage and a Blue/Green rds-instance: the calls their actuators make. */
const CONFIG = `
version: 1
targets:
  db: { kind: rds-instance, identifier: kaireon-prod, region: ${REGION}, tiers: [db.r6g.large, db.r6g.xlarge], method: blue-green }
  storage: { kind: rds-storage, identifier: kaireon-orders, region: ${REGION}, bounds: { min: 100, max: 500 } }
`;
const arn = (type: string, name: string, region = REGION, account = ACCOUNT) =>
  `arn:aws:rds:${region}:${account}:${type}:${name}`;
const GREEN = 'kaireon-prod-green-abcdef';

const CALLS: Call[] = [
  ...['DescribeDBInstances', 'ModifyDBInstance', 'AddTagsToResource'].map((a) => ({
    action: `rds:${a}`,
    resource: arn('db', 'kaireon-orders'),
  })),
  { action: 'rds:CreateBlueGreenDeployment', resource: arn('db', 'kaireon-prod') },
  ...[
    'CreateBlueGreenDeployment',
    'DescribeBlueGreenDeployments',
    'SwitchoverBlueGreenDeployment',
    'DeleteBlueGreenDeployment',
  ].map((a) => ({ action: `rds:${a}`, resource: arn('deployment', 'bgd-0123456789abcdef') })),
  // What RDS does on the caller's behalf to the green instance it names itself.
  ...['CreateDBInstanceReadReplica', 'AddTagsToResource', 'PromoteReadReplica', 'ModifyDBInstance'].map(
    (a) => ({
      action: `rds:${a}`,
      resource: arn('db', GREEN),
    }),
  ),
  { action: 'rds:CreateDBInstanceReadReplica', resource: arn('pg', 'default.postgres16') },
];

describe('Function: headroomPolicy for rds-storage and Blue/Green class changes', () => {
  const { statements } = headroomPolicy(parseConfig(CONFIG, 'data.yaml'), deployment());

  it('allows each call the actuators make', async () => {
    for (const call of CALLS)
      expect({ ...call, decision: await decide(statements, call) }).toEqual({ ...call, decision: 'Allowed' });
  });

  it('denies them in another region or account, and storage changes on other instances', async () => {
    const elsewhere = CALLS.flatMap((c) => {
      const [, , , , , type, name] = c.resource.split(':');
      return [
        { ...c, resource: arn(type!, name!, 'us-east-1') },
        { ...c, resource: arn(type!, name!, REGION, '999999999999') },
      ];
    });
    // Without blue-green, the green's instance actions are not granted at all: storage and
    // class changes reach only the declared instances. With it, AWS's rule (green instances have
    // internal names a policy can only match with db:*) is the one widening, in this region.
    const plain = headroomPolicy(
      parseConfig(CONFIG.replace(', method: blue-green', ''), 'plain.yaml'),
      deployment(),
    ).statements;
    for (const call of elsewhere)
      expect({ ...call, decision: await decide(statements, call) }).toEqual({
        ...call,
        decision: 'ImplicitlyDenied',
      });
    for (const a of ['CreateBlueGreenDeployment', 'CreateDBInstanceReadReplica', 'ModifyDBInstance'])
      expect(await decide(plain, { action: `rds:${a}`, resource: arn('db', GREEN) })).toBe(
        'ImplicitlyDenied',
      );
    expect(
      await decide(plain, { action: 'rds:ModifyDBInstance', resource: arn('db', 'payments-prod') }),
    ).toBe('ImplicitlyDenied');
    expect(
      await decide(statements, { action: 'rds:DeleteDBInstance', resource: arn('db', 'payments-prod') }),
    ).toBe('ImplicitlyDenied');
  });
});
