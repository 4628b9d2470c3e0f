import type { V1PodTemplate } from '@kubernetes/client-node';
import { ActuatorError } from '../../domain/errors.ts';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { KubeConnection } from './connection.ts';
import type { Access } from './errors.ts';
import { KarpenterHeadroomActuator } from './karpenter-headroom.ts';
import { FIELD_MANAGER } from './managed-fields.ts';
import type { NodePool } from './nodepool.ts';
import {
  type ChunkSpec,
  DEFAULT_PAUSE_IMAGE,
  dnsLabel,
  type HeadroomNeeds,
  podTemplate,
  TEMPLATE_ANNOTATION,
  templateDigest,
} from './placeholder.ts';
import { patchWithRetry } from './update.ts';

export const BUFFER_GROUP = 'autoscaling.x-k8s.io';
/** The CapacityBuffer versions Headroom writes, preferred first (Cluster Autoscaler beta, Karpenter alpha). */
export const BUFFER_VERSIONS = ['v1beta1', 'v1alpha1'] as const;
type BufferVersion = (typeof BUFFER_VERSIONS)[number];

/** What the actuator reads from a `capacity-buffer` target's spec. */
export type BufferNeeds = {
  namespace: string;
  placeholder: { cpu: string | number; memory: string | number };
  nodePool?: string;
  bufferName?: string;
  priorityClassName?: string;
  image?: string;
};

/** The parts of a CapacityBuffer Headroom reads and writes (field names of the upstream CRD). */
interface CapacityBuffer {
  metadata?: { name?: string; resourceVersion?: string };
  spec?: {
    podTemplateRef?: { name: string };
    scalableRef?: { apiGroup?: string; kind: string; name: string };
    replicas?: number;
    percentage?: number;
    limits?: Record<string, string>;
    provisioningStrategy?: string;
  };
  status?: {
    replicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

const MANAGED = { 'app.kubernetes.io/managed-by': 'headroom' };

/**
 * `capacity-buffer`: N chunks of spare node capacity. Where the cluster serves the
 * CapacityBuffer API (found through discovery, v1beta1 preferred), Headroom owns a PodTemplate
 * shaped like one chunk and a CapacityBuffer pointing at it with `replicas: N`; the autoscaler
 * keeps that much room free with virtual pods (nothing to preempt). Otherwise the chunks are
 * placeholder pods in a Deployment (the karpenter-headroom mechanism, which needs `nodePool`).
 * Every read and apply says which mechanism it used; when the API appears, placeholders left
 * from the fallback are scaled to zero so the room is not held twice.
 */
export class CapacityBufferActuator implements Actuator<BufferNeeds> {
  private readonly conn: KubeConnection;
  private readonly placeholders: KarpenterHeadroomActuator;

  constructor(conn: KubeConnection) {
    this.conn = conn;
    this.placeholders = new KarpenterHeadroomActuator(conn);
  }

  async read(target: Target<BufferNeeds>): Promise<Actual> {
    const version = await this.servedVersion();
    if (!version) {
      const a = await this.placeholders.read(this.fallbackTarget(target));
      return { ...a, details: { mechanism: this.fallbackMechanism(), ...a.details } };
    }
    const c = chunkOf(target);
    const cb = await this.buffer(c, version);
    // The buffer controller's verdict: false when it cannot resolve the template (the message says why).
    const ready = cb?.status?.conditions?.find((x) => x.type === 'ReadyForProvisioning');
    return {
      value: cb?.spec?.replicas ?? 0,
      ready: cb?.status?.replicas ?? 0,
      details: {
        mechanism: `CapacityBuffer ${BUFFER_GROUP}/${version}`,
        capacityBuffer: `${c.namespace}/${c.name}${cb ? '' : ' (not created yet)'}`,
        provisionedChunks: cb?.status?.replicas ?? 0,
        ...(ready
          ? { readyForProvisioning: [ready.status, ready.reason, ready.message].filter(Boolean).join(': ') }
          : {}),
      },
    };
  }

  async apply(target: Target<BufferNeeds>, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    const version = await this.servedVersion();
    if (!version) {
      const r = await this.placeholders.apply(this.fallbackTarget(target), desired, ctx);
      return {
        ...r,
        before: renameSpare(r.before),
        after: renameSpare(r.after),
        message: [this.fallbackMechanism(), r.message].filter(Boolean).join('; '),
      };
    }
    const c = chunkOf(target);
    const mechanism = `CapacityBuffer ${BUFFER_GROUP}/${version} ${c.namespace}/${c.name}`;
    const existing = await this.buffer(c, version);
    const before = { replicas: existing?.spec?.replicas ?? 0 };
    const release = await this.releasePlaceholders(target, ctx);
    const released = release?.status === 'applied';
    // A NodePool the fallback protected in a campaign is restored with its placeholders.
    const forget = release?.forget ? { forget: release.forget } : {};
    if (!existing && desired === 0)
      return { status: released ? 'applied' : 'no-op', before, after: before, message: mechanism, ...forget };

    const np = c.nodePool ? await this.nodePool(c.nodePool) : undefined;
    const template = await this.ensureTemplate(c, np);
    let changed = template || released;
    if (!existing) {
      await this.conn.call(this.bufferAccess(c, 'create'), (a, o) =>
        a.custom.createNamespacedCustomObject(
          {
            group: BUFFER_GROUP,
            version,
            namespace: c.namespace,
            plural: 'capacitybuffers',
            body: bufferBody(c, version, desired),
          },
          o.read,
        ),
      );
      changed = true;
    } else {
      const r = await patchWithRetry(
        `CapacityBuffer ${c.namespace}/${c.name}`,
        async () => (await this.buffer(c, version)) ?? existing,
        (cb) => ({
          patch:
            cb.spec?.replicas === desired && cb.spec?.podTemplateRef?.name === c.name
              ? undefined
              : { spec: { replicas: desired, podTemplateRef: { name: c.name } } },
          result: {},
        }),
        (body) =>
          this.conn.call(this.bufferAccess(c, 'patch'), (a, o) =>
            a.custom.patchNamespacedCustomObject(
              {
                group: BUFFER_GROUP,
                version,
                namespace: c.namespace,
                plural: 'capacitybuffers',
                name: c.name,
                body,
              },
              o.mergePatch,
            ),
          ),
      );
      changed ||= r.patched;
    }
    const after = { replicas: desired };
    return {
      status: changed ? 'applied' : 'no-op',
      before,
      after: changed ? after : before,
      message: mechanism,
      ...forget,
    };
  }

  /** The CapacityBuffer version the cluster serves (its preferred one when Headroom knows it), if any. */
  private async servedVersion(): Promise<BufferVersion | undefined> {
    const access: Access = { verb: 'get', group: '', resource: 'apis (discovery)', name: BUFFER_GROUP };
    const list = await this.conn.call(access, (a, o) => a.discovery.getAPIVersions(o.read));
    const group = list.groups?.find((g) => g.name === BUFFER_GROUP);
    if (!group) return undefined;
    const served = new Set(group.versions.map((v) => v.version));
    const preferred = group.preferredVersion?.version as BufferVersion | undefined;
    if (preferred && BUFFER_VERSIONS.includes(preferred)) return preferred;
    return BUFFER_VERSIONS.find((v) => served.has(v));
  }

  private fallbackMechanism(): string {
    return `placeholder pods: cluster ${this.conn.cluster} does not serve ${BUFFER_GROUP} CapacityBuffers`;
  }

  /** The target as the placeholder actuator reads it: the same pool, shape and name. */
  private fallbackTarget(target: Target<BufferNeeds>): Target<HeadroomNeeds> {
    const s = target.spec;
    if (!s.nodePool)
      throw new ActuatorError(
        'invalid-state',
        `${this.fallbackMechanism()} and targets.${target.id}.nodePool is not set: install a CapacityBuffer CRD (Cluster Autoscaler, or Karpenter's CapacityBuffer feature gate) or name the NodePool for placeholder pods`,
        { retryable: false },
      );
    return { ...target, spec: { ...s, nodePool: s.nodePool, placeholderName: s.bufferName } };
  }

  /** Placeholders a fallback left running are scaled to zero once the API serves the buffer. */
  private async releasePlaceholders(
    target: Target<BufferNeeds>,
    ctx: ApplyContext,
  ): Promise<ApplyResult | undefined> {
    if (!target.spec.nodePool) return undefined;
    const fallback = this.fallbackTarget(target);
    if ((await this.placeholders.read(fallback)).value === 0) return undefined;
    return this.placeholders.apply(fallback, 0, { ...ctx, campaignActive: false });
  }

  /** Creates the chunk's PodTemplate, or patches it when the config changed its shape. */
  private async ensureTemplate(c: Chunk, np: NodePool | undefined): Promise<boolean> {
    const template = podTemplate(c, np);
    const digest = templateDigest(template);
    const access = (verb: Access['verb']): Access => ({
      verb,
      group: '',
      resource: 'podtemplates',
      namespace: c.namespace,
      name: c.name,
    });
    const current = await this.conn
      .call(access('get'), (a, o) =>
        a.core.readNamespacedPodTemplate({ name: c.name, namespace: c.namespace }, o.read),
      )
      .catch(notFound);
    const metadata = { annotations: { [TEMPLATE_ANNOTATION]: digest } };
    if (!current) {
      const body: V1PodTemplate = {
        apiVersion: 'v1',
        kind: 'PodTemplate',
        metadata: { name: c.name, namespace: c.namespace, labels: MANAGED, ...metadata },
        template,
      };
      await this.conn.call(access('create'), (a, o) =>
        a.core.createNamespacedPodTemplate({ namespace: c.namespace, body }, o.read),
      );
      return true;
    }
    if (current.metadata?.annotations?.[TEMPLATE_ANNOTATION] === digest) return false;
    await this.conn.call(access('patch'), (a, o) =>
      a.core.patchNamespacedPodTemplate(
        {
          name: c.name,
          namespace: c.namespace,
          body: { metadata: { ...metadata, resourceVersion: current.metadata?.resourceVersion }, template },
          fieldManager: FIELD_MANAGER,
        },
        o.mergePatch,
      ),
    );
    return true;
  }

  private async buffer(c: Chunk, version: BufferVersion): Promise<CapacityBuffer | undefined> {
    return (await this.conn
      .call(this.bufferAccess(c, 'get'), (a, o) =>
        a.custom.getNamespacedCustomObject(
          { group: BUFFER_GROUP, version, namespace: c.namespace, plural: 'capacitybuffers', name: c.name },
          o.read,
        ),
      )
      .catch(notFound)) as CapacityBuffer | undefined;
  }

  private async nodePool(name: string): Promise<NodePool> {
    const access: Access = { verb: 'get', group: 'karpenter.sh', resource: 'nodepools', name };
    return (await this.conn.call(access, (a, o) =>
      a.custom.getClusterCustomObject(
        { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', name },
        o.read,
      ),
    )) as NodePool;
  }

  private bufferAccess(c: Chunk, verb: Access['verb']): Access {
    return { verb, group: BUFFER_GROUP, resource: 'capacitybuffers', namespace: c.namespace, name: c.name };
  }
}

type Chunk = ChunkSpec & { namespace: string; name: string };

function chunkOf(target: Target<BufferNeeds>): Chunk {
  const s = target.spec;
  return {
    namespace: s.namespace,
    name: s.bufferName ?? `headroom-buffer-${dnsLabel(target.id)}`,
    ...(s.nodePool ? { nodePool: s.nodePool } : {}),
    image: s.image ?? DEFAULT_PAUSE_IMAGE,
    cpu: String(s.placeholder.cpu),
    memory: String(s.placeholder.memory),
    targetId: target.id,
  };
}

function bufferBody(
  c: Chunk,
  version: BufferVersion,
  replicas: number,
): CapacityBuffer & Record<string, unknown> {
  return {
    apiVersion: `${BUFFER_GROUP}/${version}`,
    kind: 'CapacityBuffer',
    metadata: { name: c.name, namespace: c.namespace, labels: MANAGED } as CapacityBuffer['metadata'],
    spec: { podTemplateRef: { name: c.name }, replicas },
  };
}

function notFound(err: unknown): undefined {
  if (err instanceof ActuatorError && err.code === 'not-found') return undefined;
  throw err;
}

/** The placeholder actuator counts `spareNodes`; this kind's field is `replicas`. */
function renameSpare(r: Record<string, unknown>): Record<string, unknown> {
  const { spareNodes, ...rest } = r;
  return spareNodes === undefined ? r : { replicas: spareNodes, ...rest };
}
