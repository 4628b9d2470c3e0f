import { randomUUID } from 'node:crypto';
import type { ResponseMetadata } from '@smithy/types';
import type { Clock } from '../../shared/ports/clock.ts';

export const REGION = 'eu-central-1';
export const ACCOUNT = '123456789012';
export const MIN = 60_000;

/** `$metadata` as the SDK attaches it to answers and errors. */
export function metadata(httpStatusCode = 200): ResponseMetadata {
  return { httpStatusCode, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 };
}

export interface FakeCall {
  command: string;
  /** The command input as the SDK sent it. */
  input: Record<string, unknown>;
  at: number;
}

/**
 * What the RDS and ElastiCache fakes share: a clock-driven timeline (a status change is a
 * timer that fires once the injected clock passes it, on the next API call or `settle()`), a
 * log of every call, and failures injected per command (`throttle`, `failNext`).
 */
export class FakeApi {
  readonly clock: Clock;
  readonly calls: FakeCall[] = [];
  private timers: { at: number; run: () => void }[] = [];
  private failures: { command?: string; times: number; make: () => Error }[] = [];
  private hooks: { command: string; run: () => void }[] = [];
  private readonly throttling: () => Error;

  constructor(clock: Clock, throttling: () => Error) {
    this.clock = clock;
    this.throttling = throttling;
  }

  now(): number {
    return this.clock.now().getTime();
  }

  /** Runs `run` once the clock reaches `now + ms`. */
  later(ms: number, run: () => void): void {
    this.timers.push({ at: this.now() + ms, run });
  }

  /** Fires every timer that is due, oldest first (a timer may schedule the next one). */
  settle(): void {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.now()).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers.splice(this.timers.indexOf(due), 1);
      due.run();
    }
  }

  /** The next `times` calls (of `command`, or any) fail with the service's throttling error. */
  throttle(times = 1, command?: string): void {
    this.failures.push({ command, times, make: this.throttling });
  }

  /** The next `times` calls of `command` fail with `error`. */
  failNext(command: string, error: () => Error, times = 1): void {
    this.failures.push({ command, times, make: error });
  }

  /** Someone else acts just before the next `command` call reaches the service (a race). */
  beforeNext(command: string, run: () => void): void {
    this.hooks.push({ command, run });
  }

  callsOf(command: string): FakeCall[] {
    return this.calls.filter((c) => c.command === command);
  }

  /** Every mutating call (anything but Describe*, List*, Get*). */
  changes(): FakeCall[] {
    return this.calls.filter((c) => !/^(Describe|List|Get)/.test(c.command));
  }

  protected handle<T>(command: string, input: object, run: () => T): T {
    this.settle();
    const hook = this.hooks.find((h) => h.command === command);
    if (hook) {
      this.hooks.splice(this.hooks.indexOf(hook), 1);
      hook.run();
    }
    this.calls.push({ command, input: input as Record<string, unknown>, at: this.now() });
    const f = this.failures.find((x) => x.command === undefined || x.command === command);
    if (f) {
      f.times--;
      if (f.times <= 0) this.failures.splice(this.failures.indexOf(f), 1);
      throw f.make();
    }
    return run();
  }
}
