import * as z from 'zod';
import type { KindDefinition } from './kind.ts';
import { readWorkloads, workload, workloadSchema } from './workload.ts';

const PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';

const kedaSchema = workloadSchema.extend({
  /** How a ceiling is applied: cap maxReplicaCount (default), or KEDA's paused-replicas annotation. */
  ceiling: z.strictObject({ method: z.enum(['max-replicas', 'paused-replicas']) }).optional(),
});
export type KedaSpec = z.infer<typeof kedaSchema>;
const paused = (s: KedaSpec) => s.ceiling?.method === 'paused-replicas';

/** A KEDA ScaledObject: Headroom owns spec.minReplicaCount; KEDA's HPA scales above it. */
export const kedaScaledObject: KindDefinition<KedaSpec> = {
  ...workload,
  schema: kedaSchema,
  name: 'keda-scaledobject',
  description: 'a KEDA ScaledObject floor (spec.minReplicaCount)',
  field: 'minReplicaCount',
  // paused-replicas freezes the workload at the count (0 too) and leaves the floor alone.
  ceiling: {
    field: (s) => (paused(s) ? PAUSED_REPLICAS : 'maxReplicaCount'),
    minimum: (s) => (paused(s) ? 0 : 1),
    lowersFloor: (s) => !paused(s),
  },
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
