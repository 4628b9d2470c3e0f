import { randomUUID } from 'node:crypto';
import type { Config } from '../config/types.ts';
import { ActuatorError, describeError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type { Step, Target, TargetFailure, TargetState } from '../domain/types.ts';
import { display, shortHash } from '../domain/units.ts';
import { ceilingMatches } from '../planner/ceilings.ts';
import type { FullPlan, PlannedTarget } from '../planner/plan.ts';
import type { ActuatorRegistry } from '../ports/actuator.ts';
import type { Clock } from '../ports/clock.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { Repo } from '../state/repo.ts';
import { runOrdered } from './concurrency.ts';
import { heldBack, recordFailure } from './failures.ts';
import { auditBlocked, clearFailure, reportBlocked, requestApproval } from './notices.ts';
import type { ExecutorDeps, StepResult } from './types.ts';
import { completed, recoverPending, withoutPending, writeAhead } from './write-ahead.ts';

export type { ExecutorDeps, StepOutcome, StepResult } from './types.ts';

/**
 * The only code that changes infrastructure. For each step due now: take the target's lease,
 * re-read the actual state (another reconcile may have done it), apply through the actuator,
 * and record before/after/reason in the audit log. Failures are audited and left for the next
 * reconcile: nothing is marked done that was not done.
 */
export { describeError };

export async function execute(config: Config, plan: FullPlan, deps: ExecutorDeps): Promise<StepResult[]> {
  const now = deps.clock.now();
  const byId = new Map(config.targets.map((t) => [t.id, t]));
  const results: StepResult[] = [];
  // One lease owner per reconcile, not per process: a tick and an HTTP-triggered reconcile in the
  // same process must not both hold a target's lease and apply the same step twice.
  const run = { ...deps, owner: `${deps.owner}:${randomUUID().slice(0, 8)}` };
  const due = (e: PlannedTarget) => e.steps[0] && Date.parse(e.steps[0].at) <= now.getTime();
  await recoverAll(byId, run);

  for (const e of plan.targets) {
    const target = byId.get(e.id);
    if (!target) continue;
    if (e.decision === 'needs-approval' && e.steps[0])
      results.push(await requestApproval(target, e, e.steps[0], deps));
    if (e.decision === 'blocked') await reportBlocked(target, e, deps);
  }
  // Scale-ups in plan order (dependencies first), scale-downs in reverse (dependents first).
  const ups = plan.targets.filter((e) => e.decision === 'scale-up' && due(e));
  const downs = plan.targets.filter((e) => e.decision === 'scale-down' && due(e)).reverse();
  // `defaults.parallelSteps` at a time (each under its own lease); related targets keep their order.
  const related = (a: PlannedTarget, b: PlannedTarget) =>
    byId.get(a.id)!.dependsOn.includes(b.id) || byId.get(b.id)!.dependsOn.includes(a.id);
  const limit = config.defaults.parallelSteps ?? 1;
  for (const wave of [ups, downs])
    results.push(
      ...(await runOrdered(wave, limit, related, (e) => executeStep(byId.get(e.id)!, e, e.steps[0]!, run))),
    );
  return results;
}

async function executeStep(
  target: Target,
  e: PlannedTarget,
  step: Step,
  deps: ExecutorDeps,
): Promise<StepResult> {
  const { repo, clock } = deps;
  const now = clock.now();
  const reason = e.reasons.join('; ');
  const base = { target: target.id, stepId: step.id };
  const change = { [Object.keys(step.set)[0]!]: display(target, step.from) };

  if (step.dryRun) {
    if (await repo.claim(`dry-run:${step.id}`, now, target.cooldownSeconds || 300)) {
      await repo.audit(
        {
          action: 'step-dry-run',
          target: target.id,
          stepId: step.id,
          before: change,
          after: step.set,
          reason,
        },
        now,
      );
    }
    return { ...base, outcome: 'dry-run' };
  }

  const lease = `target:${target.id}`;
  if (!(await repo.store.acquireLease(lease, deps.owner, now, deps.leaseSeconds ?? 120))) {
    return { ...base, outcome: 'leased-elsewhere' };
  }
  let ts: TargetState = {};
  let actualValue = step.from;
  try {
    const actuator = deps.actuators(target);
    ts = await recoverPending(repo, actuator, target, now);
    const fresh = await actuator.read(target);
    actualValue = fresh.value;
    if (
      fresh.value === step.to &&
      ceilingMatches(target, fresh, step.ceiling) &&
      (step.pool === undefined || fresh.details?.pool === step.pool)
    ) {
      if (ts.failure) {
        await clearFailure(target, ts.failure, step, deps);
        await repo.updateTargetState(target.id, now, (s) => ({
          ...s,
          lastError: undefined,
          failure: undefined,
        }));
      }
      return { ...base, outcome: 'already-done' };
    }
    if (fresh.value !== step.from)
      return { ...base, outcome: 'stale', message: `actual moved to ${display(target, fresh.value)}` };
    if (fresh.busy) return { ...base, outcome: 'in-progress', message: fresh.busy };
    // A pool-only step is no replica change: no cooldown.
    const last = step.pool !== undefined ? undefined : step.direction === 'up' ? ts.lastUp : ts.lastDown;
    if (last && now.getTime() - Date.parse(last) < target.cooldownSeconds * 1000)
      return { ...base, outcome: 'cooldown' };
    const held = heldBack(ts.failure, { now, target, actual: fresh.value });
    if (held) return { ...base, outcome: 'backoff', message: held };

    ts = await writeAhead(repo, target, step, deps.owner, now);
    const result = await actuator.apply(target, step.to, {
      stepId: step.id,
      reason,
      now,
      remembered: ts.remembered ?? {},
      campaignActive: e.campaigns.length > 0,
      approved: e.approved,
      ...(e.connections ? { connections: { pool: e.connections.pool, budget: e.connections.budget } } : {}),
      ...(step.ceiling !== undefined ? { ceiling: step.ceiling } : {}),
    });
    if (result.status !== 'applied') await repo.updateTargetState(target.id, now, withoutPending);
    if (result.status === 'blocked') {
      await auditBlocked(target, result.message ?? 'blocked by the actuator', deps, step.id);
      return { ...base, outcome: 'blocked', message: result.message };
    }
    if (result.status === 'in-progress') {
      // A change this apply started that completes later (a Blue/Green green): audited now.
      const { before, after, message } = result;
      const entry = { target: target.id, stepId: step.id, before, after, reason: `${reason}: ${message}` };
      if (result.started) await repo.audit({ action: 'step-started', ...entry }, now);
      return { ...base, outcome: 'in-progress', message };
    }
    if (result.status === 'no-op') return { ...base, outcome: 'already-done' };

    if (ts.failure) await clearFailure(target, ts.failure, step, deps);
    // The audit first: a process that stops after it leaves the write-ahead record, which the
    // next reconcile settles (and says so); one that stops after the state write lost nothing.
    await repo.audit(
      {
        action: 'step-executed',
        target: target.id,
        stepId: step.id,
        before: { ...change, ...result.before },
        after: { ...step.set, ...result.after },
        reason,
      },
      now,
    );
    await repo.updateTargetState(target.id, now, (s) => {
      // `original` was written ahead of the call; the revert goes back to it, then lets go.
      const next = { ...completed(s, step, iso(now)), lastError: undefined, failure: undefined };
      const remembered = { ...(result.remember ?? {}), ...(s.remembered ?? {}) };
      for (const k of result.forget ?? []) delete remembered[k];
      next.remembered = Object.keys(remembered).length ? remembered : undefined;
      return next;
    });
    await deps.notifier.notify({
      kind: 'step-executed',
      target: target.id,
      stepId: step.id,
      text: `${target.id}: ${Object.entries(change)
        .map(([k, v]) => `${k} ${v} -> ${step.set[k]}`)
        .join(', ')} (${reason})`,
      details: { before: result.before, after: result.after, reason, direction: step.direction },
    });
    return { ...base, outcome: 'executed' };
  } catch (err) {
    const message = describeError(err);
    const { failure, isNew } = recordFailure(ts.failure, err, message, {
      now,
      target,
      actual: actualValue,
      random: deps.random ?? Math.random,
    });
    // A mapped refusal (RBAC, invalid state, throttling...) means the call did not take effect;
    // anything else (a timeout, a bug) may have: the write-ahead stays for the next reconcile.
    const refused = err instanceof ActuatorError;
    await repo.updateTargetState(target.id, now, (s) => {
      const kept = refused
        ? withoutPending(s)
        : s.pending
          ? { ...s, pending: { ...s.pending, failed: true } }
          : s;
      return { ...kept, lastError: message, failure };
    });
    const outcome = {
      ...base,
      outcome: 'failed' as const,
      message: failure.retryable
        ? `${message} (attempt ${failure.attempts}; next retry at ${failure.nextRetryAt})`
        : `${message} (not retryable: held until the configuration or the resource changes)`,
    };
    // Every distinct failure is audited and notified once when it starts (and once when it
    // clears), not on every tick while it lasts.
    if (!isNew) return outcome;
    await repo.audit(
      {
        action: 'step-failed',
        target: target.id,
        stepId: step.id,
        before: change,
        after: step.set,
        reason,
        error: message,
      },
      now,
    );
    await deps.notifier.notify({
      kind: 'failure',
      target: target.id,
      stepId: step.id,
      text: `${target.id}: step ${step.id} failed: ${outcome.message}`,
      details: { failure },
    });
    return outcome;
  } finally {
    await repo.store.releaseLease(lease, deps.owner);
  }
}

/** Write-ahead records left by a stopped process, resolved under each target's lease. */
async function recoverAll(byId: Map<string, Target>, deps: ExecutorDeps): Promise<void> {
  const now = deps.clock.now();
  const state = await deps.repo.plannerState(now);
  for (const [id, ts] of Object.entries(state.targets)) {
    const target = byId.get(id);
    if (!ts.pending || !target) continue;
    const lease = `target:${id}`;
    if (!(await deps.repo.store.acquireLease(lease, deps.owner, now, deps.leaseSeconds ?? 120))) continue;
    try {
      await recoverPending(deps.repo, deps.actuators(target), target, now);
    } catch {
      // The resource cannot be read now: the record stays, the next reconcile tries again.
    } finally {
      await deps.repo.store.releaseLease(lease, deps.owner);
    }
  }
}
