import type { Config } from '../config/types.ts';
import { formatDuration } from '../domain/duration.ts';
import { iso } from '../domain/time.ts';
import type {
  Actual,
  Decision,
  Direction,
  Intent,
  Plan,
  PlannerState,
  Step,
  Target,
  TargetPlan,
  TargetState,
} from '../domain/types.ts';
import {
  clampToBounds,
  display,
  fieldOf,
  nextStep,
  shortHash,
  stageIntervalSeconds,
  stepsBetween,
} from '../domain/units.ts';
import { dependentsOf, topologicalOrder } from './graph.ts';

/** What the planner knows of a target it could not read. */
export interface ReadFailure {
  error: string;
}

export type ActualOrFailure = Actual | ReadFailure;

export function isReadFailure(a: ActualOrFailure | undefined): a is ReadFailure {
  return a !== undefined && 'error' in a;
}

/** Approvals are valid this long: the same change next week needs a fresh one. */
export const APPROVAL_TTL_SECONDS = 24 * 3600;

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
}

export interface ForecastAdvice {
  /** Units. */
  floor: number;
  reason: string;
}

interface ForecastNotes {
  reasons: string[];
  advice?: ForecastAdvice;
}

export interface FullPlan extends Plan {
  targets: PlannedTarget[];
}

/** When an intent starts to count for a target: its `from` minus lead time, margin and staging. */
export function intentStart(target: Target, intent: Intent, baseline: number): number {
  const floor = clampToBounds(target, intent.floor);
  const stages = floor > baseline ? Math.max(0, stepsBetween(target, baseline, floor) - 1) : 0;
  const lead = target.leadTimeSeconds + target.marginSeconds + stages * stageIntervalSeconds(target);
  return Date.parse(intent.from) - lead * 1000;
}

export function intentEnd(target: Target, intent: Intent): number {
  return Date.parse(intent.until) + target.scaleDownDelaySeconds * 1000;
}

/** The value a target returns to when no intent holds it. */
export function baselineOf(target: Target, actual: Actual | undefined, ts: TargetState | undefined): number {
  const b = ts?.original ?? target.baseline ?? actual?.value ?? target.bounds.min;
  return clampToBounds(target, b);
}

export function stepId(target: Target, direction: Direction, from: number, to: number): string {
  return `${target.id}-${shortHash(`${target.id}|${direction}|${from}|${to}`)}`;
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
  const byTarget = new Map<string, Intent[]>();
  for (const i of intents) {
    const list = byTarget.get(i.target);
    if (list) list.push(i);
    else byTarget.set(i.target, [i]);
  }

  const entries = new Map<string, PlannedTarget>();
  for (const target of order) {
    entries.set(
      target.id,
      planTarget(config, target, byTarget.get(target.id) ?? [], actuals[target.id], state, now),
    );
  }

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

function planTarget(
  config: Config,
  target: Target,
  intents: Intent[],
  read: ActualOrFailure | undefined,
  state: PlannerState,
  now: Date,
): PlannedTarget {
  // What the forecast says comes after the reasons for the decision itself.
  const notes: ForecastNotes = { reasons: [] };
  const planned = decideTarget(config, target, intents, read, state, now, notes);
  planned.reasons.push(...notes.reasons);
  if (notes.advice) planned.advice = notes.advice;
  return planned;
}

function decideTarget(
  config: Config,
  target: Target,
  intents: Intent[],
  read: ActualOrFailure | undefined,
  state: PlannerState,
  now: Date,
  notes: ForecastNotes,
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
  const baseline = baselineOf(target, actual, ts);
  base.actual = display(target, actual.value);

  // Each intent's window for this target, computed once (a large calendar has thousands).
  const upcoming: { intent: Intent; start: number }[] = [];
  const effective: Intent[] = [];
  for (const i of intents) {
    if (i.advisory) continue;
    const start = intentStart(target, i, baseline);
    if (start > t) upcoming.push({ intent: i, start });
    else if (t < intentEnd(target, i)) effective.push(i);
  }

  let desired = baseline;
  let holder: Intent | undefined;
  for (const i of effective) {
    if (i.floor > desired) {
      desired = i.floor;
      holder = i;
    }
  }
  const unclamped = desired;
  desired = clampToBounds(target, desired);
  base.campaigns = [...new Set(effective.filter((i) => i.campaign).map((i) => i.campaign!))];
  if (holder) base.reasons.push(holder.reason);
  else if (desired !== actual.value) {
    base.reasons.push(
      ts?.original !== undefined
        ? `no live intent: back to the value Headroom replaced, ${display(target, baseline)}`
        : `configured baseline ${display(target, baseline)}`,
    );
  }
  if (unclamped > desired) base.reasons.push(`capped at bounds max ${display(target, target.bounds.max)}`);
  if (unclamped < desired && holder === undefined && baseline === desired && desired > unclamped)
    base.reasons.push(`raised to bounds min ${display(target, target.bounds.min)}`);
  Object.assign(notes, forecastReasons(target, intents, effective, holder, baseline, desired, t));
  base.desired = display(target, desired);

  const paused = ts?.paused ?? state.paused;
  if (paused) {
    if (desired !== actual.value) {
      base.decision = 'blocked';
      base.reasons.push(`paused by ${paused.by} at ${paused.at}`);
    }
    return base;
  }
  if (actual.blocked) {
    if (desired !== actual.value) {
      base.decision = 'blocked';
      base.reasons.push(actual.blocked);
    }
    return base;
  }

  // Respect people: Headroom only lowers what it raised, to what it recorded. A value set by
  // hand above what Headroom last set (or on a target Headroom never raised) is left alone.
  if (desired < actual.value) {
    const raisedByHeadroom = ts?.original !== undefined;
    const setByHand = raisedByHeadroom && ts.lastSet !== undefined && actual.value > ts.lastSet;
    if (!raisedByHeadroom || setByHand) {
      const by = actual.changedBy ? ` by ${actual.changedBy}` : '';
      base.desired = display(target, actual.value);
      base.reasons.push(
        setByHand
          ? `kept at ${display(target, actual.value)}: set by hand${by} above the ${display(target, ts!.lastSet!)} Headroom set; ${holder ? 'not lowered while an intent holds' : 'Headroom lowers only what it raised'}`
          : `kept at ${display(target, actual.value)}: not raised by Headroom${by}, which lowers only what it raised (to ${display(target, desired)} otherwise)`,
      );
      if (setByHand) base.manual = { value: actual.value, headroomSet: ts!.lastSet!, by: actual.changedBy };
      desired = actual.value;
    }
  }

  if (desired === actual.value) {
    // Nothing to do now; show the next change a future intent will need.
    let first: { intent: Intent; start: number } | undefined;
    for (const f of upcoming) {
      if (clampToBounds(target, f.intent.floor) > desired && (!first || f.start < first.start)) first = f;
    }
    if (first) {
      const next = first.intent;
      const at = first.start;
      const to = clampToBounds(target, next.floor);
      base.decision = 'wait';
      base.desired = display(target, to);
      base.reasons.push(next.reason, `first step due ${iso(at)}`);
      base.steps = stagedSteps(target, actual.value, to, at, 'up', config, next.approved === true);
    }
    return base;
  }

  const direction: Direction = desired > actual.value ? 'up' : 'down';
  const last = direction === 'up' ? ts?.lastUp : ts?.lastDown;
  const cooldownEnds = last ? Date.parse(last) + target.cooldownSeconds * 1000 : 0;
  const approvedByCampaign = direction === 'up' && holder?.approved === true;
  const steps = stagedSteps(
    target,
    actual.value,
    desired,
    Math.max(t, cooldownEnds),
    direction,
    config,
    approvedByCampaign,
  );
  base.steps = steps;
  const first = steps[0]!;

  if (actual.busy) {
    base.decision = 'wait';
    base.reasons.push(`a change is in progress: ${actual.busy}`);
    return base;
  }
  if (cooldownEnds > t) {
    base.decision = 'wait';
    base.reasons.push(
      `cooldown: last ${direction === 'up' ? 'raise' : 'lowering'} at ${last}, next ${direction} step due ${iso(cooldownEnds)} (cooldown ${formatDuration(target.cooldownSeconds)})`,
    );
    return base;
  }

  const needsApproval = target.approval === 'required' || actual.risk !== undefined;
  if (needsApproval) {
    const approval = state.approvals[first.id];
    const fresh = approval && t - Date.parse(approval.at) < APPROVAL_TTL_SECONDS * 1000;
    if (fresh && approval.decision === 'rejected') {
      base.decision = 'blocked';
      base.reasons.push(`step ${first.id} rejected by ${approval.by} at ${approval.at}`);
      return base;
    }
    const why = actual.risk ?? 'the target requires approval';
    if (fresh && approval.decision === 'approved') {
      base.approved = true;
      base.reasons.push(`approved by ${approval.by} at ${approval.at} (${why})`);
    } else if (approvedByCampaign) {
      base.approved = true;
      base.reasons.push(`approved with campaign ${holder?.campaign} (${why})`);
    } else {
      base.decision = 'needs-approval';
      first.needsApproval = true;
      base.reasons.push(
        `needs approval: ${why}; approve step ${first.id} in Slack (/headroom approve ${first.id})`,
      );
      return base;
    }
  }
  base.decision = direction === 'up' ? 'scale-up' : 'scale-down';
  if (target.dryRun) {
    for (const s of steps) s.dryRun = true;
    base.reasons.push('dry run: the step is recorded, nothing is changed');
  }
  return base;
}

/**
 * What the forecast says about a target when it does not set the floor itself: the forecast
 * that holds now but stays within the floor (why no predictive raise), and for forecast-only
 * targets the highest advisory floor that would hold now, else the next one (what would be done).
 */
function forecastReasons(
  target: Target,
  intents: Intent[],
  effective: Intent[],
  holder: Intent | undefined,
  baseline: number,
  desired: number,
  t: number,
): ForecastNotes {
  const out: string[] = [];
  const highest = (xs: Intent[]) =>
    xs.reduce<Intent | undefined>((a, b) => (a && a.floor >= b.floor ? a : b), undefined);
  const forecast = highest(effective.filter((i) => i.source.kind === 'forecast' && i !== holder));
  if (forecast && forecast.floor <= desired)
    out.push(`${forecast.reason} (within the floor ${display(target, desired)})`);
  const advisory = intents.filter((i) => i.advisory && t < intentEnd(target, i));
  if (advisory.length === 0) return { reasons: out };
  const now = highest(advisory.filter((i) => intentStart(target, i, baseline) <= t));
  const next = advisory
    .filter((i) => intentStart(target, i, baseline) > t)
    .sort((a, b) => intentStart(target, a, baseline) - intentStart(target, b, baseline))[0];
  const shown = now ?? next;
  if (!shown) return { reasons: out };
  const would = clampToBounds(target, shown.floor);
  const what =
    would > desired ? `would raise to ${display(target, would)}` : `would keep ${display(target, desired)}`;
  const reason = `forecast-only (not applied): ${what}${now ? '' : ` from ${iso(intentStart(target, shown, baseline))}`}: ${shown.reason}`;
  out.push(reason);
  return { reasons: out, advice: now && would > desired ? { floor: would, reason } : undefined };
}

/** The changes from `from` to `to`: the first at `at`, each next one a cooldown later. */
function stagedSteps(
  target: Target,
  from: number,
  to: number,
  at: number,
  direction: Direction,
  _config: Config,
  _approved: boolean,
): Step[] {
  const steps: Step[] = [];
  let v = from;
  let when = at;
  while (v !== to && steps.length < 50) {
    const next = nextStep(target, v, to);
    steps.push({
      id: stepId(target, direction, v, next),
      target: target.id,
      at: iso(when),
      direction,
      from: v,
      to: next,
      set: { [fieldOf(target)]: display(target, next) },
    });
    v = next;
    when += stageIntervalSeconds(target) * 1000;
  }
  return steps;
}

/** The decision values, for validation of plans read back from JSON. */
export const DECISIONS: Decision[] = ['no-op', 'scale-up', 'scale-down', 'wait', 'needs-approval', 'blocked'];
