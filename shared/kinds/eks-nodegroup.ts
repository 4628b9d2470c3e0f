import * as z from 'zod';
import { common, countBounds } from '../config/fields.ts';
import { eksClusterArn, eksNodegroupArn } from '../iam/arns.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';

const schema = z.strictObject({ ...common, cluster: z.string(), nodegroup: z.string(), bounds: countBounds });
export type EksNodegroupSpec = z.infer<typeof schema>;

/** An EKS managed node group: Headroom raises its minSize (desired follows); one update at a time. */
export const eksNodegroup: KindDefinition<EksNodegroupSpec> = {
  name: 'eks-nodegroup',
  description: 'an EKS managed node group (scalingConfig.minSize)',
  schema,
  field: 'minSize',
  granularity: 1,
  leadTime: {
    seconds: minutes(6),
    source: 'an Auto Scaling instance launches, boots and joins the cluster in several minutes',
  },
  shape: countShape,
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
};
