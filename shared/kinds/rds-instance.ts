import * as z from 'zod';
import { isRdsInstanceClass } from '../config/catalog.ts';
import { common, tierBounds } from '../config/fields.ts';
import { rdsArn } from '../iam/arns.ts';
import { lowerName } from '../iam/grants.ts';
import { type KindDefinition, ladderShape, minutes } from './kind.ts';

const schema = z.strictObject({
  ...common,
  identifier: z.string(),
  tiers: z.array(z.string()).min(1),
  bounds: tierBounds.optional(),
  storage: z
    .strictObject({ minFreePercent: z.number().gt(0).lt(100), maxAllocatedGiB: z.number().positive() })
    .optional(),
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
  shape: (spec, problems) =>
    ladderShape(spec.tiers, spec.bounds, isRdsInstanceClass, 'RDS instance class', problems),
  isWorkload: false,
  isNodeCapacity: false,
  exclusive: true,
  needsApproval: { risk: 'Single-AZ instance: a class change restarts the database (downtime)' },
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
    ];
  },
  actuator: async () => (await import('../adapters/aws/index.ts')).rdsInstanceActuators,
  world: { role: 'managed' },
};
