import { formatDuration } from '../domain/duration.ts';
import { iso } from '../domain/time.ts';
import type {
  Actual,
  Decision,
  Direction,
  Intent,
  PlannerState,
  Step,
  Target,
  TargetState,
} from '../domain/types.ts';
import { display } from '../domain/units.ts';

/** Approvals are valid this long: the same change next week needs a fresh one. */
export const APPROVAL_TTL_SECONDS = 24 * 3600;

/** What a target's decision is made from, once its desired value is known. */
export interface TargetFacts {
  target: Target;
  actual: Actual;
  ts: TargetState | undefined;
  state: PlannerState;
  /** Now, epoch ms. */
  t: number;
  desired: number;
  /** The intent that sets the desired value, if one does. */
  holder: Intent | undefined;
}

/** A change is due: the facts of its first step. */
export interface StepFacts extends TargetFacts {
  direction: Direction;
  first: Step;
  /** When the last change in this direction was made. */
  last: string | undefined;
  cooldownEnds: number;
}

/** A guard's decision and why. A guard with nothing to say returns undefined. */
export interface Verdict {
  decision: Decision;
  reasons: string[];
}

export type Guard<F> = (facts: F) => Verdict | undefined;

/** A pause holds the target where it is. */
export const paused: Guard<TargetFacts> = ({ ts, state, desired, actual }) => {
  const p = ts?.paused ?? state.paused;
  if (!p) return undefined;
  return desired === actual.value
    ? { decision: 'no-op', reasons: [] }
    : { decision: 'blocked', reasons: [`paused by ${p.by} at ${p.at}`] };
};

/**
 * The resource says it cannot be changed now (its actuator reports why). At the value asked
 * for, the plan goes on: a ceiling may still change it (then the plan says blocked, plan.ts).
 */
export const resourceBlocked: Guard<TargetFacts> = ({ actual, desired }) =>
  actual.blocked && desired !== actual.value ? { decision: 'blocked', reasons: [actual.blocked] } : undefined;

/** A value the service cannot lower (RDS storage) stays where it is: a release changes nothing. */
export const neverLowered: Guard<TargetFacts> = ({ target, actual, desired }) => {
  const why = target.values?.neverLowered;
  if (why === undefined || desired >= actual.value) return undefined;
  return {
    decision: 'no-op',
    reasons: [`stays at ${display(target, actual.value)} (not ${display(target, desired)}): ${why}`],
  };
};

/** Guards that hold a target where it is, whatever it needs, in the order they are asked. */
export const HOLD_GUARDS: Guard<TargetFacts>[] = [paused, resourceBlocked, neverLowered];

/** The resource is still applying an earlier change. */
export const changeInProgress: Guard<StepFacts> = ({ actual }) =>
  actual.busy ? { decision: 'wait', reasons: [`a change is in progress: ${actual.busy}`] } : undefined;

/** The last change in the same direction was too recent. */
export const cooldown: Guard<StepFacts> = ({ target, direction, last, cooldownEnds, t }) =>
  cooldownEnds > t
    ? {
        decision: 'wait',
        reasons: [
          `cooldown: last ${direction === 'up' ? 'raise' : 'lowering'} at ${last}, next ${direction} step due ${iso(cooldownEnds)} (cooldown ${formatDuration(target.cooldownSeconds)})`,
        ],
      }
    : undefined;

/** A person rejected this very step within the approval window. */
export const rejected: Guard<StepFacts> = (f) => {
  const a = approvalOf(f);
  return a?.status === 'rejected'
    ? { decision: 'blocked', reasons: [`step ${f.first.id} rejected by ${a.by} at ${a.at}`] }
    : undefined;
};

/** The step needs an approval nobody has given yet. */
export const unapproved: Guard<StepFacts> = (f) => {
  const a = approvalOf(f);
  return a?.status === 'missing'
    ? {
        decision: 'needs-approval',
        reasons: [
          `needs approval: ${a.why}; approve step ${f.first.id} in Slack (/headroom approve ${f.first.id})`,
        ],
      }
    : undefined;
};

/** Guards that stop or delay a due change, in the order they are asked. */
export const STEP_GUARDS: Guard<StepFacts>[] = [changeInProgress, cooldown, rejected, unapproved];

export type Approval =
  | { status: 'missing' | 'campaign'; why: string; by?: undefined; at?: undefined }
  | { status: 'approved' | 'rejected'; why: string; by: string; at: string };

/** Whether the first step needs an approval, and where it stands. Undefined: none needed. */
export function approvalOf(f: StepFacts): Approval | undefined {
  if (f.target.approval !== 'required' && f.actual.risk === undefined) return undefined;
  const why = f.actual.risk ?? 'the target requires approval';
  const given = f.state.approvals[f.first.id];
  if (given && f.t - Date.parse(given.at) < APPROVAL_TTL_SECONDS * 1000)
    return { status: given.decision, why, by: given.by, at: given.at };
  if (f.direction === 'up' && f.holder?.approved === true) return { status: 'campaign', why };
  return { status: 'missing', why };
}

/** A value a person set that Headroom keeps instead of lowering it. */
export interface KeptByPeople {
  value: number;
  reason: string;
  /** Set by hand above what Headroom last set (not only never raised by Headroom). */
  manual?: { value: number; headroomSet: number; by?: string };
}

/**
 * Respect people: Headroom only lowers what it raised, to what it recorded. A value set by hand
 * above what Headroom last set (or on a target Headroom never raised) is left alone.
 */
export function keptByPeople(f: TargetFacts): KeptByPeople | undefined {
  const { target, actual, ts, desired, holder } = f;
  if (desired >= actual.value) return undefined;
  const raisedByHeadroom = ts?.original !== undefined;
  const lastSet = ts?.lastSet;
  const setByHand = raisedByHeadroom && lastSet !== undefined && actual.value > lastSet;
  if (raisedByHeadroom && !setByHand) return undefined;
  const by = actual.changedBy ? ` by ${actual.changedBy}` : '';
  const now = display(target, actual.value);
  if (setByHand)
    return {
      value: actual.value,
      reason: `kept at ${now}: set by hand${by} above the ${display(target, lastSet)} Headroom set; ${holder ? 'not lowered while an intent holds' : 'Headroom lowers only what it raised'}`,
      manual: { value: actual.value, headroomSet: lastSet, by: actual.changedBy },
    };
  return {
    value: actual.value,
    reason: `kept at ${now}: not raised by Headroom${by}, which lowers only what it raised (to ${display(target, desired)} otherwise)`,
  };
}
