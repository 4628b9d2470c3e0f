import type { KindDefinition } from './kind.ts';
import { readWorkloads, type WorkloadSpec, workload } from './workload.ts';

/** A HorizontalPodAutoscaler: Headroom owns the floor (spec.minReplicas); the HPA scales above it. */
export const k8sHpa: KindDefinition<WorkloadSpec> = {
  ...workload,
  name: 'k8s-hpa',
  description: 'a HorizontalPodAutoscaler floor (spec.minReplicas)',
  field: 'minReplicas',
  // The HPA API refuses maxReplicas below 1: a night at 0 is a KEDA or Deployment target's.
  ceiling: { field: () => 'maxReplicas', minimum: () => 1, lowersFloor: () => true },
  leadTime: {
    seconds: 90,
    source: 'the HPA syncs every 15 s, then pods on warm nodes start in about a minute',
  },
  rbac: {
    namespaced: [
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'patch'] },
      readWorkloads,
    ],
  },
  actuator: async () => (await import('../adapters/kubernetes/index.ts')).hpaActuators,
  world: { role: 'pods', autoscaler: 'hpa' },
};
