import { createHash } from 'node:crypto';
import type { V1Deployment, V1PodTemplateSpec, V1PriorityClass, V1Toleration } from '@kubernetes/client-node';
import type { Target } from '../../domain/types.ts';
import type { NodePool } from './nodepool.ts';

/** registry.k8s.io/pause: does nothing, uses no CPU, ~1 MB; the usual image for capacity placeholders. */
export const DEFAULT_PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
export const DEFAULT_PRIORITY_CLASS = 'headroom-placeholder';
/** Below every default (0): any real pod preempts a placeholder, a placeholder preempts nothing. */
export const PLACEHOLDER_PRIORITY = -10;
export const TEMPLATE_ANNOTATION = 'headroom.dev/template';

export interface PlaceholderSpec {
  namespace: string;
  name: string;
  nodePool: string;
  priorityClassName: string;
  image: string;
  cpu: string;
  memory: string;
  targetId: string;
}

/** What the actuator reads from a `karpenter-headroom` target's spec. */
export type HeadroomNeeds = {
  namespace: string;
  nodePool: string;
  placeholder: { cpu: string | number; memory: string | number };
  placeholderName?: string;
  priorityClassName?: string;
  image?: string;
};

export function placeholderSpec(target: Target<HeadroomNeeds>): PlaceholderSpec {
  const s = target.spec;
  return {
    namespace: s.namespace,
    name: s.placeholderName ?? `headroom-placeholder-${dnsLabel(target.id)}`,
    nodePool: s.nodePool,
    priorityClassName: s.priorityClassName ?? DEFAULT_PRIORITY_CLASS,
    image: s.image ?? DEFAULT_PAUSE_IMAGE,
    cpu: String(s.placeholder.cpu),
    memory: String(s.placeholder.memory),
    targetId: target.id,
  };
}

/** Kubernetes names are lower-case DNS labels. */
export function dnsLabel(id: string): string {
  return (
    id
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'target'
  );
}

export function priorityClass(name: string): V1PriorityClass {
  return {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'headroom' } },
    value: PLACEHOLDER_PRIORITY,
    globalDefault: false,
    preemptionPolicy: 'Never',
    description: 'Headroom placeholder pods: keep spare nodes warm; every real pod preempts them.',
  };
}

/** One chunk of spare capacity: a placeholder pod, or a CapacityBuffer's template (no priority, maybe no pool). */
export type ChunkSpec = Omit<PlaceholderSpec, 'nodePool' | 'priorityClassName'> & {
  nodePool?: string;
  priorityClassName?: string;
};

function selector(p: ChunkSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': 'headroom-placeholder', 'headroom.dev/target': dnsLabel(p.targetId) };
}

/**
 * One placeholder pod per spare node: it requests what `placeholder` says (sized to fill a
 * node), runs only on the NodePool's nodes (tolerating the pool's own taints), and at most one
 * per node (required anti-affinity on the hostname), so N replicas hold N nodes.
 */
export function podTemplate(p: ChunkSpec, np?: NodePool): V1PodTemplateSpec {
  const tolerations: V1Toleration[] = (np?.spec?.template?.spec?.taints ?? []).map((t) => ({
    key: t.key,
    operator: t.value === undefined ? 'Exists' : 'Equal',
    ...(t.value === undefined ? {} : { value: t.value }),
    effect: t.effect,
  }));
  return {
    metadata: { labels: selector(p) },
    spec: {
      ...(p.priorityClassName ? { priorityClassName: p.priorityClassName } : {}),
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      ...(p.nodePool ? { nodeSelector: { 'karpenter.sh/nodepool': p.nodePool } } : {}),
      tolerations,
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: selector(p) }, topologyKey: 'kubernetes.io/hostname' },
          ],
        },
      },
      containers: [
        {
          name: 'pause',
          image: p.image,
          resources: { requests: { cpu: p.cpu, memory: p.memory }, limits: { memory: p.memory } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 65535,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  };
}

/** A short digest of the template Headroom wants: a changed config re-rolls the placeholders. */
export function templateDigest(t: V1PodTemplateSpec): string {
  return createHash('sha256').update(JSON.stringify(t)).digest('hex').slice(0, 16);
}

export function placeholderDeployment(p: PlaceholderSpec, np: NodePool, replicas: number): V1Deployment {
  const template = podTemplate(p, np);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: { ...selector(p), 'app.kubernetes.io/managed-by': 'headroom' },
      annotations: { [TEMPLATE_ANNOTATION]: templateDigest(template) },
    },
    spec: { replicas, selector: { matchLabels: selector(p) }, template },
  };
}

/** The merge patch that brings an existing placeholder Deployment to `replicas` and the wanted template. */
export function placeholderPatch(
  current: V1Deployment,
  p: PlaceholderSpec,
  np: NodePool,
  replicas: number,
): Record<string, unknown> | undefined {
  const template = podTemplate(p, np);
  const digest = templateDigest(template);
  const patch: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  if ((current.spec?.replicas ?? 0) !== replicas) spec.replicas = replicas;
  if (current.metadata?.annotations?.[TEMPLATE_ANNOTATION] !== digest) {
    spec.template = template;
    patch.metadata = { annotations: { [TEMPLATE_ANNOTATION]: digest } };
  }
  if (Object.keys(spec).length) patch.spec = spec;
  return Object.keys(patch).length ? patch : undefined;
}
