/**
 * Values Headroom replaced on an object, kept on the object itself in one annotation
 * (`{"maxReplicas":{"from":10,"to":24}}`): the revert then works even when the process that
 * raised it died before recording the result, and `kubectl get -o yaml` shows what Headroom
 * changed. The executor's `remember` keeps the same values in the state store.
 */
export const REPLACED_ANNOTATION = 'headroom.dev/replaced';

export interface Replacement {
  /** The value before Headroom's first change (`null`: the field was absent). */
  from: unknown;
  /** The value Headroom set last: a revert only undoes a value nobody changed since. */
  to: unknown;
  /** Replaced by a ceiling (docs/ceilings.md), not by a floor lifting the field with it. */
  ceiling?: boolean;
}

export type Replacements = Record<string, Replacement>;

export function readReplaced(annotations: Record<string, string> | undefined): Replacements {
  const raw = annotations?.[REPLACED_ANNOTATION];
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Replacements) : {};
  } catch {
    return {};
  }
}

/** The merge-patch value of the annotation: removed when nothing is replaced any more. */
export function replacedAnnotation(r: Replacements): string | null {
  return Object.keys(r).length ? JSON.stringify(r) : null;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
