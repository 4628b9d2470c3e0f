import { iso } from '../domain/time.ts';
import type { Actual, Direction, Intent, Step, Target, TargetState } from '../domain/types.ts';
import { display, fieldOf, shortHash } from '../domain/units.ts';
import { kindOf } from '../kinds/index.ts';

/**
 * Ceilings (docs/ceilings.md): upper bounds over a window, the inverse of floors. A ceiling wins
 * over every floor (a nightly 0 on staging holds whatever asks for more), except a campaign
 * floor on a ceiling that yields to campaigns; each conflict is said in the plan's reasons.
 */

/** How a target takes a ceiling, from its kind; undefined when its kind takes none. */
export interface CeilingField {
  field: string;
  minimum: number;
  lowersFloor: boolean;
  /** The ceiling caps another field than the steered one (an HPA's maxReplicas). */
  separate: boolean;
}

export function ceilingField(target: Target): CeilingField | undefined {
  const c = kindOf(target).ceiling;
  if (!c || target.scale !== 'count') return undefined;
  const field = c.field(target.spec);
  return {
    field,
    minimum: c.minimum(target.spec),
    lowersFloor: c.lowersFloor(target.spec),
    separate: field !== fieldOf(target),
  };
}

export function isCeiling(i: Intent): boolean {
  return i.ceiling !== undefined;
}

/** A ceiling lifts a lead time (and margin) before `until`: the capacity is back by then. */
export function ceilingEnd(target: Target, i: Intent): number {
  return Date.parse(i.until) - (target.leadTimeSeconds + target.marginSeconds) * 1000;
}

/** What a ceiling does to one target's decision. */
export interface CeilingEffect {
  /** The value to steer to once the ceiling is applied. */
  desired: number;
  /** Set on the step: the ceiling to apply (a number), or lift (null); undefined: no ceiling change. */
  step?: number | null;
  /** Direction of a change of the ceiling alone (the steered value does not move). */
  direction?: Direction;
  /** A ceiling that lowers the steered value holds now: a floor due later cannot be shown as the next step. */
  holds?: boolean;
  reasons: string[];
}

/**
 * Applies the ceilings of one target to the value the floors ask for: the lowest live ceiling
 * caps it; with none live, a ceiling Headroom applied is lifted (the value goes back to the
 * `original` the executor recorded when the ceiling came down).
 */
export function applyCeilings(
  target: Target,
  actual: Actual,
  ts: TargetState | undefined,
  wanted: number,
  ceilings: Intent[],
  floors: Intent[],
  t: number,
): CeilingEffect {
  const cf = ceilingField(target);
  if (!cf) return { desired: wanted, reasons: [] };
  const reasons: string[] = [];
  const campaign = floors.find((f) => f.campaign !== undefined);
  let hold: Intent | undefined;
  for (const c of ceilings) {
    if (Date.parse(c.from) > t || t >= ceilingEnd(target, c)) continue;
    if (c.yieldsToCampaigns && campaign) {
      reasons.push(`${c.reason}: lifted while campaign ${campaign.campaign} holds (yieldToCampaigns)`);
      continue;
    }
    if (!hold || c.ceiling! < hold.ceiling!) hold = c;
  }
  if (!hold) {
    const next = ceilings
      .filter((c) => Date.parse(c.from) > t)
      .sort((a, b) => Date.parse(a.from) - Date.parse(b.from))[0];
    if (next) reasons.push(`next ceiling ${next.ceiling} from ${next.from} (${next.reason})`);
    return lift(cf, actual, ts, wanted, reasons);
  }
  const cap = hold.ceiling!;
  reasons.push(`${hold.reason}: ceiling ${cap} until ${iso(ceilingEnd(target, hold))}`);
  if (wanted > cap && floors.some((f) => f.floor > cap))
    reasons.push(
      `the ceiling wins over the floor ${wanted} asked for (a schedule with yieldToCampaigns lets campaigns through)`,
    );
  const desired = cf.lowersFloor ? Math.min(wanted, cap) : wanted;
  const holds = cf.lowersFloor;
  if (!cf.separate)
    return {
      desired,
      step: actual.value > cap && desired !== actual.value ? cap : undefined,
      holds,
      reasons,
    };
  if (actual.ceiling === cap) return { desired, holds, reasons };
  const lowering = actual.ceiling === undefined || cap < actual.ceiling;
  return { desired, step: cap, direction: lowering ? 'down' : 'up', holds, reasons };
}

/** No ceiling holds: one Headroom applied comes off. */
function lift(
  cf: CeilingField,
  actual: Actual,
  ts: TargetState | undefined,
  wanted: number,
  reasons: string[],
): CeilingEffect {
  if (cf.separate) {
    if (actual.ceiling === undefined) return { desired: wanted, reasons };
    reasons.push(`ceiling ${actual.ceiling} on ${cf.field} lifted: the value it replaced is restored`);
    return { desired: wanted, step: null, direction: 'up', reasons };
  }
  if (!ts?.ceiling || wanted === actual.value) return { desired: wanted, reasons };
  reasons.push(`ceiling ${ts.ceiling.value} (since ${ts.ceiling.since}) lifted: back to ${wanted}`);
  return { desired: wanted, step: null, reasons };
}

/** A ceiling change is one step, however far it moves: the window starts (and ends) at once. */
export function ceilingStep(
  target: Target,
  from: number,
  to: number,
  at: number,
  direction: Direction,
  ceiling: number | null,
): Step {
  const cf = ceilingField(target)!;
  const set: Step['set'] = { [fieldOf(target)]: display(target, to) };
  if (cf.separate) set[cf.field] = ceiling ?? 'restored';
  return {
    id: `${target.id}-${shortHash(`${target.id}|ceiling|${direction}|${from}|${to}|${ceiling}`)}`,
    target: target.id,
    at: iso(at),
    direction,
    from,
    to,
    set,
    ceiling,
  };
}

/** The ceiling of a step is in force on what was read (always, for a ceiling on the steered field). */
export function ceilingMatches(target: Target, actual: Actual, ceiling: number | null | undefined): boolean {
  if (ceiling === undefined || !ceilingField(target)?.separate) return true;
  return (actual.ceiling ?? null) === ceiling;
}
