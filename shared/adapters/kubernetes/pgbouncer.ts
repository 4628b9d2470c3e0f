import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Actual, Target } from '../../domain/types.ts';
import type { ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { KubeConnection } from './connection.ts';
import type { Access } from './errors.ts';
import { FIELD_MANAGER } from './managed-fields.ts';
import { ref } from './ref.ts';
import { ScaleSubresourceActuator } from './scale-subresource.ts';
import { patchWithRetry } from './update.ts';

/** What the actuator reads from a `pgbouncer` target's spec. */
export type PgBouncerNeeds = {
  namespace: string;
  name: string;
  poolConfig: { configMap: string; key: string };
};

/** Annotations on the ConfigMap: what Headroom set, and with which step. */
export const POOL_ANNOTATION = 'headroom.io/pool';
export const STEP_ANNOTATION = 'headroom.io/step';

/** The file PgBouncer includes: one pool size for the per-pair pool and the per-database cap. */
export function poolIni(pool: number, budget: string): string {
  return [
    `; Written by Headroom for connection budget ${budget}: edits are overwritten at the next change.`,
    `default_pool_size = ${pool}`,
    `max_db_connections = ${pool}`,
    '',
  ].join('\n');
}

/** The pool size in a file Headroom wrote, if it is one. */
export function parsePool(text: string | undefined): number | undefined {
  const m = /^\s*max_db_connections\s*=\s*(\d+)\s*$/m.exec(text ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * `pgbouncer`: the replicas of a PgBouncer Deployment through its scale subresource, and the pool
 * of every instance through the ConfigMap its pods `%include`. The ConfigMap is patched first
 * (a merge patch of one key and two annotations, conditional on the version read), so pods the
 * new replicas start read the new pool, and the reloader sidecar of running pods sends PgBouncer
 * SIGHUP when the kubelet updates the mounted file: PgBouncer reloads its settings without
 * closing a client or server connection, and nothing rolls out.
 */
export class PgBouncerActuator extends ScaleSubresourceActuator {
  private readonly kube: KubeConnection;
  constructor(conn: KubeConnection) {
    super(conn, 'deployments');
    this.kube = conn;
  }

  override async read(target: Target<PgBouncerNeeds>): Promise<Actual> {
    const actual = await super.read(target);
    try {
      const cm = await this.readConfigMap(target, 'get');
      const pool = parsePool(cm.data?.[target.spec.poolConfig.key]);
      actual.details = { ...actual.details, ...(pool !== undefined ? { pool } : {}) };
    } catch (err) {
      // The replicas can still be steered; the pool is applied once the ConfigMap can be read.
      actual.details = { ...actual.details, poolConfigError: (err as Error).message };
    }
    return actual;
  }

  override async apply(
    target: Target<PgBouncerNeeds>,
    desired: number,
    ctx: ApplyContext,
  ): Promise<ApplyResult> {
    const pool = ctx.connections ? await this.applyPool(target, ctx.connections, ctx.stepId) : undefined;
    const r = await super.apply(target, desired, ctx);
    if (!pool) return r;
    return {
      ...r,
      status: pool.patched || r.status === 'applied' ? 'applied' : r.status,
      before: { ...r.before, pool: pool.before },
      after: { ...r.after, pool: pool.after },
    };
  }

  private async applyPool(
    target: Target<PgBouncerNeeds>,
    c: NonNullable<ApplyContext['connections']>,
    stepId: string,
  ) {
    const { key, configMap } = target.spec.poolConfig;
    const { namespace } = ref(target);
    const text = poolIni(c.pool, c.budget);
    return patchWithRetry(
      `configmaps ${namespace}/${configMap}`,
      () => this.readConfigMap(target, 'get'),
      (cm) => ({
        patch:
          cm.data?.[key] === text
            ? undefined
            : {
                data: { [key]: text },
                metadata: { annotations: { [POOL_ANNOTATION]: String(c.pool), [STEP_ANNOTATION]: stepId } },
              },
        result: { before: parsePool(cm.data?.[key]) ?? null, after: c.pool },
      }),
      (body) =>
        this.kube.call(this.configMapAccess(target, 'patch'), (a, o) =>
          a.core.patchNamespacedConfigMap(
            { name: configMap, namespace, body, fieldManager: FIELD_MANAGER },
            o.mergePatch,
          ),
        ),
    );
  }

  private readConfigMap(target: Target<PgBouncerNeeds>, verb: 'get'): Promise<V1ConfigMap> {
    const { namespace } = ref(target);
    return this.kube.call(this.configMapAccess(target, verb), (a, o) =>
      a.core.readNamespacedConfigMap({ name: target.spec.poolConfig.configMap, namespace }, o.read),
    );
  }

  private configMapAccess(target: Target<PgBouncerNeeds>, verb: 'get' | 'patch'): Access {
    return {
      verb,
      group: '',
      resource: 'configmaps',
      namespace: target.spec.namespace,
      name: target.spec.poolConfig.configMap,
    };
  }
}
