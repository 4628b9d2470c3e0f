import { InputError } from '../domain/errors.ts';
import { iso, parseInstant, parseWhen } from '../domain/time.ts';
import { type Clock, offsetClock, systemClock } from '../ports/clock.ts';

/**
 * The clock of the command line and `dev`: the system clock, or, when `HEADROOM_NOW` is set
 * (an ISO-8601 instant), a clock that starts there and runs in real time. It lets a team
 * rehearse a past or future campaign at its hour, and lets tests run the CLI on dates that do
 * not depend on today's.
 */
export function cliClock(env: NodeJS.ProcessEnv = process.env): Clock {
  const text = env.HEADROOM_NOW?.trim();
  if (!text) return systemClock;
  const at = parseInstant(text);
  if (at === undefined)
    throw new InputError(`HEADROOM_NOW: invalid time "${text}" (ISO-8601 with an offset, e.g. ${iso(0)})`);
  return offsetClock(at);
}

/** An option's time: `now`, `+2h`, `in 30m` or ISO-8601 (local times in the config's zone). */
export function optionTime(option: string, text: string, now: Date, tz: string): number {
  const at = parseWhen(text, now.getTime(), tz);
  if (at === undefined)
    throw new InputError(`${option}: invalid time "${text}" (ISO-8601, now, or a time from now such as +2h)`);
  return at;
}
