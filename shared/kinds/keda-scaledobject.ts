import type { KindDefinition } from './kind.ts';
import { readWorkloads, type WorkloadSpec, workload } from './workload.ts';

/** A KEDA ScaledObject: Headroom owns spec.minReplicaCount; KEDA's HPA scales above it. */
export const kedaScaledObject: KindDefinition<WorkloadSpec> = {
  ...workload,
  name: 'keda-scaledobject',
  description: 'a KEDA ScaledObject floor (spec.minReplicaCount)',
  field: 'minReplicaCount',
  leadTime: {
    seconds: 90,
    source: "KEDA's polling interval (30 s default) and its HPA, then pods start in about a minute",
  },
  rbac: {
    namespaced: [
      { apiGroups: ['keda.sh'], resources: ['scaledobjects'], verbs: ['get', 'patch'] },
      readWorkloads,
    ],
  },
  actuator: async () => (await import('../adapters/kubernetes/index.ts')).kedaActuators,
  world: { role: 'pods', autoscaler: 'keda' },
};
