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
  const spec =
    kind === 'Deployment'
      ? await conn.call(
          { verb: 'get', group: 'apps', resource: 'deployments', namespace, name: ref.name },
          (a, o) => a.apps.readNamespacedDeployment({ name: ref.name, namespace }, o.read),
        )
      : await conn.call(
          { verb: 'get', group: 'apps', resource: 'statefulsets', namespace, name: ref.name },
          (a, o) => a.apps.readNamespacedStatefulSet({ name: ref.name, namespace }, o.read),
        );
  const podResources = podRequests(spec.spec?.template?.spec);
  return podResources ? { podResources } : { note: `pod requests unknown: ${kind} ${ref.name} sets none` };
}
