import type { ApplyResult } from '../../ports/actuator.ts';
import {
  REPLACED_ANNOTATION,
  type Replacements,
  readReplaced,
  replacedAnnotation,
  sameJson,
} from './replaced.ts';

/** An autoscaler's floor and ceiling as read (HPA min/maxReplicas, KEDA min/maxReplicaCount). */
export interface FloorState {
  min: number;
  /** The ceiling in force (KEDA's default of 100 when the field is absent). */
  max: number;
  /** The ceiling field as written on the object (`null`: absent). */
  maxField: number | null;
  annotations?: Record<string, string>;
}

export interface FloorChange {
  /** Merge patch for spec and annotations, or undefined when nothing changes. */
  patch?: Record<string, unknown>;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  remember?: Record<string, unknown>;
  forget?: string[];
}

/** What an apply of a floor change reports: the patch sent (or not), and the values to remember or forget. */
export function floorResult(r: Omit<FloorChange, 'patch'> & { patched: boolean }): ApplyResult {
  return {
    status: r.patched ? 'applied' : 'no-op',
    before: r.before,
    after: r.patched ? r.after : r.before,
    ...(r.patched && r.remember ? { remember: r.remember } : {}),
    ...(r.patched && r.forget ? { forget: r.forget } : {}),
  };
}

/**
 * Moves an autoscaler's floor to `desired`. A floor above the ceiling lifts the ceiling with
 * it (the API refuses min > max), recording the ceiling it replaced; once the floor is back
 * within that original ceiling, the ceiling is restored, unless someone else changed it since.
 */
export function floorChange(
  s: FloorState,
  desired: number,
  names: { min: string; max: string; defaultMax?: number },
  remembered: Record<string, unknown>,
): FloorChange {
  const replaced: Replacements = { ...readReplaced(s.annotations) };
  const rec = replaced[names.max] ?? rememberedReplacement(remembered[names.max]);
  let maxField = s.maxField;
  let remember: Record<string, unknown> | undefined;
  let forget: string[] | undefined;

  if (desired > s.max) {
    maxField = desired;
    replaced[names.max] = { from: rec ? rec.from : s.maxField, to: desired };
    if (!rec) remember = { [names.max]: s.maxField };
  } else if (rec && desired <= (typeof rec.from === 'number' ? rec.from : (names.defaultMax ?? 0))) {
    // Restored only if the ceiling is still the one Headroom set.
    const untouched = rec.to === undefined || sameJson(s.maxField, rec.to);
    if (untouched) maxField = (rec.from as number | null) ?? null;
    delete replaced[names.max];
    forget = [names.max];
  }

  const annotationBefore = replacedAnnotation(readReplaced(s.annotations));
  const annotationAfter = replacedAnnotation(replaced);
  const shown = (v: number | null) => v ?? `default ${names.defaultMax}`;
  const before = { [names.min]: s.min, [names.max]: shown(s.maxField) };
  const after = { [names.min]: desired, [names.max]: shown(maxField) };
  if (desired === s.min && sameJson(maxField, s.maxField) && annotationBefore === annotationAfter)
    return { before, after: before };
  const spec: Record<string, unknown> = { [names.min]: desired };
  if (!sameJson(maxField, s.maxField)) spec[names.max] = maxField;
  const patch: Record<string, unknown> = { spec };
  if (annotationBefore !== annotationAfter)
    patch.metadata = { annotations: { [REPLACED_ANNOTATION]: annotationAfter } };
  return { patch, before, after, remember, forget };
}

/** A value the executor remembered (`{ maxReplicas: 10 }`) as a replacement whose `to` is unknown. */
function rememberedReplacement(v: unknown): { from: unknown; to?: unknown } | undefined {
  return v === undefined ? undefined : { from: v };
}
