import * as z from 'zod';
import { common, countBounds, namespace, objectName } from '../config/fields.ts';
import { clusterAccess } from '../iam/grants.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';
import { placeholderFields, placeholderUnit, priorityClassRule } from './placeholder.ts';

const schema = z.strictObject({
  ...common,
  cluster: z.string(),
  namespace,
  /** One chunk: the requests of a pod that fills a spare node (and its PriorityClass, image). */
  ...placeholderFields,
  /** Karpenter NodePool the chunks land on; needed for the placeholder-pod fallback. */
  nodePool: objectName.optional(),
  /** Name of the CapacityBuffer and its PodTemplate (and of the fallback's Deployment). */
  bufferName: objectName.optional(),
  bounds: countBounds,
});
export type CapacityBufferSpec = z.infer<typeof schema>;

/**
 * Spare node capacity as a Kubernetes CapacityBuffer (`autoscaling.x-k8s.io`: v1beta1 in the
 * Cluster Autoscaler, v1alpha1 in Karpenter behind a feature gate), which has no schedule:
 * Headroom sets its `replicas` ahead of an event and hands the room over to the pods as their
 * floors start them. Where the cluster does not serve the API, the same chunks are placeholder
 * pods (the karpenter-headroom mechanism); `read` says which one is in use.
 */
export const capacityBuffer: KindDefinition<CapacityBufferSpec> = {
  name: 'capacity-buffer',
  description: 'spare node capacity: a CapacityBuffer, else placeholder pods',
  schema,
  field: 'replicas',
  granularity: 1,
  leadTime: {
    seconds: minutes(3),
    source:
      "the autoscaler treats the buffer's chunks as pending pods: Cluster Autoscaler scans every 10 s, Karpenter batches 1-10 s, then a node launches, boots and joins in ~1-2 min",
  },
  shape: countShape,
  isWorkload: false,
  isNodeCapacity: true,
  releasedByPods: true,
  unitResources: (spec) => placeholderUnit(spec, 'buffer chunk'),
  cluster: 'any',
  exclusive: false,
  iam: clusterAccess,
  rbac: {
    cluster: [
      {
        apiGroups: ['karpenter.sh'],
        resources: ['nodepools'],
        verbs: ['get', 'patch'],
        why: "the NodePool's taints for the chunks' tolerations, its budgets in a campaign (fallback)",
      },
      priorityClassRule("the fallback placeholders' PriorityClass, created if missing"),
    ],
    own: [
      {
        apiGroups: ['autoscaling.x-k8s.io'],
        resources: ['capacitybuffers'],
        verbs: ['get', 'create', 'patch'],
        why: 'the CapacityBuffers Headroom creates and sizes',
      },
      {
        apiGroups: [''],
        resources: ['podtemplates'],
        verbs: ['get', 'create', 'patch'],
        why: "the shape of one buffer chunk (the CapacityBuffer's podTemplateRef)",
      },
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get', 'create', 'patch'],
        why: 'the placeholder Deployments Headroom creates and scales',
      },
    ],
  },
  actuator: async () => (await import('../adapters/kubernetes/index.ts')).capacityBufferActuators,
  world: { role: 'node-headroom' },
};
