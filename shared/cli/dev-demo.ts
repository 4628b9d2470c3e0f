import type { RawCampaign } from '../config/schema.ts';
import type { Config } from '../config/types.ts';
import { InputError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type { Clock } from '../ports/clock.ts';

/** The fastest `--speed`: one real second is at most an hour of the brain's time. */
export const MAX_SPEED = 3600;
/** `--demo` without `--speed`: a minute of real time is an hour of the brain's. */
export const DEMO_SPEED = 60;

export function parseSpeed(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 1 || n > MAX_SPEED)
    throw new InputError(`--speed: expected a number from 1 to ${MAX_SPEED}, got "${text}"`);
  return n;
}

/**
 * A clock that starts at `start` and runs `speed` times faster than real time: `dev --speed`
 * plays the brain's day (schedules, lead times, cooldowns, the simulated cloud) in minutes.
 */
export function speedClock(start: Clock, speed: number, realNow: () => number = Date.now): Clock {
  const from = start.now().getTime();
  const real0 = realNow();
  return { now: () => new Date(from + (realNow() - real0) * speed) };
}

/**
 * `dev --demo`: a campaign starting just after the longest lead time (with margin, and the time a
 * dependency starts ahead of its dependents) of its targets, so its staged steps begin at once and
 * the last ones run before it starts. It copies
 * the first configured campaign's targets and multiplier (else every target, x5) and lasts 30 min.
 */
export function demoCampaign(config: Config, now: Date): RawCampaign {
  const model = config.campaigns[0];
  const targets = model?.targets ?? config.targets.map((t) => t.id);
  const lead = Math.max(
    0,
    ...config.targets
      .filter((t) => targets.includes(t.id))
      .map((t) => t.leadTimeSeconds + t.marginSeconds + (t.aheadOfDependentsSeconds ?? 0)),
  );
  // Steps are staged a few minutes before their lead time (dependencies before their dependents);
  // 3 minutes more keeps them all ahead and the start within the first hour of `--speed 60`.
  const start = new Date(Math.ceil((now.getTime() + (lead + 180) * 1000) / 60_000) * 60_000);
  return {
    name: `demo-${iso(now).slice(11, 16).replace(':', '')}`,
    start: iso(start),
    duration: 1800,
    multiplier: model?.multiplier ?? 5,
    targets,
  };
}
