import * as z from 'zod';
import { common, countBounds } from '../config/fields.ts';
import { rdsArn } from '../iam/arns.ts';
import { lowerName } from '../iam/grants.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';

/** gp2, gp3 and io1/io2 allocated storage of RDS for PostgreSQL and MySQL: 20 GiB to 64 TiB. */
const GIB_MIN = 20;
const GIB_MAX = 65_536;

const schema = z.strictObject({
  ...common,
  identifier: z.string(),
  /** AllocatedStorage, GiB. */
  bounds: countBounds,
  /** Storage autoscaling's ceiling (MaxAllocatedStorage) Headroom keeps at least this high. */
  maxAllocatedStorageGiB: z.number().int().positive().optional(),
});
export type RdsStorageSpec = z.infer<typeof schema>;

/**
 * The allocated storage of an RDS DB instance (GiB), grown on its own (an alarm, a rule, a
 * forecast) by the RDS rules: +10 % at least, no second change within 6 hours or while the
 * last one is being optimised, never shrunk; storage autoscaling's MaxAllocatedStorage is
 * set and raised with it.
 */
export const rdsStorage: KindDefinition<RdsStorageSpec> = {
  name: 'rds-storage',
  description: 'the allocated storage (GiB) of an RDS instance, grown by the RDS rules',
  schema,
  field: 'allocatedStorageGiB',
  granularity: 1,
  leadTime: {
    seconds: minutes(15),
    source:
      'AWS: a storage increase is usable once the instance leaves `modifying` (minutes) while `storage-optimization` runs on for hours; measured 5-10 min on gp3',
  },
  shape: (spec, problems) => {
    for (const k of ['min', 'max'] as const) {
      const v = spec.bounds[k];
      if (!Number.isInteger(v) || v < GIB_MIN || v > GIB_MAX)
        problems.add(
          ['bounds', k],
          `allocated storage is a whole number of GiB from ${GIB_MIN} to ${GIB_MAX}`,
        );
    }
    const max = spec.maxAllocatedStorageGiB;
    if (max !== undefined && (max > GIB_MAX || max < spec.bounds.max))
      problems.add(
        ['maxAllocatedStorageGiB'],
        `must be at least bounds.max (${spec.bounds.max}) and at most ${GIB_MAX} GiB`,
      );
    return {
      ...countShape(spec),
      values: {
        minRaisePercent: 10,
        direct: true,
        neverLowered: 'RDS cannot shrink allocated storage (a release keeps it)',
      },
    };
  },
  isWorkload: false,
  isNodeCapacity: false,
  exclusive: true,
  minChangeIntervalSeconds: 6 * 3600,
  iam: (t, names) => {
    const id = lowerName(names, `${t.path}.identifier`, t.spec.identifier);
    return [
      {
        purpose: 'Storage',
        actions: ['rds:DescribeDBInstances', 'rds:ModifyDBInstance', 'rds:AddTagsToResource'],
        resources: [rdsArn(t.scope, 'db', id)],
      },
    ];
  },
  actuator: async () => (await import('../adapters/aws/index.ts')).rdsStorageActuators,
  world: { role: 'managed' },
};
