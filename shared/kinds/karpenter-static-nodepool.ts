import * as z from 'zod';
import { common, countBounds, objectName } from '../config/fields.ts';
import { clusterAccess } from '../iam/grants.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';

const schema = z.strictObject({ ...common, cluster: z.string(), nodePool: objectName, bounds: countBounds });
export type KarpenterStaticNodePoolSpec = z.infer<typeof schema>;

/**
 * A static Karpenter NodePool (karpenter.sh/v1 `spec.replicas`, Karpenter v1.8 and EKS Auto
 * Mode): Karpenter keeps exactly that many nodes whatever the pods ask. Headroom raises the
 * count ahead of an event (and `limits.nodes` with it when it would cap it, restored after).
 */
export const karpenterStaticNodePool: KindDefinition<KarpenterStaticNodePoolSpec> = {
  name: 'karpenter-static-nodepool',
  description: 'a static Karpenter NodePool (spec.replicas)',
  schema,
  field: 'replicas',
  granularity: 1,
  // A ceiling lowers the count itself (a pool at 0 nodes at night), restored from `original`.
  ceiling: { field: () => 'replicas', minimum: () => 0, lowersFloor: () => true },
  leadTime: {
    seconds: minutes(2),
    source:
      'Karpenter creates the missing NodeClaims at once (no pod batching); an EC2 instance launches, boots and joins in ~1-2 min',
  },
  shape: countShape,
  isWorkload: false,
  isNodeCapacity: false,
  cluster: 'any',
  exclusive: false,
  iam: clusterAccess,
  rbac: {
    cluster: [
      {
        apiGroups: ['karpenter.sh'],
        resources: ['nodepools'],
        verbs: ['get', 'patch'],
        why: "a static NodePool's replicas, and limits.nodes when the count needs it",
      },
    ],
  },
  actuator: async () => (await import('../adapters/kubernetes/index.ts')).staticNodePoolActuators,
  world: { role: 'static-nodes' },
};
