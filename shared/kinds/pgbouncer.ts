import * as z from 'zod';
import { objectName } from '../config/fields.ts';
import { k8sDeployment } from './k8s-deployment.ts';
import type { KindDefinition } from './kind.ts';
import { workload, workloadSchema } from './workload.ts';

const schema = workloadSchema.extend({
  /**
   * The ConfigMap Headroom writes the pool size into (key `key`, default `headroom.ini`), which
   * the PgBouncer pods mount and `%include`; a reloader sidecar sends SIGHUP when it changes
   * (docs/constraints.md). It must exist: Headroom patches it, never creates it.
   */
  poolConfig: z.strictObject({
    configMap: objectName,
    key: z
      .string()
      .regex(/^[-._a-zA-Z0-9]+$/, 'a ConfigMap key: letters, digits, "-", "_" and "."')
      .default('headroom.ini'),
  }),
});
export type PgBouncerSpec = z.infer<typeof schema>;

/**
 * PgBouncer as a Deployment no autoscaler owns: Headroom sets its replicas (the scale
 * subresource, as `k8s-deployment`) and, when a connection budget sizes it, the pool of each
 * instance (`default_pool_size`, `max_db_connections`) in its ConfigMap, before the replicas,
 * so new pods start with it and running ones reload it on SIGHUP without dropping a connection.
 */
export const pgbouncer: KindDefinition<PgBouncerSpec> = {
  ...workload,
  name: 'pgbouncer',
  description: 'a PgBouncer Deployment: replicas and the pool size in its ConfigMap',
  schema,
  field: 'replicas',
  leadTime: {
    seconds: 90,
    source:
      'pods on warm nodes start in about a minute; a ConfigMap change reaches mounted volumes within the kubelet sync period (60 s by default) and the reloader signals PgBouncer at once',
  },
  rbac: {
    namespaced: [
      ...(k8sDeployment.rbac?.namespaced ?? []),
      {
        apiGroups: [''],
        resources: ['configmaps'],
        verbs: ['get', 'patch'],
        why: 'the PgBouncer pool size, written into the ConfigMap its pods include (pgbouncer targets)',
      },
    ],
  },
  actuator: async () => (await import('../adapters/kubernetes/index.ts')).pgBouncerActuators,
  world: { role: 'pods' },
};
