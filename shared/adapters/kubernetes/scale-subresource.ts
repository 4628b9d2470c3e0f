import type { V1Deployment, V1Scale, V1StatefulSet } from '@kubernetes/client-node';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { KubeConnection } from './connection.ts';
import type { Access } from './errors.ts';
import { FIELD_MANAGER, lastWriterOf } from './managed-fields.ts';
import { podRequests } from './pod-template.ts';
import { type NamedObject, ref } from './ref.ts';
import { patchWithRetry } from './update.ts';

export type WorkloadKind = 'deployments' | 'statefulsets';

/**
 * A workload no autoscaler owns (`k8s-deployment`, `k8s-statefulset`): Headroom sets its
 * replicas through the `scale` subresource, the interface `kubectl scale` and the HPA use, so
 * it needs no write access to the workload itself. Reads come from the workload, which also
 * says how many replicas are ready and what one pod requests.
 */
export class ScaleSubresourceActuator implements Actuator<NamedObject> {
  private readonly conn: KubeConnection;
  private readonly resource: WorkloadKind;

  constructor(conn: KubeConnection, resource: WorkloadKind) {
    this.conn = conn;
    this.resource = resource;
  }

  async read(target: Target<NamedObject>): Promise<Actual> {
    const { namespace, name } = ref(target);
    const w: V1Deployment | V1StatefulSet = await this.conn.call(this.access(target, 'get', false), (a, o) =>
      this.resource === 'deployments'
        ? a.apps.readNamespacedDeployment({ name, namespace }, o.read)
        : a.apps.readNamespacedStatefulSet({ name, namespace }, o.read),
    );
    const replicas = w.spec?.replicas ?? 1;
    const actual: Actual = {
      value: replicas,
      ready: w.status?.readyReplicas ?? 0,
      details: {
        replicas,
        readyReplicas: w.status?.readyReplicas ?? 0,
        availableReplicas: w.status?.availableReplicas ?? 0,
        updatedReplicas: w.status?.updatedReplicas ?? 0,
      },
    };
    const by = lastWriterOf(w.metadata, ['spec', 'replicas']);
    if (by) actual.changedBy = by;
    const pods = target.podResources ?? podRequests(w.spec?.template?.spec);
    if (pods) actual.podResources = pods;
    return actual;
  }

  async apply(target: Target<NamedObject>, desired: number, _ctx: ApplyContext): Promise<ApplyResult> {
    const { namespace, name } = ref(target);
    const r = await patchWithRetry(
      `${this.resource}/scale ${namespace}/${name}`,
      () =>
        this.conn.call(
          this.access(target, 'get', true),
          (a, o): Promise<V1Scale> =>
            this.resource === 'deployments'
              ? a.apps.readNamespacedDeploymentScale({ name, namespace }, o.read)
              : a.apps.readNamespacedStatefulSetScale({ name, namespace }, o.read),
        ),
      (scale) => {
        const before = scale.spec?.replicas ?? 0;
        return {
          patch: before === desired ? undefined : { spec: { replicas: desired } },
          result: { before: { replicas: before }, after: { replicas: desired } },
        };
      },
      (body) =>
        this.conn.call(this.access(target, 'patch', true), (a, o) =>
          this.resource === 'deployments'
            ? a.apps.patchNamespacedDeploymentScale(
                { name, namespace, body, fieldManager: FIELD_MANAGER },
                o.mergePatch,
              )
            : a.apps.patchNamespacedStatefulSetScale(
                { name, namespace, body, fieldManager: FIELD_MANAGER },
                o.mergePatch,
              ),
        ),
    );
    return {
      status: r.patched ? 'applied' : 'no-op',
      before: r.before,
      after: r.patched ? r.after : r.before,
    };
  }

  private access(target: Target<NamedObject>, verb: 'get' | 'patch', scale: boolean): Access {
    return {
      verb,
      group: 'apps',
      resource: scale ? `${this.resource}/scale` : this.resource,
      ...ref(target),
    };
  }
}
