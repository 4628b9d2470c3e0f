import { ActuatorError, type ActuatorErrorCode } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type { Target, TargetFailure } from '../domain/types.ts';
import { shortHash } from '../domain/units.ts';

/** The first retry of a retryable failure waits this long; each further attempt doubles it. */
export const BACKOFF_BASE_SECONDS = 30;
/** No retry waits longer than this. */
export const BACKOFF_CAP_SECONDS = 15 * 60;

/**
 * The wait before attempt `attempts + 1`: exponential, capped, with "equal jitter" (half the
 * delay fixed, half random) so many targets failing together do not retry in lockstep.
 */
export function backoffSeconds(attempts: number, random: () => number): number {
  const delay = Math.min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.max(0, attempts - 1));
  return delay / 2 + random() * (delay / 2);
}

/**
 * What stops a non-retryable failure from being tried again: the target's configuration and the
 * value the resource had. A change to either (a fixed RBAC rule shows up as a config deploy, a
 * recreated resource as another value) lets the step be tried once more.
 */
export function failureFingerprint(target: Target, actual: number): string {
  return shortHash(JSON.stringify({ target, actual }));
}

/** The failure record after one more failed attempt; `isNew` when it is not the one already recorded. */
export function recordFailure(
  previous: TargetFailure | undefined,
  err: unknown,
  message: string,
  ctx: { now: Date; target: Target; actual: number; random: () => number },
): { failure: TargetFailure; isNew: boolean } {
  const code: ActuatorErrorCode = err instanceof ActuatorError ? err.code : 'unknown';
  const retryable = err instanceof ActuatorError ? err.retryable : true;
  const isNew = !previous || previous.code !== code || previous.message !== message;
  const attempts = isNew ? 1 : previous.attempts + 1;
  const failure: TargetFailure = {
    code,
    message,
    retryable,
    since: isNew ? iso(ctx.now) : previous.since,
    attempts,
    lastAttemptAt: iso(ctx.now),
    ...(retryable
      ? { nextRetryAt: iso(ctx.now.getTime() + backoffSeconds(attempts, ctx.random) * 1000) }
      : { fingerprint: failureFingerprint(ctx.target, ctx.actual) }),
  };
  return { failure, isNew };
}

/** Why a step must not be tried now, or undefined when it may be. */
export function heldBack(
  failure: TargetFailure | undefined,
  ctx: { now: Date; target: Target; actual: number },
): string | undefined {
  if (!failure) return undefined;
  if (failure.retryable) {
    if (failure.nextRetryAt && ctx.now.getTime() < Date.parse(failure.nextRetryAt))
      return `backing off after ${failure.attempts} failed attempt(s) (${failure.code}: ${failure.message}); next retry at ${failure.nextRetryAt}`;
    return undefined;
  }
  if (failure.fingerprint === failureFingerprint(ctx.target, ctx.actual))
    return `blocked until the configuration or the resource changes (${failure.code}: ${failure.message})`;
  return undefined;
}
