import * as z from 'zod';
import { common, countBounds } from '../config/fields.ts';
import { rdsArn } from '../iam/arns.ts';
import { lowerName } from '../iam/grants.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';

const schema = z.strictObject({
  ...common,
  clusterIdentifier: z.string(),
  bounds: countBounds,
  maxCapacity: z.number().positive().optional(),
});
export type AuroraServerlessV2Spec = z.infer<typeof schema>;

/** The minimum ACUs of an Aurora Serverless v2 cluster (0.5 ACU steps, at most 256). */
export const auroraServerlessV2: KindDefinition<AuroraServerlessV2Spec> = {
  name: 'aurora-serverless-v2',
  description: 'the minimum capacity (ACUs) of an Aurora Serverless v2 cluster',
  schema,
  field: 'minCapacity',
  granularity: 0.5,
  leadTime: {
    seconds: minutes(2),
    source: 'a Serverless v2 capacity range change applies in seconds; scaling up takes a minute or two',
  },
  shape: (spec, problems) => {
    if (spec.bounds.max > 256)
      problems.add(['bounds', 'max'], 'Aurora Serverless v2 allows at most 256 ACUs');
    const max = spec.maxCapacity;
    if (max !== undefined && (max > 256 || max < spec.bounds.max))
      problems.add(['maxCapacity'], `must lie between bounds.max (${spec.bounds.max}) and 256 ACUs`);
    return countShape(spec);
  },
  isWorkload: false,
  isNodeCapacity: false,
  exclusive: true,
  iam: (t, names) => {
    const id = lowerName(names, `${t.path}.clusterIdentifier`, t.spec.clusterIdentifier);
    return [
      {
        purpose: 'Cluster',
        actions: ['rds:DescribeDBClusters', 'rds:ModifyDBCluster'],
        resources: [rdsArn(t.scope, 'cluster', id)],
      },
    ];
  },
  actuator: async () => (await import('../adapters/aws/index.ts')).auroraServerlessV2Actuators,
  world: { role: 'managed' },
};
