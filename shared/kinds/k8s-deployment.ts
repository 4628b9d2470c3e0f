import type { KindDefinition } from './kind.ts';
import { READ_WHY, replicasCeiling, type WorkloadSpec, workload } from './workload.ts';

/** A Deployment no autoscaler owns: Headroom sets its replicas through the scale subresource. */
export const k8sDeployment: KindDefinition<WorkloadSpec> = {
  ...workload,
  name: 'k8s-deployment',
  description: 'a Deployment without an autoscaler (spec.replicas)',
  field: 'replicas',
  ceiling: replicasCeiling,
  leadTime: {
    seconds: 60,
    source: 'pods on warm nodes start in about a minute (image pull, readiness probe)',
  },
  rbac: {
    namespaced: [
      {
        apiGroups: ['apps'],
        resources: ['deployments'],
        verbs: ['get'],
        why: READ_WHY,
      },
      {
        apiGroups: ['apps'],
        resources: ['deployments/scale'],
        verbs: ['get', 'patch'],
        why: 'replicas are written through the scale subresource only',
      },
    ],
  },
  actuator: async () => (await import('../adapters/kubernetes/index.ts')).deploymentActuators,
  world: { role: 'pods' },
};
