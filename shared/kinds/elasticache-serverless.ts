import * as z from 'zod';
import { common, countBounds } from '../config/fields.ts';
import { elasticacheArn } from '../iam/arns.ts';
import { lowerName } from '../iam/grants.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';

const schema = z.strictObject({
  ...common,
  serverlessCacheName: z.string(),
  bounds: countBounds,
  dataStorageMinimumGB: z.number().positive().optional(),
});
export type ElastiCacheServerlessSpec = z.infer<typeof schema>;

/** The ECPU/s minimum of an ElastiCache Serverless cache (0: none, else 1,000 to 15,000,000). */
export const elastiCacheServerless: KindDefinition<ElastiCacheServerlessSpec> = {
  name: 'elasticache-serverless',
  description: 'the ECPU/s minimum of an ElastiCache Serverless cache',
  schema,
  field: 'ecpuPerSecondMinimum',
  granularity: 1,
  leadTime: {
    seconds: minutes(60),
    source: 'AWS: a new minimum "may take up to 60 minutes" to apply',
  },
  shape: (spec, problems) => {
    for (const k of ['min', 'max'] as const) {
      const v = spec.bounds[k];
      if (v !== 0 && (v < 1000 || v > 15_000_000 || !Number.isInteger(v)))
        problems.add(['bounds', k], 'an ECPU/s minimum is 0 (none) or a whole number from 1000 to 15000000');
    }
    const gb = spec.dataStorageMinimumGB;
    if (gb !== undefined && (gb < 1 || gb > 5000 || !Number.isInteger(gb)))
      problems.add(['dataStorageMinimumGB'], 'must be a whole number of GB from 1 to 5000');
    return countShape(spec);
  },
  isWorkload: false,
  isNodeCapacity: false,
  exclusive: true,
  iam: (t, names) => {
    const name = lowerName(names, `${t.path}.serverlessCacheName`, t.spec.serverlessCacheName);
    return [
      {
        purpose: 'ServerlessCache',
        actions: ['elasticache:DescribeServerlessCaches', 'elasticache:ModifyServerlessCache'],
        resources: [elasticacheArn(t.scope, 'serverlesscache', name)],
      },
    ];
  },
  actuator: async () => (await import('../adapters/aws/index.ts')).elastiCacheServerlessActuators,
  world: { role: 'managed' },
};
