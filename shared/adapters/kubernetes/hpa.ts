import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import { ceilingInForce, maxBeforeCeiling } from './ceiling.ts';
import type { KubeConnection } from './connection.ts';
import { type Access, errorText } from './errors.ts';
import { floorChange, floorResult } from './floor.ts';
import { FIELD_MANAGER, lastWriterOf } from './managed-fields.ts';
import { scaleTargetRequests } from './pod-template.ts';
import { type NamedObject, ref } from './ref.ts';
import { patchWithRetry } from './update.ts';

/**
 * `k8s-hpa` (autoscaling/v2): Headroom owns `spec.minReplicas`, the floor the HPA never goes
 * below, and lifts `spec.maxReplicas` only when the floor must exceed it. The HPA keeps
 * scaling above the floor on its own metrics.
 */
export class HpaActuator implements Actuator<NamedObject> {
  private readonly conn: KubeConnection;

  constructor(conn: KubeConnection) {
    this.conn = conn;
  }

  async read(target: Target<NamedObject>): Promise<Actual> {
    const hpa = await this.get(target);
    const limited = hpa.status?.conditions?.find((c) => c.type === 'ScalingLimited');
    const details: Record<string, unknown> = {
      minReplicas: hpa.spec?.minReplicas ?? 1,
      maxReplicas: hpa.spec?.maxReplicas,
      currentReplicas: hpa.status?.currentReplicas ?? 0,
      desiredReplicas: hpa.status?.desiredReplicas ?? 0,
      scaleTargetRef:
        hpa.spec?.scaleTargetRef && `${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`,
    };
    if (limited)
      details.scalingLimited = { status: limited.status, reason: limited.reason, message: limited.message };
    const actual: Actual = {
      value: hpa.spec?.minReplicas ?? 1,
      ready: hpa.status?.currentReplicas ?? 0,
      details,
    };
    const by = lastWriterOf(hpa.metadata, ['spec', 'minReplicas']);
    if (by) actual.changedBy = by;
    const ceiling = ceilingInForce(hpa.metadata?.annotations, 'maxReplicas', hpa.spec?.maxReplicas);
    if (ceiling !== undefined) actual.ceiling = ceiling;
    if (hpa.spec?.maxReplicas !== undefined)
      details.ownMax = maxBeforeCeiling(hpa.metadata?.annotations, 'maxReplicas', hpa.spec.maxReplicas);
    const pods = await this.podResources(target, hpa);
    if (pods.podResources) actual.podResources = pods.podResources;
    if (pods.note) details.podResources = pods.note;
    return actual;
  }

  async apply(target: Target<NamedObject>, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    const { namespace, name } = ref(target);
    const r = await patchWithRetry(
      `HorizontalPodAutoscaler ${namespace}/${name}`,
      () => this.get(target),
      (hpa) => {
        const c = floorChange(
          {
            min: hpa.spec?.minReplicas ?? 1,
            max: hpa.spec?.maxReplicas ?? 0,
            maxField: hpa.spec?.maxReplicas ?? null,
            annotations: hpa.metadata?.annotations,
          },
          desired,
          { min: 'minReplicas', max: 'maxReplicas' },
          ctx.remembered,
          { to: ctx.ceiling },
        );
        return { patch: c.patch, result: c };
      },
      (body) =>
        this.conn.call(access(target, 'patch'), (a, o) =>
          a.autoscaling.patchNamespacedHorizontalPodAutoscaler(
            { name, namespace, body, fieldManager: FIELD_MANAGER },
            o.mergePatch,
          ),
        ),
    );
    return floorResult(r);
  }

  private get(target: Target<NamedObject>): Promise<V2HorizontalPodAutoscaler> {
    const { namespace, name } = ref(target);
    return this.conn.call(access(target, 'get'), (a, o) =>
      a.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace }, o.read),
    );
  }

  /** Configured requests win; else those of the scaled workload's pod template. */
  private async podResources(target: Target<NamedObject>, hpa: V2HorizontalPodAutoscaler) {
    if (target.podResources) return { podResources: target.podResources };
    const tref = hpa.spec?.scaleTargetRef;
    if (!tref) return { note: 'pod requests unknown: no scaleTargetRef' };
    try {
      return await scaleTargetRequests(this.conn, ref(target).namespace, tref);
    } catch (err) {
      // Sizing Karpenter headroom is optional; the floor itself does not need it.
      return { note: `pod requests unknown: ${errorText(err)}` };
    }
  }
}

function access(target: Target<NamedObject>, verb: 'get' | 'patch'): Access {
  return { verb, group: 'autoscaling', resource: 'horizontalpodautoscalers', ...ref(target) };
}
