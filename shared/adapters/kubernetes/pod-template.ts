import type { V1PodSpec } from '@kubernetes/client-node';
import { parseCpuMillis, parseMemoryBytes } from '../../domain/duration.ts';
import type { PodResources } from '../../domain/types.ts';
import type { KubeConnection } from './connection.ts';

/**
 * The requests of one pod, as the scheduler counts them: the sum over its containers, or the
 * largest init container if that is more (init containers run one at a time before them).
 */
export function podRequests(spec: V1PodSpec | undefined): PodResources | undefined {
  if (!spec?.containers?.length) return undefined;
  const sum = { cpuMillis: 0, memoryBytes: 0 };
  for (const c of spec.containers) {
    sum.cpuMillis += parseCpuMillis(c.resources?.requests?.cpu ?? '0') ?? 0;
    sum.memoryBytes += parseMemoryBytes(c.resources?.requests?.memory ?? '0') ?? 0;
  }
  for (const c of spec.initContainers ?? []) {
    sum.cpuMillis = Math.max(sum.cpuMillis, parseCpuMillis(c.resources?.requests?.cpu ?? '0') ?? 0);
    sum.memoryBytes = Math.max(sum.memoryBytes, parseMemoryBytes(c.resources?.requests?.memory ?? '0') ?? 0);
  }
  if (sum.cpuMillis === 0 && sum.memoryBytes === 0) return undefined;
  return sum;
}

export interface ScaleTargetRef {
  kind?: string;
  name: string;
  apiVersion?: string;
}

/**
 * The pod requests of the workload an HPA or a ScaledObject scales (Deployments and
 * StatefulSets; other kinds are reported as unknown), so Karpenter headroom can be sized.
 */
export async function scaleTargetRequests(
  conn: KubeConnection,
  namespace: string,
  ref: ScaleTargetRef,
): Promise<{ podResources?: PodResources; note?: string }> {
  const kind = ref.kind ?? 'Deployment';
  const apps = !ref.apiVersion || ref.apiVersion === 'apps/v1';
  if (!apps || (kind !== 'Deployment' && kind !== 'StatefulSet'))
    return { note: `pod requests unknown: scale target is ${ref.apiVersion ?? ''} ${kind}` };
  // Pod templates change with deploys, not between reconciles: read once per POD_REQUESTS_TTL_SECONDS.
  const podResources = await conn.remember(
    `pod-requests|${namespace}|${kind}|${ref.name}`,
    POD_REQUESTS_TTL_SECONDS,
    async () => podRequests((await readTemplate(conn, namespace, kind, ref.name)).spec?.template?.spec),
  );
  return podResources ? { podResources } : { note: `pod requests unknown: ${kind} ${ref.name} sets none` };
}

/** How long the pod requests of a scale target are kept (a deploy that changes them shows within this). */
export const POD_REQUESTS_TTL_SECONDS = 600;

function readTemplate(conn: KubeConnection, namespace: string, kind: string, name: string) {
  return kind === 'Deployment'
    ? conn.call({ verb: 'get', group: 'apps', resource: 'deployments', namespace, name }, (a, o) =>
        a.apps.readNamespacedDeployment({ name, namespace }, o.read),
      )
    : conn.call({ verb: 'get', group: 'apps', resource: 'statefulsets', namespace, name }, (a, o) =>
        a.apps.readNamespacedStatefulSet({ name, namespace }, o.read),
      );
}
