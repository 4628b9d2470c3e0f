import { iso } from '../domain/time.ts';
import type { Actual, Direction, Intent, Step, Target, TargetState } from '../domain/types.ts';
import {
  clampToBounds,
  display,
  fieldOf,
  nextStep,
  shortHash,
  stepsBetween,
  stillToGo,
} from '../domain/units.ts';
import { kindOf } from '../kinds/index.ts';

/** Time between two staged changes: the cooldown, or the whole lead time where changes exclude each other. */
export function stageIntervalSeconds(target: Target): number {
  return kindOf(target).exclusive
    ? Math.max(target.cooldownSeconds, target.leadTimeSeconds)
    : target.cooldownSeconds;
}

/**
 * When an intent starts to count for a target: its `from` minus lead time, margin and staging,
 * and for a dependency the time its dependents need after it is ready.
 */
export function intentStart(target: Target, intent: Intent, baseline: number): number {
  const floor = clampToBounds(target, intent.floor);
  const stages = floor > baseline ? Math.max(0, stepsBetween(target, baseline, floor) - 1) : 0;
  const lead =
    target.leadTimeSeconds +
    target.marginSeconds +
    stages * stageIntervalSeconds(target) +
    (target.aheadOfDependentsSeconds ?? 0);
  return Date.parse(intent.from) - lead * 1000;
}

/** When an intent stops holding a target: its `until` plus the scale-down delay. */
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

/** The changes from `from` to `to`: the first at `at`, each next one a stage interval later. */
export function stagedSteps(
  target: Target,
  from: number,
  to: number,
  at: number,
  direction: Direction,
): Step[] {
  const steps: Step[] = [];
  let v = from;
  let when = at;
  while (stillToGo(from, to, v) && steps.length < 50) {
    const next = nextStep(target, v, to);
    steps.push(stepTo(target, v, next, when, direction));
    v = next;
    when += stageIntervalSeconds(target) * 1000;
  }
  return steps;
}

/** One change from `from` to `to` at `at`. */
export function stepTo(target: Target, from: number, to: number, at: number, direction: Direction): Step {
  return {
    id: stepId(target, direction, from, to),
    target: target.id,
    at: iso(at),
    direction,
    from,
    to,
    set: { [fieldOf(target)]: display(target, to) },
  };
}
