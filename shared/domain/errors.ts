/** Base error of the brain; specific errors set `name` and keep their `cause`. */
export class HeadroomError extends Error {
  override name = 'HeadroomError';
}

/** A configuration problem list, each `path: message`. */
export class ConfigError extends HeadroomError {
  override name = 'ConfigError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
    this.problems = problems;
  }
}

/** Bad input from a user or a caller: becomes a 4xx or exit 1, never changes anything. */
export class InputError extends HeadroomError {
  override name = 'InputError';
}

/**
 * The same delivery (idempotency key) is being handled right now: nothing was done this time;
 * ask again later, when it is either done (a repeat does nothing) or its claim expired (a
 * repeat does the work). HTTP answers 503 with Retry-After; an event handler throws it so the
 * delivery is retried.
 */
export class InProgressError extends HeadroomError {
  override name = 'InProgressError';
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export type ActuatorErrorCode =
  | 'not-found'
  | 'forbidden'
  | 'unauthorized'
  | 'conflict'
  | 'invalid-state'
  | 'insufficient-capacity'
  | 'quota-exceeded'
  | 'throttled'
  | 'unreachable'
  | 'invalid-request'
  | 'unknown';

/** A cloud call failed; `code` maps the provider's error to what it means for us. */
export class ActuatorError extends HeadroomError {
  override name = 'ActuatorError';
  readonly code: ActuatorErrorCode;
  /** Whether the next reconcile may succeed where this one failed. */
  readonly retryable: boolean;
  constructor(code: ActuatorErrorCode, message: string, opts: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
    this.retryable =
      opts.retryable ??
      ['conflict', 'invalid-state', 'insufficient-capacity', 'throttled', 'unreachable', 'unknown'].includes(
        code,
      );
  }
}

/** One line for an error in a message or the audit: the actuator code when there is one. */
export function describeError(err: unknown): string {
  if (err instanceof ActuatorError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
