import type { Target } from '../domain/types.ts';
import { stepsBetween } from '../domain/units.ts';
import { stageIntervalSeconds } from '../planner/windows.ts';

/**
 * How much earlier than its own lead time a dependency must start so that it is ready before
 * the first step of any dependent: the longest time a dependent takes from its first step to
 * ready capacity (its lead time, margin and the staging of a raise from bounds min to max),
 * plus what that dependent must itself start ahead of its own dependents. The planner holds a
 * dependent until its dependencies are ready (planner/dependencies.ts); this is what keeps that
 * hold from making the dependent late. Sets `aheadOfDependentsSeconds` on every dependency.
 * Cycles have been rejected before.
 */
export function setAheadOfDependents(targets: Target[]): void {
  const byId = new Map(targets.map((t) => [t.id, t]));
  const dependents = new Map<string, Target[]>();
  for (const t of targets)
    for (const d of new Set(t.dependsOn)) dependents.set(d, [...(dependents.get(d) ?? []), t]);
  const memo = new Map<string, number>();
  const ahead = (t: Target): number => {
    const known = memo.get(t.id);
    if (known !== undefined) return known;
    let most = 0;
    for (const d of dependents.get(t.id) ?? []) most = Math.max(most, fullLeadSeconds(d) + ahead(d));
    memo.set(t.id, most);
    return most;
  };
  for (const t of byId.values()) {
    const s = ahead(t);
    if (s > 0) t.aheadOfDependentsSeconds = s;
  }
}

/** From a target's first step to its ready capacity, for the largest raise its bounds allow. */
function fullLeadSeconds(t: Target): number {
  const stages = Math.max(0, stepsBetween(t, t.bounds.min, t.bounds.max) - 1);
  return t.leadTimeSeconds + t.marginSeconds + stages * stageIntervalSeconds(t);
}
