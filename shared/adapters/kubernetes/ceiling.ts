import { type Replacements, readReplaced, sameJson } from './replaced.ts';

/**
 * Ceilings on an autoscaler (docs/ceilings.md): the max field (HPA maxReplicas, KEDA
 * maxReplicaCount) or KEDA's paused-replicas annotation, set to the ceiling and restored when
 * it lifts. What a ceiling replaced is kept in the object's `headroom.dev/replaced` annotation,
 * written in the same patch: a process that dies right after the patch loses nothing.
 */
export interface CeilingDraft {
  replaced: Replacements;
  maxField: number | null;
  /** The max in force (a default when the field is absent). */
  max: number;
  /** Annotations to set (a string) or remove (null) besides `headroom.dev/replaced`. */
  annotations: Record<string, string | null>;
  remember?: Record<string, unknown>;
  forget?: string[];
}

/** Caps the max field at `to`, or lifts Headroom's cap (null) back to what it replaced. */
export function ceilingOnMax(
  d: CeilingDraft,
  names: { max: string; defaultMax?: number },
  to: number | null | undefined,
): void {
  const rec = d.replaced[names.max];
  if (to === null) {
    if (!rec?.ceiling) return;
    if (sameJson(d.maxField, rec.to)) {
      d.maxField = (rec.from as number | null) ?? null;
      d.max = d.maxField ?? names.defaultMax ?? 0;
    }
    delete d.replaced[names.max];
    d.forget = [names.max];
  } else if (to !== undefined) {
    // A max a floor lifted earlier keeps its first value: the lift restores the original.
    d.replaced[names.max] = { from: rec ? rec.from : d.maxField, to, ceiling: true };
    d.maxField = to;
    d.max = to;
  }
}

/** Sets an annotation to the ceiling (KEDA `paused-replicas: "0"`), or removes Headroom's (null). */
export function ceilingOnAnnotation(
  d: CeilingDraft,
  annotations: Record<string, string> | undefined,
  key: string,
  to: number | null | undefined,
): void {
  const rec = d.replaced[key];
  const current = annotations?.[key] ?? null;
  if (to === null) {
    if (!rec?.ceiling) return;
    if (sameJson(current, rec.to)) d.annotations[key] = (rec.from as string | null) ?? null;
    delete d.replaced[key];
  } else if (to !== undefined) {
    d.replaced[key] = { from: rec ? rec.from : current, to: String(to), ceiling: true };
    if (current !== String(to)) d.annotations[key] = String(to);
  }
}

/** The ceiling Headroom set on `field` that is still in force (unchanged since), as a number. */
export function ceilingInForce(
  annotations: Record<string, string> | undefined,
  field: string,
  current: unknown,
): number | undefined {
  const rec = readReplaced(annotations)[field];
  if (!rec?.ceiling || !sameJson(current, rec.to)) return undefined;
  const n = Number(current);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The autoscaler's own max: what a Headroom ceiling in force replaced (the max to restore), else
 * the max as read. `details.ownMax`, which connection budgets size their ceilings against.
 */
export function maxBeforeCeiling(
  annotations: Record<string, string> | undefined,
  field: string,
  current: number,
  absent = current,
): number {
  if (ceilingInForce(annotations, field, current) === undefined) return current;
  const from = readReplaced(annotations)[field]?.from;
  return typeof from === 'number' ? from : absent;
}
