import type { KindDefinition } from './kind.ts';
import { READ_WHY, replicasCeiling, type WorkloadSpec, workload } from './workload.ts';

/** A StatefulSet: replicas through the scale subresource; pods start in order, so slower. */
export const k8sStatefulSet: KindDefinition<WorkloadSpec> = {
  ...workload,
  name: 'k8s-statefulset',
  description: 'a StatefulSet (spec.replicas)',
  field: 'replicas',
  ceiling: replicasCeiling,
  leadTime: {
    seconds: 120,
    source: 'ordered pod start (OrderedReady) with volume attachment: about two minutes',
  },
  rbac: {
    namespaced: [
      {
        apiGroups: ['apps'],
        resources: ['statefulsets'],
        verbs: ['get'],
        why: READ_WHY,
      },
      {
        apiGroups: ['apps'],
        resources: ['statefulsets/scale'],
        verbs: ['get', 'patch'],
        why: 'replicas are written through the scale subresource only',
      },
    ],
  },
  actuator: async () => (await import('../adapters/kubernetes/index.ts')).statefulSetActuators,
  world: { role: 'pods' },
};
