import * as z from 'zod';
import { common, countBounds } from '../config/fields.ts';
import { elasticacheArn } from '../iam/arns.ts';
import { lowerName } from '../iam/grants.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';

/** ECPUPerSecond.Minimum (and Maximum): 1,000 to 15,000,000 (ModifyServerlessCache). */
export const ECPU_MIN = 1000;
export const ECPU_MAX = 15_000_000;

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
    source:
      'AWS pre-scaling: a new minimum takes effect within 60 minutes; set the peak as the minimum at least 60 minutes ahead',
  },
  shape: (spec, problems) => {
    for (const k of ['min', 'max'] as const) {
      const v = spec.bounds[k];
      if (v !== 0 && (v < ECPU_MIN || v > ECPU_MAX || !Number.isInteger(v)))
        problems.add(['bounds', k], 'an ECPU/s minimum is 0 (none) or a whole number from 1000 to 15000000');
    }
    const gb = spec.dataStorageMinimumGB;
    if (gb !== undefined && (gb < 1 || gb > 5000 || !Number.isInteger(gb)))
      problems.add(['dataStorageMinimumGB'], 'must be a whole number of GB from 1 to 5000');
    // ElastiCache takes any minimum from 1,000 to 15,000,000 in one modify and no value between
    // 0 and 1,000; it doubles ECPU/s on its own every 10-12 minutes, which is why AWS says to set
    // the expected peak as the minimum 60 minutes ahead rather than step towards it.
    return { ...countShape(spec), values: { leastAboveZero: ECPU_MIN, direct: true } };
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
