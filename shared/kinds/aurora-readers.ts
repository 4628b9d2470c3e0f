import * as z from 'zod';
import { isRdsInstanceClass } from '../config/catalog.ts';
import { common, countBounds } from '../config/fields.ts';
import { rdsArn } from '../iam/arns.ts';
import { lowerName, managedInstances } from '../iam/grants.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';

const schema = z.strictObject({
  ...common,
  clusterIdentifier: z.string(),
  instanceClass: z.string().optional(),
  bounds: countBounds,
});
export type AuroraReadersSpec = z.infer<typeof schema>;

/** The readers of an Aurora cluster: Headroom adds and removes the instances it tags as its own. */
export const auroraReaders: KindDefinition<AuroraReadersSpec> = {
  name: 'aurora-readers',
  description: 'the reader instances of an Aurora cluster',
  schema,
  field: 'readers',
  granularity: 1,
  leadTime: {
    seconds: minutes(15),
    source: 'an Aurora reader joins the shared cluster volume in ~10-15 minutes',
  },
  shape: (spec, problems) => {
    if (spec.instanceClass && !isRdsInstanceClass(spec.instanceClass))
      problems.add(['instanceClass'], `unknown RDS instance class "${spec.instanceClass}"`);
    return countShape(spec);
  },
  isWorkload: false,
  isNodeCapacity: false,
  exclusive: false,
  iam: (t, names) => {
    const id = lowerName(names, `${t.path}.clusterIdentifier`, t.spec.clusterIdentifier);
    const cluster = rdsArn(t.scope, 'cluster', id);
    return [
      { purpose: 'Cluster', actions: ['rds:DescribeDBClusters'], resources: [cluster] },
      ...managedInstances(t.scope, id, [cluster], 'rds:CreateDBInstance'),
    ];
  },
  actuator: async () => (await import('../adapters/aws/index.ts')).auroraReadersActuators,
  world: { role: 'managed' },
};
