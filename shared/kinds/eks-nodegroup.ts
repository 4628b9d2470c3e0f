import * as z from 'zod';
import { common, countBounds } from '../config/fields.ts';
import { eksClusterArn, eksNodegroupArn } from '../iam/arns.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';

/** The warm pool's other settings, sent as written with each change of its minSize. */
const warmPool = z.strictObject({
  poolState: z.enum(['STOPPED', 'RUNNING', 'HIBERNATED']).optional(),
  maxGroupPreparedCapacity: z.number().int().min(0).optional(),
  reuseOnScaleIn: z.boolean().optional(),
});

const schema = z.strictObject({
  ...common,
  cluster: z.string(),
  nodegroup: z.string(),
  bounds: countBounds,
  /** Steer the node group's warm pool (warmPoolConfig.minSize) instead of its minSize. */
  warmPool: warmPool.optional(),
});
export type EksNodegroupSpec = z.infer<typeof schema>;

const SCALING_LEAD = {
  seconds: minutes(6),
  source: 'an Auto Scaling instance launches, boots and joins the cluster in several minutes',
};

/**
 * An EKS managed node group: Headroom raises its minSize (desired follows), or with `warmPool`
 * its warm pool's minSize (instances booted once and stopped, which join in about a minute
 * when the group scales out); one update at a time.
 */
export const eksNodegroup: KindDefinition<EksNodegroupSpec> = {
  name: 'eks-nodegroup',
  description: 'an EKS managed node group (scalingConfig.minSize, or warmPoolConfig.minSize)',
  schema,
  field: (shape) => (shape.dimension === 'warmPool' ? 'warmPoolMinSize' : 'minSize'),
  granularity: 1,
  leadTime: SCALING_LEAD,
  leadTimeByDimension: {
    warmPool: {
      seconds: minutes(8),
      source:
        'a warm-pool instance launches, runs the node bootstrap and stops before it is prepared: a cold launch plus the stop',
    },
  },
  shape: (spec) => (spec.warmPool ? { ...countShape(spec), dimension: 'warmPool' } : countShape(spec)),
  isWorkload: false,
  isNodeCapacity: false,
  cluster: 'eks',
  exclusive: true,
  iam: (t, names) => {
    if (!t.eks) return [];
    const cluster = names.simple(t.eks.path, t.eks.name);
    const nodegroup = names.simple(`${t.path}.nodegroup`, t.spec.nodegroup);
    const group = eksNodegroupArn(t.scope, cluster, nodegroup);
    const clusterArn = eksClusterArn(t.scope, cluster);
    return [
      { purpose: 'Cluster', actions: ['eks:DescribeCluster'], resources: [clusterArn] },
      {
        purpose: 'Nodegroup',
        actions: ['eks:DescribeNodegroup', 'eks:UpdateNodegroupConfig'],
        resources: [group],
      },
      {
        purpose: 'Updates',
        actions: ['eks:DescribeUpdate', 'eks:ListUpdates'],
        resources: [clusterArn, group],
      },
    ];
  },
  actuator: async () => (await import('../adapters/kubernetes/index.ts')).nodegroupActuators,
  world: { role: 'node-group' },
  worldByDimension: { warmPool: { role: 'warm-pool' } },
};
