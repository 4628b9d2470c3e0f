export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests and simulations: time moves only when told to. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start: Date | string | number) {
    this.ms = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.ms);
  }
  set(t: Date | string | number): void {
    this.ms = new Date(t).getTime();
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * A clock that starts at a chosen instant and then runs at the pace of real time: `HEADROOM_NOW`
 * for the command line and `dev` (rehearsals, tests, reproducing an incident at its hour).
 */
export function offsetClock(start: Date | number, realNow: () => number = Date.now): Clock {
  const offset = new Date(start).getTime() - realNow();
  return { now: () => new Date(realNow() + offset) };
}
