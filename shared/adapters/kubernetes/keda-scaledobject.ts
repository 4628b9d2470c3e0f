import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import { ceilingInForce, maxBeforeCeiling } from './ceiling.ts';
import type { KubeConnection } from './connection.ts';
import { type Access, errorText } from './errors.ts';
import { floorChange, floorResult } from './floor.ts';
import { FIELD_MANAGER, lastWriterOf, type ManagedFieldsEntry } from './managed-fields.ts';
import { type ScaleTargetRef, scaleTargetRequests } from './pod-template.ts';
import { type NamedObject, ref } from './ref.ts';
import { patchWithRetry } from './update.ts';

const GROUP = 'keda.sh';
const VERSION = 'v1alpha1';
const PLURAL = 'scaledobjects';
/** KEDA's ceiling when `maxReplicaCount` is not set. */
const KEDA_DEFAULT_MAX = 100;
/** Set by a person or another tool to freeze the ScaledObject; Headroom never removes them. */
const PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';
const PAUSE_ANNOTATIONS = [PAUSED_REPLICAS, 'autoscaling.keda.sh/paused'];

/** What the actuator reads from the spec: the object, and how a ceiling is applied. */
export type KedaNeeds = NamedObject & { ceiling?: { method: 'max-replicas' | 'paused-replicas' } };

interface ScaledObject {
  metadata?: {
    resourceVersion?: string;
    annotations?: Record<string, string>;
    managedFields?: ManagedFieldsEntry[];
  };
  spec?: { minReplicaCount?: number; maxReplicaCount?: number; scaleTargetRef?: ScaleTargetRef };
  status?: {
    hpaName?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

/**
 * `keda-scaledobject` (keda.sh/v1alpha1): Headroom owns `spec.minReplicaCount` (and lifts
 * `maxReplicaCount` when the floor must exceed it). A ScaledObject paused by someone else
 * (`paused-replicas` or `paused` annotation) is reported `blocked` and left alone. A ceiling
 * caps `maxReplicaCount`, or with `ceiling.method: paused-replicas` sets the paused-replicas
 * annotation, which Headroom removes again when the ceiling lifts (docs/ceilings.md).
 */
export class KedaScaledObjectActuator implements Actuator<KedaNeeds> {
  private readonly conn: KubeConnection;

  constructor(conn: KubeConnection) {
    this.conn = conn;
  }

  async read(target: Target<KedaNeeds>): Promise<Actual> {
    const so = await this.get(target);
    const conditions = Object.fromEntries(
      (so.status?.conditions ?? []).map((c) => [
        c.type,
        c.status === 'True' ? true : c.status === 'False' ? false : c.status,
      ]),
    );
    const details: Record<string, unknown> = {
      minReplicaCount: so.spec?.minReplicaCount ?? 0,
      maxReplicaCount: so.spec?.maxReplicaCount ?? `default ${KEDA_DEFAULT_MAX}`,
      conditions,
      ...(so.status?.hpaName ? { hpaName: so.status.hpaName } : {}),
    };
    const actual: Actual = { value: so.spec?.minReplicaCount ?? 0, details };
    const by = lastWriterOf(so.metadata, ['spec', 'minReplicaCount']);
    if (by) actual.changedBy = by;
    const ceiling = ceilingOf(target, so);
    if (ceiling !== undefined) actual.ceiling = ceiling;
    if (!pausesReplicas(target)) {
      const max = so.spec?.maxReplicaCount ?? KEDA_DEFAULT_MAX;
      details.ownMax = maxBeforeCeiling(so.metadata?.annotations, 'maxReplicaCount', max, KEDA_DEFAULT_MAX);
    }
    const paused = pausedBy(so);
    if (paused) actual.blocked = paused;
    if (target.podResources) actual.podResources = target.podResources;
    else {
      const tref = so.spec?.scaleTargetRef;
      try {
        const r = tref
          ? await scaleTargetRequests(this.conn, ref(target).namespace, tref)
          : { note: 'pod requests unknown: no scaleTargetRef' };
        if (r.podResources) actual.podResources = r.podResources;
        if (r.note) details.podResources = r.note;
      } catch (err) {
        details.podResources = `pod requests unknown: ${errorText(err)}`;
      }
    }
    return actual;
  }

  async apply(target: Target<KedaNeeds>, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    const { namespace, name } = ref(target);
    const r = await patchWithRetry(
      `ScaledObject ${namespace}/${name}`,
      () => this.get(target),
      (so) => {
        const paused = pausedBy(so);
        const c = floorChange(
          {
            min: so.spec?.minReplicaCount ?? 0,
            max: so.spec?.maxReplicaCount ?? KEDA_DEFAULT_MAX,
            maxField: so.spec?.maxReplicaCount ?? null,
            annotations: so.metadata?.annotations,
          },
          desired,
          { min: 'minReplicaCount', max: 'maxReplicaCount', defaultMax: KEDA_DEFAULT_MAX },
          ctx.remembered,
          { to: ctx.ceiling, annotation: pausesReplicas(target) ? PAUSED_REPLICAS : undefined },
        );
        // Decided from the same read as the patch: a pause set a moment ago is respected.
        return paused ? { result: { ...c, paused } } : { patch: c.patch, result: { ...c, paused } };
      },
      (body) =>
        this.conn.call(access(target, 'patch'), (a, o) =>
          a.custom.patchNamespacedCustomObject(
            {
              group: GROUP,
              version: VERSION,
              namespace,
              plural: PLURAL,
              name,
              body,
              fieldManager: FIELD_MANAGER,
            },
            o.mergePatch,
          ),
        ),
    );
    if (r.paused) return { status: 'blocked', before: r.before, after: r.before, message: r.paused };
    return floorResult(r);
  }

  private get(target: Target<KedaNeeds>): Promise<ScaledObject> {
    const { namespace, name } = ref(target);
    return this.conn.call(access(target, 'get'), (a, o) =>
      a.custom.getNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace, plural: PLURAL, name },
        o.read,
      ),
    ) as Promise<ScaledObject>;
  }
}

const pausesReplicas = (t: Target<KedaNeeds>) => t.spec.ceiling?.method === 'paused-replicas';

/** Headroom's ceiling in force: its paused-replicas annotation, or the maxReplicaCount it capped. */
function ceilingOf(target: Target<KedaNeeds>, so: ScaledObject): number | undefined {
  const a = so.metadata?.annotations;
  return pausesReplicas(target)
    ? ceilingInForce(a, PAUSED_REPLICAS, a?.[PAUSED_REPLICAS])
    : ceilingInForce(a, 'maxReplicaCount', so.spec?.maxReplicaCount);
}

function pausedBy(so: ScaledObject): string | undefined {
  const a = so.metadata?.annotations ?? {};
  for (const key of PAUSE_ANNOTATIONS) {
    const v = a[key];
    if (v === undefined || (key === 'autoscaling.keda.sh/paused' && v !== 'true')) continue;
    // Headroom's own ceiling (docs/ceilings.md) is not someone else's pause.
    if (ceilingInForce(a, key, v) !== undefined) continue;
    return `ScaledObject paused by annotation ${key}=${v} (set outside Headroom, which never removes it)`;
  }
  return undefined;
}

function access(target: Target<KedaNeeds>, verb: 'get' | 'patch'): Access {
  return { verb, group: GROUP, resource: PLURAL, ...ref(target) };
}
