import type { ApplyResult } from '../../ports/actuator.ts';
import { type CeilingDraft, ceilingOnAnnotation, ceilingOnMax } from './ceiling.ts';
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

/** A Headroom ceiling to apply with the floor (ApplyContext `ceiling`), on the max field or an annotation. */
export interface CeilingOrder {
  to: number | null | undefined;
  /** The annotation that carries it (KEDA's paused-replicas); default: the max field. */
  annotation?: string;
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
 * A Headroom ceiling (`ceiling`) is applied or lifted first, recorded the same way.
 */
export function floorChange(
  s: FloorState,
  desired: number,
  names: { min: string; max: string; defaultMax?: number },
  remembered: Record<string, unknown>,
  ceiling: CeilingOrder = { to: undefined },
): FloorChange {
  const d: CeilingDraft = {
    replaced: { ...readReplaced(s.annotations) } as Replacements,
    maxField: s.maxField,
    max: s.max,
    annotations: {},
  };
  if (ceiling.annotation) ceilingOnAnnotation(d, s.annotations, ceiling.annotation, ceiling.to);
  else ceilingOnMax(d, names, ceiling.to);
  const rec = d.replaced[names.max] ?? rememberedReplacement(remembered[names.max]);

  if (rec?.ceiling) {
    // A ceiling holds the max field: the floor stays within it (the planner lowered it).
  } else if (desired > d.max) {
    d.replaced[names.max] = { from: rec ? rec.from : d.maxField, to: desired };
    if (!rec) d.remember = { [names.max]: d.maxField };
    d.maxField = desired;
  } else if (rec && desired <= (typeof rec.from === 'number' ? rec.from : (names.defaultMax ?? 0))) {
    // Restored only if the ceiling is still the one Headroom set.
    const untouched = rec.to === undefined || sameJson(d.maxField, rec.to);
    if (untouched) d.maxField = (rec.from as number | null) ?? null;
    delete d.replaced[names.max];
    d.forget = [names.max];
  }

  const annotationBefore = replacedAnnotation(readReplaced(s.annotations));
  const annotationAfter = replacedAnnotation(d.replaced);
  const shown = (v: number | null) => v ?? `default ${names.defaultMax}`;
  const before: Record<string, unknown> = { [names.min]: s.min, [names.max]: shown(s.maxField) };
  const after: Record<string, unknown> = { [names.min]: desired, [names.max]: shown(d.maxField) };
  for (const [k, v] of Object.entries(d.annotations)) {
    before[k] = s.annotations?.[k] ?? null;
    after[k] = v;
  }
  const annotations: Record<string, string | null> = { ...d.annotations };
  if (annotationBefore !== annotationAfter) annotations[REPLACED_ANNOTATION] = annotationAfter;
  const unchanged = Object.keys(annotations).length === 0;
  if (desired === s.min && sameJson(d.maxField, s.maxField) && unchanged) return { before, after: before };
  const spec: Record<string, unknown> = { [names.min]: desired };
  if (!sameJson(d.maxField, s.maxField)) spec[names.max] = d.maxField;
  const patch: Record<string, unknown> = { spec };
  if (!unchanged) patch.metadata = { annotations };
  return { patch, before, after, remember: d.remember, forget: d.forget };
}

/** A value the executor remembered (`{ maxReplicas: 10 }`) as a replacement whose `to` is unknown. */
function rememberedReplacement(v: unknown): { from: unknown; to?: unknown; ceiling?: boolean } | undefined {
  return v === undefined ? undefined : { from: v };
}
