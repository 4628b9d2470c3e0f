import type { Config } from '../config/types.ts';
import { iso } from '../domain/time.ts';
import type {
  Actual,
  Decision,
  Direction,
  Intent,
  Plan,
  PlannerState,
  Target,
  TargetPlan,
  TargetState,
} from '../domain/types.ts';
import { clampToBounds, display } from '../domain/units.ts';
import { applyCeilings, ceilingStep, isCeiling } from './ceilings.ts';
import { annotate, applyConstraints, type ConnectionPlan } from './constraints.ts';
import { holdForDependencies } from './dependencies.ts';
import { type ForecastAdvice, forecastNotes } from './forecast-advice.ts';
import { dependentsOf, topologicalOrder } from './graph.ts';
import {
  approvalOf,
  HOLD_GUARDS,
  keptByPeople,
  STEP_GUARDS,
  type StepFacts,
  type TargetFacts,
  type Verdict,
} from './guards.ts';
import { poolSteps } from './pool-step.ts';
import { baselineOf, intentEnd, intentStart, stagedSteps, stepTo } from './windows.ts';

export type { ForecastAdvice } from './forecast-advice.ts';
export { APPROVAL_TTL_SECONDS } from './guards.ts';
export { baselineOf, intentEnd, intentStart, stepId } from './windows.ts';

/** What the planner knows of a target it could not read. */
export interface ReadFailure {
  error: string;
}

export type ActualOrFailure = Actual | ReadFailure;

export function isReadFailure(a: ActualOrFailure | undefined): a is ReadFailure {
  return a !== undefined && 'error' in a;
}

/** A plan entry with the planner's working facts that the executor also needs. */
export interface PlannedTarget extends TargetPlan {
  /** Campaigns whose intents hold this target now (Karpenter disruption budgets). */
  campaigns: string[];
  /** The step is approved (by a person, or by an approved campaign). */
  approved: boolean;
  /** forecast-only: the floor the advisory forecast would set now (above the desired value). */
  advice?: ForecastAdvice;
  /** Someone raised the target by hand above what Headroom set: it is left where they put it. */
  manual?: { value: number; headroomSet: number; by?: string };
  /** `wait` for an intent still to start: the target holds what it needs now. */
  dueLater?: boolean;
  /** The scale-up waits for these dependencies to be ready (planner/dependencies.ts). */
  waitsFor?: string[];
  /** A PgBouncer target of a connection budget: its instances and pool (planner/constraints.ts). */
  connections?: ConnectionPlan;
}

export interface FullPlan extends Plan {
  targets: PlannedTarget[];
}

/**
 * plan(config, intents, actuals, state, now) -> Plan. Pure: for each target, the capacity
 * needed at now + lead time from every live intent, clamped to bounds, moved in steps no
 * larger than `maxStepPercent`, respecting cooldowns per direction, dependency order,
 * approvals, pauses and dry-run, each decision with human-readable reasons.
 */
export function plan(
  config: Config,
  intents: Intent[],
  actuals: Record<string, ActualOrFailure | undefined>,
  state: PlannerState,
  now: Date,
): FullPlan {
  const order = topologicalOrder(config.targets);
  const constrained = applyConstraints(config, intents, actuals, state, now);
  const byTarget = new Map<string, Intent[]>();
  for (const i of constrained.intents) {
    const list = byTarget.get(i.target);
    if (list) list.push(i);
    else byTarget.set(i.target, [i]);
  }

  const entries = new Map<string, PlannedTarget>();
  for (const target of order) {
    entries.set(
      target.id,
      decideTarget(target, byTarget.get(target.id) ?? [], actuals[target.id], state, now),
    );
  }
  annotate(entries, constrained);
  poolSteps(config, entries, actuals, now);
  holdForDependencies(config, order, entries, actuals, state, constrained.intents, now);

  // Scale-down runs dependents before dependencies: a dependency waits while any of its
  // dependents still has to come down (or is still changing).
  for (const target of order) {
    const e = entries.get(target.id)!;
    if (e.decision !== 'scale-down') continue;
    const waiting = dependentsOf(config.targets, target.id).filter((d) => {
      const de = entries.get(d.id)!;
      const a = actuals[d.id];
      const busy = a && !isReadFailure(a) && a.busy;
      return (
        de.decision === 'scale-down' ||
        (de.steps.some((s) => s.direction === 'down') && de.decision !== 'no-op') ||
        busy
      );
    });
    if (waiting.length > 0) {
      e.decision = 'wait';
      e.reasons.push(
        `scale-down waits for dependents ${waiting.map((d) => d.id).join(', ')} to come down first`,
      );
    }
  }
  return { at: iso(now), targets: order.map((t) => entries.get(t.id)!) };
}

/** The value a target needs now, which intent sets it, and what comes later. */
interface Needed {
  baseline: number;
  desired: number;
  holder: Intent | undefined;
  /** Intents holding the target now. */
  effective: Intent[];
  /** Intents still to start, with the instant their first step is due. */
  upcoming: { intent: Intent; start: number }[];
  reasons: string[];
}

function needed(
  target: Target,
  intents: Intent[],
  actual: Actual,
  ts: TargetState | undefined,
  t: number,
): Needed {
  const baseline = baselineOf(target, actual, ts);
  // Each intent's window for this target, computed once (a large calendar has thousands).
  const upcoming: Needed['upcoming'] = [];
  const effective: Intent[] = [];
  for (const i of intents) {
    if (i.advisory) continue;
    const start = intentStart(target, i, baseline);
    if (start > t) upcoming.push({ intent: i, start });
    else if (t < intentEnd(target, i)) effective.push(i);
  }
  let highest = baseline;
  let holder: Intent | undefined;
  for (const i of effective) {
    if (i.floor > highest) {
      highest = i.floor;
      holder = i;
    }
  }
  const desired = clampToBounds(target, highest);
  const reasons: string[] = [];
  if (holder) reasons.push(holder.reason);
  else if (desired !== actual.value)
    reasons.push(
      ts?.original !== undefined
        ? `no live intent: back to the value Headroom replaced, ${display(target, baseline)}`
        : `configured baseline ${display(target, baseline)}`,
    );
  if (highest > desired) reasons.push(`capped at bounds max ${display(target, target.bounds.max)}`);
  if (highest < desired && holder === undefined && baseline === desired)
    reasons.push(`raised to bounds min ${display(target, target.bounds.min)}`);
  return { baseline, desired, holder, effective, upcoming, reasons };
}

/**
 * One target's decision: what it needs now, then the guards that hold it where it is, then the
 * guards that stop or delay its next step, each with its reason; the forecast's notes come last.
 */
function decideTarget(
  target: Target,
  all: Intent[],
  read: ActualOrFailure | undefined,
  state: PlannerState,
  now: Date,
): PlannedTarget {
  const t = now.getTime();
  const base: PlannedTarget = {
    id: target.id,
    kind: target.kind,
    actual: null,
    desired: null,
    decision: 'no-op',
    reasons: [],
    steps: [],
    campaigns: [],
    approved: false,
  };
  if (read === undefined || isReadFailure(read)) {
    base.decision = 'blocked';
    base.reasons.push(`cannot read actual state: ${read ? read.error : 'no actuator answered'}`);
    return base;
  }
  const actual = read;
  const ts = state.targets[target.id];
  const intents = all.filter((i) => !isCeiling(i));
  const need = needed(target, intents, actual, ts, t);
  base.actual = display(target, actual.value);
  base.desired = display(target, need.desired);
  base.campaigns = [...new Set(need.effective.filter((i) => i.campaign).map((i) => i.campaign!))];
  base.reasons.push(...need.reasons);
  const notes = forecastNotes(target, intents, need.effective, need.holder, need.baseline, need.desired, t);
  if (notes.advice) base.advice = notes.advice;
  const done = (entry: PlannedTarget, v?: Verdict): PlannedTarget => {
    if (v) {
      entry.decision = v.decision;
      entry.reasons.push(...v.reasons);
    }
    entry.reasons.push(...notes.reasons);
    return entry;
  };

  const facts: TargetFacts = { target, actual, ts, state, t, desired: need.desired, holder: need.holder };
  for (const guard of HOLD_GUARDS) {
    const v = guard(facts);
    if (v) return done(base, v);
  }
  const kept = keptByPeople(facts);
  if (kept) {
    base.desired = display(target, kept.value);
    base.reasons.push(kept.reason);
    if (kept.manual) base.manual = kept.manual;
    facts.desired = kept.value;
  }
  const cap = applyCeilings(target, actual, ts, facts.desired, all.filter(isCeiling), need.effective, t);
  base.reasons.push(...cap.reasons);
  if (cap.desired !== facts.desired) base.desired = display(target, cap.desired);
  facts.desired = cap.desired;
  const desired = cap.desired;
  if (desired === actual.value && cap.step === undefined)
    return done(cap.holds || actual.blocked ? base : nextChange(base, target, actual, need, desired));
  if (actual.blocked) return done(base, { decision: 'blocked', reasons: [actual.blocked] });

  const direction: Direction = cap.direction ?? (desired > actual.value ? 'up' : 'down');
  const last = direction === 'up' ? ts?.lastUp : ts?.lastDown;
  // A surge that is already here (an urgent intent) is one step now: no staging, no cooldown.
  const urgent = direction === 'up' && need.holder?.urgent === true;
  const cooldownEnds = last && !urgent ? Date.parse(last) + target.cooldownSeconds * 1000 : 0;
  const at = Math.max(t, cooldownEnds);
  base.steps =
    cap.step !== undefined
      ? [ceilingStep(target, actual.value, desired, at, direction, cap.step)]
      : urgent
        ? [stepTo(target, actual.value, desired, t, direction)]
        : stagedSteps(target, actual.value, desired, at, direction);
  const step: StepFacts = { ...facts, direction, first: base.steps[0]!, last, cooldownEnds };
  for (const guard of STEP_GUARDS) {
    const v = guard(step);
    if (!v) continue;
    if (v.decision === 'needs-approval') step.first.needsApproval = true;
    return done(base, v);
  }
  const approval = approvalOf(step);
  if (approval) {
    base.approved = true;
    base.reasons.push(
      approval.status === 'campaign'
        ? `approved with campaign ${need.holder?.campaign} (${approval.why})`
        : `approved by ${approval.by} at ${approval.at} (${approval.why})`,
    );
  }
  const decision: Decision = direction === 'up' ? 'scale-up' : 'scale-down';
  if (target.dryRun) {
    for (const s of base.steps) s.dryRun = true;
    return done(base, { decision, reasons: ['dry run: the step is recorded, nothing is changed'] });
  }
  return done(base, { decision, reasons: [] });
}

/** Nothing to do now: show the next change a future intent will need, if any. */
function nextChange(
  base: PlannedTarget,
  target: Target,
  actual: Actual,
  need: Needed,
  desired: number,
): PlannedTarget {
  let first: Needed['upcoming'][number] | undefined;
  for (const f of need.upcoming) {
    if (clampToBounds(target, f.intent.floor) > desired && (!first || f.start < first.start)) first = f;
  }
  if (!first) return base;
  const to = clampToBounds(target, first.intent.floor);
  base.decision = 'wait';
  base.dueLater = true;
  base.desired = display(target, to);
  base.reasons.push(first.intent.reason, `first step due ${iso(first.start)}`);
  base.steps = stagedSteps(target, actual.value, to, first.start, 'up');
  return base;
}

/** The decision values, for validation of plans read back from JSON. */
export const DECISIONS: Decision[] = ['no-op', 'scale-up', 'scale-down', 'wait', 'needs-approval', 'blocked'];
