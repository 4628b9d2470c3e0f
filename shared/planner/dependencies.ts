import type { Config } from '../config/types.ts';
import type { Actual, Intent, PlannerState, Target, TargetPlan } from '../domain/types.ts';
import { display } from '../domain/units.ts';

/** What this module reads of a plan entry (planner/plan.ts `PlannedTarget`). */
type PlannedTarget = TargetPlan & { dueLater?: boolean; waitsFor?: string[] };
type ActualOrFailure = Actual | { error: string };

/**
 * Dependencies that hold over time. `dependsOn` orders the steps of one reconcile; this also
 * holds a dependent's raise across reconciles until every dependency is ready: its own raise
 * applied and its capacity serving. What a dependency's readiness is made of is what the brain
 * keeps between reconciles: the dependency's decision in this plan (being raised, waiting for a
 * cooldown, for approval, blocked), the write-ahead record of a step being applied, the failure
 * of its last step, and the ready capacity its actuator reports.
 */

/** Why a dependency is not ready, or undefined when it is. */
export interface NotReady {
  /** `held`: blocked or waiting for approval, a state a soft edge lets the dependent pass. */
  kind: 'raising' | 'held';
  why: string;
}

export function readinessOf(
  target: Target,
  entry: PlannedTarget,
  read: ActualOrFailure | undefined,
  state: PlannerState,
): NotReady | undefined {
  if (entry.decision === 'blocked') return { kind: 'held', why: `blocked: ${lastReason(entry)}` };
  const step = entry.steps[0];
  if (entry.decision === 'needs-approval')
    return { kind: 'held', why: `step ${step?.id} waits for approval` };
  const ts = state.targets[target.id];
  if (ts?.failure)
    return { kind: 'held', why: `its last step failed (${ts.failure.code}: ${ts.failure.message})` };
  // A dry run changes nothing: waiting for it would hold the dependent for ever.
  if (step?.dryRun) return undefined;
  if (entry.decision === 'scale-up' && step)
    return { kind: 'raising', why: `being raised ${entry.actual} -> ${entry.desired}` };
  if (entry.decision === 'wait' && step?.direction === 'up' && !entry.dueLater)
    return { kind: 'raising', why: `still to be raised to ${entry.desired}: ${lastReason(entry)}` };
  if (ts?.pending) return { kind: 'raising', why: `step ${ts.pending.stepId} is being applied` };
  const actual = read as Actual;
  if (actual.busy) return { kind: 'raising', why: `a change is in progress: ${actual.busy}` };
  const ready = actual.ready ?? actual.value;
  if (ready < actual.value)
    return {
      kind: 'raising',
      why: `${display(target, actual.value)} set, ${display(target, ready)} ready`,
    };
  return undefined;
}

/**
 * Holds every scale-up whose dependencies are not ready: the dependent waits with the reason
 * (not for an urgent surge, which is raised with its dependencies, saying so).
 * Over a soft edge a blocked or unapproved dependency does not hold it (said in the reasons).
 * Walks the plan in dependency order, so a dependent held here holds its own dependents too.
 */
export function holdForDependencies(
  config: Config,
  order: Target[],
  entries: Map<string, PlannedTarget>,
  actuals: Record<string, ActualOrFailure | undefined>,
  state: PlannerState,
  intents: Intent[],
  now: Date,
): void {
  const byId = new Map(config.targets.map((t) => [t.id, t]));
  // A surge that is already here (an urgent intent) does not wait: its dependencies are raised
  // first in the same reconcile, as before dependencies held over time.
  const t = now.getTime();
  const urgent = new Set(
    intents
      .filter((i) => i.urgent && Date.parse(i.from) <= t && t < Date.parse(i.until))
      .map((i) => i.target),
  );
  for (const target of order) {
    const e = entries.get(target.id)!;
    // A raise of the value, also one that comes with a ceiling (a floor raised and maxReplicas
    // capped in one step); lifting a ceiling alone raises nothing.
    const first = e.steps[0];
    const raising =
      (e.decision === 'scale-up' || e.decision === 'scale-down') && first && first.to > first.from;
    if (!raising || target.dependsOn.length === 0) continue;
    const soft = new Set(target.softDependsOn ?? []);
    const waits: string[] = [];
    const ids: string[] = [];
    const passes: string[] = [];
    for (const id of new Set(target.dependsOn)) {
      const dep = byId.get(id);
      const de = entries.get(id);
      if (!dep || !de) continue;
      const r = readinessOf(dep, de, actuals[id], state);
      if (!r) continue;
      if (r.kind === 'held' && soft.has(id)) passes.push(`${id} (${r.why})`);
      else {
        waits.push(`${id} (${r.why})`);
        ids.push(id);
      }
    }
    if (waits.length > 0 && urgent.has(target.id)) {
      e.reasons.push(`raised with its dependencies, not after them (an urgent surge): ${waits.join('; ')}`);
    } else if (waits.length > 0) {
      e.decision = 'wait';
      e.waitsFor = ids;
      e.reasons.push(`waits for its dependencies to be ready: ${waits.join('; ')}`);
    } else if (passes.length > 0) {
      e.reasons.push(`goes ahead over soft dependencies: ${passes.join('; ')}`);
    }
  }
}

function lastReason(e: PlannedTarget): string {
  return e.reasons.at(-1) ?? e.decision;
}
