import { iso } from '../domain/time.ts';
import type { PendingStep, Step, Target, TargetState } from '../domain/types.ts';
import { display, fieldOf } from '../domain/units.ts';
import { ceilingMatches } from '../planner/ceilings.ts';
import type { Actuator } from '../ports/actuator.ts';
import type { Repo } from '../state/repo.ts';

/**
 * Write-ahead for every change: before an actuator is called the store holds the step and the
 * value being replaced (`original`, set at the first raise), so a crash anywhere in between
 * can neither lose the value to revert to nor leave the revert aiming at an intermediate stage.
 */
export async function writeAhead(repo: Repo, target: Target, step: Step, owner: string, now: Date) {
  return repo.updateTargetState(target.id, now, (s) => {
    // A ceiling coming down records the value it replaces as a raise does: the lift restores it.
    const ceilingDown = typeof step.ceiling === 'number';
    // A pool-only step (planner/pool-step.ts) leaves the replicas' bookkeeping alone.
    const setOriginal =
      s.original === undefined && step.pool === undefined && (step.direction === 'up' || ceilingDown);
    const pending: PendingStep = {
      stepId: step.id,
      direction: step.direction,
      from: step.from,
      to: step.to,
      startedAt: iso(now),
      owner,
      ...(setOriginal ? { setOriginal } : {}),
      ...(step.ceiling !== undefined ? { ceiling: step.ceiling } : {}),
    };
    return { ...s, pending, original: setOriginal ? step.from : s.original };
  });
}

/** The change was not made (refused, blocked, already under way): forget the write-ahead. */
export function withoutPending(s: TargetState): TargetState {
  const p = s.pending;
  if (!p) return s;
  return { ...s, pending: undefined, original: p.setOriginal ? undefined : s.original };
}

/** The bookkeeping of a step that took effect: cooldown times and the value to revert to. */
export function completed(
  s: TargetState,
  p: Pick<PendingStep, 'direction' | 'to' | 'ceiling'> & { pool?: number },
  at: string,
): TargetState {
  if (p.pool !== undefined) return { ...s, pending: undefined };
  const next: TargetState = { ...s, pending: undefined, lastSet: p.to };
  if (p.direction === 'up') next.lastUp = at;
  else next.lastDown = at;
  if (p.ceiling !== undefined && p.ceiling !== null) {
    next.ceiling = { value: p.ceiling, since: s.ceiling?.since ?? at };
    return next;
  }
  if (p.ceiling === null) {
    // The ceiling is lifted; back at the value it replaced, Headroom lets go as after a revert.
    next.ceiling = undefined;
    if (next.original !== undefined && p.to <= next.original) {
      next.original = undefined;
      next.lastSet = undefined;
    }
    return next;
  }
  // The revert goes back to `original` and then lets go.
  if (next.original !== undefined && p.direction === 'down' && p.to <= next.original) {
    next.original = undefined;
    next.lastSet = undefined;
  }
  return next;
}

/**
 * A write-ahead record left by a process that stopped (or a state write that failed): read the
 * resource, and record what really happened. Called under the target's lease.
 */
export async function recoverPending(
  repo: Repo,
  actuator: Actuator,
  target: Target,
  now: Date,
): Promise<TargetState> {
  const ts = await repo.targetState(target.id, now);
  const p = ts.pending;
  if (!p) return ts;
  const fresh = await actuator.read(target);
  const actual = fresh.value;
  const field = fieldOf(target);
  const applied = actual === p.to && ceilingMatches(target, fresh, p.ceiling);
  const next = await repo.updateTargetState(target.id, now, (s) =>
    s.pending?.stepId !== p.stepId ? s : applied ? completed(s, p, p.startedAt) : notApplied(s, actual),
  );
  if (!applied && actual === p.from && p.failed) return next; // a failed call, already audited
  const what = applied
    ? `was applied at ${p.startedAt} but not recorded (the process stopped or the state write failed); recorded now`
    : actual === p.from
      ? 'was not applied (the process stopped before the call took effect); it is planned again'
      : `left the resource at ${display(target, actual)}, neither before nor after the step; planned from there`;
  await repo.audit(
    {
      action: 'step-recovered',
      target: target.id,
      stepId: p.stepId,
      before: { [field]: display(target, p.from) },
      after: { [field]: display(target, actual) },
      reason: `step ${p.stepId} (${display(target, p.from)} -> ${display(target, p.to)}) ${what}`,
    },
    now,
  );
  return next;
}

/** Not applied: drop the record; `original` stays only if something else moved the value. */
function notApplied(s: TargetState, actual: number): TargetState {
  const p = s.pending!;
  return actual === p.from ? withoutPending(s) : { ...s, pending: undefined };
}
