/**
 * What the two kinds that hold spare nodes with placeholder pods share (karpenter-headroom, and
 * capacity-buffer's fallback): one unit is one pod of the target's `placeholder` size, and the
 * pods need their PriorityClass.
 */
import { parseCpuMillis, parseMemoryBytes } from '../domain/duration.ts';
import type { PodResources } from '../domain/types.ts';
import type { RbacRule } from './kind.ts';

/** One unit of spare capacity: a placeholder pod's requests, and how the plan writes it. */
export function placeholderUnit(
  spec: { placeholder: { cpu: string | number; memory: string | number } },
  label: string,
): { resources: PodResources; written: string } {
  return {
    resources: {
      cpuMillis: parseCpuMillis(spec.placeholder.cpu)!,
      memoryBytes: parseMemoryBytes(spec.placeholder.memory)!,
    },
    written: `${label} ${spec.placeholder.cpu}/${spec.placeholder.memory}`,
  };
}

/** The placeholders' negative PriorityClass, created if missing. */
export const priorityClassRule = (why: string): RbacRule => ({
  apiGroups: ['scheduling.k8s.io'],
  resources: ['priorityclasses'],
  verbs: ['get', 'create'],
  why,
});
