/**
 * The executor's notices for steps it does not apply: approvals requested, guardrails that
 * blocked a change, failures that cleared. Each is audited and notified once, not per tick.
 */
import type { Step, Target, TargetFailure } from '../domain/types.ts';
import { shortHash } from '../domain/units.ts';
import type { PlannedTarget } from '../planner/plan.ts';
import type { ExecutorDeps, StepResult } from './types.ts';

/** A failure recorded on the target is over: audited and notified once. */
export async function clearFailure(target: Target, failure: TargetFailure, step: Step, deps: ExecutorDeps) {
  const now = deps.clock.now();
  const reason = `${target.id}: ${failure.code} since ${failure.since} cleared after ${failure.attempts} failed attempt(s)`;
  await deps.repo.audit(
    { action: 'failure-cleared', target: target.id, stepId: step.id, before: { failure }, reason },
    now,
  );
  await deps.notifier.notify({
    kind: 'failure',
    target: target.id,
    stepId: step.id,
    text: reason,
    details: { cleared: true },
  });
}

export async function requestApproval(
  target: Target,
  e: PlannedTarget,
  step: Step,
  deps: ExecutorDeps,
): Promise<StepResult> {
  const now = deps.clock.now();
  const reason = e.reasons.join('; ');
  if (await deps.repo.claim(`approval-requested:${step.id}`, now)) {
    await deps.repo.audit(
      {
        action: 'approval-requested',
        target: target.id,
        stepId: step.id,
        before: { value: e.actual },
        after: step.set,
        reason,
      },
      now,
    );
    await deps.notifier.notify({
      kind: 'approval-requested',
      target: target.id,
      stepId: step.id,
      text: `${target.id}: ${e.actual} -> ${Object.values(step.set)[0]} needs approval (${reason})`,
      details: { step, reason, actual: e.actual, desired: e.desired },
    });
  }
  return { target: target.id, stepId: step.id, outcome: 'approval-requested' };
}

export async function reportBlocked(target: Target, e: PlannedTarget, deps: ExecutorDeps): Promise<void> {
  await auditBlocked(target, e.reasons.join('; '), deps);
}

/** A guardrail or the actuator stopped a change: audited and notified once per reason and hour, not per tick. */
export async function auditBlocked(
  target: Target,
  reason: string,
  deps: ExecutorDeps,
  stepId?: string,
): Promise<void> {
  const now = deps.clock.now();
  if (await deps.repo.claim(`blocked:${target.id}:${shortHash(reason)}`, now, 3600)) {
    await deps.repo.audit({ action: 'blocked', target: target.id, stepId, reason }, now);
    await deps.notifier.notify({
      kind: 'blocked',
      target: target.id,
      text: `${target.id}: blocked: ${reason}`,
    });
  }
}
