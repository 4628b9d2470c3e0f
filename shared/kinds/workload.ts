import * as z from 'zod';
import { common, countBounds, namespace, objectName, podResources } from '../config/fields.ts';
import { clusterAccess } from '../iam/grants.ts';
import { type CeilingSupport, countShape, type KindDefinition, type RbacRule } from './kind.ts';

/** A Kubernetes object that scales pods: where it lives, its bounds and the requests of one pod. */
export const workloadSchema = z.strictObject({
  ...common,
  cluster: z.string(),
  namespace,
  name: objectName,
  bounds: countBounds,
  pod: podResources.optional(),
});
export type WorkloadSpec = z.infer<typeof workloadSchema>;

export const READ_WHY = 'ready replicas and the pod requests that size node headroom';

/** An autoscaler's target workload is read for its ready replicas and pod requests. */
export const readWorkloads: RbacRule = {
  apiGroups: ['apps'],
  resources: ['deployments', 'statefulsets'],
  verbs: ['get'],
  why: READ_WHY,
};

/** What the four pod-workload kinds share: the schema, counting, cluster access on EKS. */
export const workload = {
  schema: workloadSchema,
  granularity: 1,
  shape: countShape,
  isWorkload: true,
  isNodeCapacity: false,
  cluster: 'any',
  exclusive: false,
  iam: clusterAccess,
} satisfies Partial<KindDefinition<WorkloadSpec>>;

/** A ceiling on a workload's own replicas (no autoscaler owns them): down to 0. */
export const replicasCeiling: CeilingSupport = {
  field: () => 'replicas',
  minimum: () => 0,
  lowersFloor: () => true,
};
