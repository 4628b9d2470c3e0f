import * as z from 'zod';
import { common, countBounds, namespace, objectName } from '../config/fields.ts';
import { clusterAccess } from '../iam/grants.ts';
import { countShape, type KindDefinition, minutes } from './kind.ts';
import { placeholderFields, placeholderUnit, priorityClassRule } from './placeholder.ts';

const schema = z.strictObject({
  ...common,
  cluster: z.string(),
  namespace,
  nodePool: objectName,
  ...placeholderFields,
  placeholderName: objectName.optional(),
  bounds: countBounds,
});
export type KarpenterHeadroomSpec = z.infer<typeof schema>;

/**
 * Spare Karpenter nodes held by placeholder pods of a negative PriorityClass: real pods
 * preempt them and land on a warm node at once; Karpenter replaces the evicted placeholders.
 */
export const karpenterHeadroom: KindDefinition<KarpenterHeadroomSpec> = {
  name: 'karpenter-headroom',
  description: 'spare Karpenter nodes held by placeholder pods',
  schema,
  field: 'spareNodes',
  granularity: 1,
  leadTime: {
    seconds: minutes(3),
    source: 'Karpenter launches a node ~45-60 s after pods are pending, plus boot and image pulls',
  },
  shape: countShape,
  isWorkload: false,
  isNodeCapacity: true,
  unitResources: (spec) => placeholderUnit(spec, 'placeholder'),
  cluster: 'any',
  exclusive: false,
  iam: clusterAccess,
  rbac: {
    cluster: [
      {
        apiGroups: ['karpenter.sh'],
        resources: ['nodepools'],
        verbs: ['get', 'patch'],
        why: "the NodePool's limits, and its disruption budgets during a campaign",
      },
      priorityClassRule("the placeholders' PriorityClass, created if missing"),
    ],
    own: [
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get', 'create', 'patch'],
        why: 'the placeholder Deployments Headroom creates and scales',
      },
    ],
  },
  actuator: async () => (await import('../adapters/kubernetes/index.ts')).karpenterHeadroomActuators,
  world: { role: 'node-headroom' },
  simFields: (campaignActive) => ({ disruptionBudget: campaignActive ? '0' : 'default' }),
};
