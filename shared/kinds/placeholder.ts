/**
 * What the two kinds that hold spare nodes with placeholder pods share (karpenter-headroom, and
 * capacity-buffer's fallback): one unit is one pod of the target's `placeholder` size, and the
 * pods need their PriorityClass.
 */
import * as z from 'zod';
import { objectName, podResources } from '../config/fields.ts';
import { parseCpuMillis, parseMemoryBytes } from '../domain/duration.ts';
import type { PodResources } from '../domain/types.ts';
import type { RbacRule } from './kind.ts';

/** The schema fields of a placeholder pod: its requests, PriorityClass and image. */
export const placeholderFields = {
  placeholder: podResources,
  priorityClassName: objectName.optional(),
  image: z.string().optional(),
};

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
