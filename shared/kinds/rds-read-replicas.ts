import * as z from 'zod';
import { isRdsInstanceClass } from '../config/catalog.ts';
import { common, countBounds } from '../config/fields.ts';
import { rdsArn } from '../iam/arns.ts';
import { lowerName, managedInstances } from '../iam/grants.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';

const schema = z.strictObject({
  ...common,
  source: z.string(),
  instanceClass: z.string(),
  availabilityZones: z.array(z.string()).optional(),
  bounds: countBounds,
});
export type RdsReadReplicasSpec = z.infer<typeof schema>;

/** Read replicas of an RDS instance: Headroom creates and deletes the ones it tags as its own. */
export const rdsReadReplicas: KindDefinition<RdsReadReplicasSpec> = {
  name: 'rds-read-replicas',
  description: 'the read replicas of an RDS instance',
  schema,
  field: 'replicas',
  granularity: 1,
  leadTime: {
    seconds: minutes(40),
    source: 'a read replica is created from a snapshot in 15-40 minutes, depending on storage size',
  },
  shape: (spec, problems) => {
    if (!isRdsInstanceClass(spec.instanceClass))
      problems.add(['instanceClass'], `unknown RDS instance class "${spec.instanceClass}"`);
    return countShape(spec);
  },
  isWorkload: false,
  isNodeCapacity: false,
  exclusive: false,
  iam: (t, names) => {
    const source = lowerName(names, `${t.path}.source`, t.spec.source);
    const sourceArn = rdsArn(t.scope, 'db', source);
    return [
      { purpose: 'DescribeInstances', actions: ['rds:DescribeDBInstances'], resources: [sourceArn] },
      ...managedInstances(t.scope, source, [sourceArn], 'rds:CreateDBInstanceReadReplica'),
    ];
  },
  actuator: async () => (await import('../adapters/aws/index.ts')).rdsReadReplicasActuators,
  world: { role: 'managed' },
};
