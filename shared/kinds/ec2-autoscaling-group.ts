import * as z from 'zod';
import { common, countBounds, duration, name } from '../config/fields.ts';
import { autoScalingGroupArn } from '../iam/arns.ts';
import { countShape, type KindDefinition, type LeadTime, minutes } from './kind.ts';

/** A warm pool sized for events: what `PutWarmPool` sets while a raise holds (restored after). */
const warmPool = z
  .strictObject({
    minSize: z.number().int().nonnegative().optional(),
    maxGroupPreparedCapacity: z.number().int().nonnegative().optional(),
  })
  .refine((w) => w.minSize !== undefined || w.maxGroupPreparedCapacity !== undefined, {
    message: 'give minSize, maxGroupPreparedCapacity or both',
  })
  .refine(
    (w) =>
      w.minSize === undefined ||
      w.maxGroupPreparedCapacity === undefined ||
      w.minSize <= w.maxGroupPreparedCapacity,
    { message: 'minSize must not exceed maxGroupPreparedCapacity' },
  );

const schema = z.strictObject({
  ...common,
  autoScalingGroupName: name,
  bounds: countBounds,
  warmPool: warmPool.optional(),
  /** The group's DefaultInstanceWarmup (or HealthCheckGracePeriod) as set in AWS: sizes the lead time. */
  instanceWarmup: duration.optional(),
});
export type Ec2AutoScalingGroupSpec = z.infer<typeof schema>;

/** From RunInstances to InService: an instance launches and boots in about two minutes. */
const LAUNCH_SECONDS = minutes(2);
/** AWS Auto Scaling's health check grace period as the console sets it: the warmup when none is configured. */
const DEFAULT_WARMUP_SECONDS = minutes(5);

/** Launch plus the group's instance warmup: when a new instance is counted as capacity. */
function leadTimeFor(warmupSeconds: number, from: string): LeadTime {
  return {
    seconds: LAUNCH_SECONDS + warmupSeconds,
    source: `an instance launches and reaches InService in ~2 minutes, then ${from}`,
  };
}

/**
 * An EC2 Auto Scaling group: Headroom raises its MinSize (DesiredCapacity follows when below it)
 * and never its MaxSize (a ceiling lowers it over a window); optionally sizes its warm pool for events. Scaling activities and
 * instance refreshes make it busy, suspended Launch / AlterDesiredCapacity processes block it.
 */
export const ec2AutoScalingGroup: KindDefinition<Ec2AutoScalingGroupSpec> = {
  name: 'ec2-autoscaling-group',
  description: 'an EC2 Auto Scaling group (MinSize, DesiredCapacity follows; warm pool for events)',
  schema,
  field: 'minSize',
  granularity: 1,
  // A ceiling lowers MaxSize (a group may be 0), MinSize and DesiredCapacity down with it.
  ceiling: { field: () => 'maxSize', minimum: () => 0, lowersFloor: () => true },
  leadTime: leadTimeFor(DEFAULT_WARMUP_SECONDS, 'the warmup (the console default grace period, 300 s)'),
  leadTimeOf: (spec) =>
    spec.instanceWarmup === undefined
      ? undefined
      : leadTimeFor(spec.instanceWarmup, `the group's instance warmup (${spec.instanceWarmup} s)`),
  shape: countShape,
  isWorkload: false,
  isNodeCapacity: false,
  // UpdateAutoScalingGroup answers ScalingActivityInProgress while instances launch or terminate.
  exclusive: true,
  iam: (t, names) => {
    const group = autoScalingGroupArn(
      t.scope,
      names.simple(`${t.path}.autoScalingGroupName`, t.spec.autoScalingGroupName),
    );
    return [
      // The Describe calls of Auto Scaling have no resource-level permissions: `*` is the only resource.
      {
        purpose: 'Describe',
        actions: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeScalingActivities',
          'autoscaling:DescribeInstanceRefreshes',
        ],
        resources: ['*'],
      },
      {
        purpose: 'Group',
        actions: [
          'autoscaling:UpdateAutoScalingGroup',
          // The `headroom:replaced` tag: what a ceiling replaced, restored when it lifts.
          'autoscaling:CreateOrUpdateTags',
          'autoscaling:DeleteTags',
          ...(t.spec.warmPool ? ['autoscaling:PutWarmPool', 'autoscaling:DeleteWarmPool'] : []),
        ],
        resources: [group],
      },
    ];
  },
  actuator: async () => (await import('../adapters/aws/index.ts')).ec2AutoScalingGroupActuators,
  // Its target tracking policy scales it in backtests too (reactive); Headroom's MinSize is a floor under it.
  world: { role: 'managed', autoscaler: 'target-tracking' },
};
