import * as z from 'zod';
import { isRdsInstanceClass } from '../config/catalog.ts';
import { common, tierBounds } from '../config/fields.ts';
import { rdsArn } from '../iam/arns.ts';
import { type Grant, lowerName } from '../iam/grants.ts';
import { type KindDefinition, ladderShape, minutes } from './kind.ts';

const schema = z.strictObject({
  ...common,
  identifier: z.string(),
  tiers: z.array(z.string()).min(1),
  bounds: tierBounds.optional(),
  storage: z
    .strictObject({ minFreePercent: z.number().gt(0).lt(100), maxAllocatedGiB: z.number().positive() })
    .optional(),
  /** `blue-green`: class changes through an RDS Blue/Green deployment (green ahead, approved switchover). */
  method: z.enum(['modify', 'blue-green']).optional(),
});
export type RdsInstanceSpec = z.infer<typeof schema>;

/** An RDS DB instance moved along a ladder of instance classes (ModifyDBInstance). */
export const rdsInstance: KindDefinition<RdsInstanceSpec> = {
  name: 'rds-instance',
  description: 'an RDS instance on a ladder of instance classes',
  schema,
  field: 'instanceClass',
  granularity: 1,
  leadTime: {
    seconds: minutes(30),
    source:
      'an instance class change takes ~20 minutes plus a 60-120 s Multi-AZ failover (docs/data-tier.md)',
  },
  leadTimeByDimension: {
    'blue-green': {
      seconds: minutes(60),
      source:
        'green creation (a snapshot restore and catch-up) takes ~30-60 min by storage size; the switchover takes under 5 s for one Region (AWS, Jan 2026) (docs/data-tier.md)',
    },
  },
  shape: (spec, problems) => {
    const shape = ladderShape(spec.tiers, spec.bounds, isRdsInstanceClass, 'RDS instance class', problems);
    if (spec.method === 'blue-green' && spec.storage)
      problems.add(
        ['storage'],
        'storage growth rides on a class change, which blue-green does not make: use an rds-storage target',
      );
    return spec.method === 'blue-green' ? { ...shape, dimension: 'blue-green' } : shape;
  },
  isWorkload: false,
  isNodeCapacity: false,
  exclusive: true,
  needsApproval: {
    risk: 'Single-AZ instance: a class change restarts the database (downtime)',
    always: (spec) =>
      spec.method === 'blue-green' ? 'Blue/Green switchover: writes stop for a few seconds' : undefined,
  },
  iam: (t, names) => {
    const id = lowerName(names, `${t.path}.identifier`, t.spec.identifier);
    return [
      // Free storage is read before a class change (a resize cannot start on a full disk).
      { purpose: 'Metrics', actions: ['cloudwatch:GetMetricData'], resources: ['*'] },
      {
        purpose: 'Instance',
        actions: [
          'rds:DescribeDBInstances',
          'rds:ModifyDBInstance',
          'rds:AddTagsToResource',
          'rds:ListTagsForResource',
        ],
        resources: [rdsArn(t.scope, 'db', id)],
      },
      // max_connections of its parameter group, for connection budgets (docs/constraints.md);
      // the group's name is only known from DescribeDBInstances.
      {
        purpose: 'Parameters',
        actions: ['rds:DescribeDBParameters'],
        resources: [rdsArn(t.scope, 'pg', '*')],
      },
      ...(t.spec.method === 'blue-green' ? blueGreenGrants(t.scope, id) : []),
    ];
  },
  actuator: async () => (await import('../adapters/aws/index.ts')).rdsInstanceActuators,
  world: { role: 'managed' },
};

/**
 * Blue/Green (AWS "Authorizing access to blue/green deployment operations"): the deployment's
 * own actions on the source and on deployments (their ids are generated: `deployment:*`), and
 * the instance actions RDS performs for the caller on green instances it names itself, which
 * IAM only lets a policy match with `db:*` of the region.
 */
function blueGreenGrants(scope: Parameters<typeof rdsArn>[0], id: string): Grant[] {
  const deployments = rdsArn(scope, 'deployment', '*');
  return [
    {
      purpose: 'BlueGreenCreate',
      actions: ['rds:CreateBlueGreenDeployment'],
      resources: [rdsArn(scope, 'db', id), deployments],
    },
    {
      purpose: 'BlueGreen',
      actions: [
        'rds:DescribeBlueGreenDeployments',
        'rds:SwitchoverBlueGreenDeployment',
        'rds:DeleteBlueGreenDeployment',
      ],
      resources: [deployments],
    },
    {
      purpose: 'BlueGreenGreen',
      actions: [
        'rds:CreateDBInstanceReadReplica',
        'rds:AddTagsToResource',
        'rds:PromoteReadReplica',
        'rds:ModifyDBInstance',
      ],
      resources: [rdsArn(scope, 'db', '*')],
    },
    {
      // The green inherits the blue's option, parameter and subnet groups (names not in the config).
      purpose: 'BlueGreenGroups',
      actions: ['rds:CreateDBInstanceReadReplica'],
      resources: ['og', 'pg', 'subgrp'].map((g) => rdsArn(scope, g as 'og', '*')),
    },
  ];
}
