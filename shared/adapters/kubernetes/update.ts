import { ActuatorError } from '../../domain/errors.ts';

interface Versioned {
  metadata?: { resourceVersion?: string };
}

export interface Decision<R> {
  /** The JSON merge patch of the fields Headroom owns; absent when nothing has to change. */
  patch?: Record<string, unknown>;
  /** What the caller reports (before/after...), decided from the same read. */
  result: R;
}

/** Attempts of one read-decide-patch cycle before a conflict is reported (the next reconcile retries). */
const ATTEMPTS = 4;

/**
 * Optimistic concurrency as Kubernetes controllers do it: read the object, decide the change
 * from what was read, and send it as a merge patch carrying the `resourceVersion` read, so a
 * write by someone else in between makes the API answer 409 instead of being overwritten. On
 * 409 the object is read again and the change decided again. Nothing is sent when nothing
 * changes.
 */
export async function patchWithRetry<T extends Versioned, R>(
  what: string,
  read: () => Promise<T>,
  decide: (current: T) => Decision<R>,
  patch: (body: Record<string, unknown>) => Promise<unknown>,
): Promise<R & { patched: boolean }> {
  for (let attempt = 1; ; attempt++) {
    const current = await read();
    const d = decide(current);
    if (!d.patch) return { ...d.result, patched: false };
    const meta = (d.patch.metadata ?? {}) as Record<string, unknown>;
    const body = { ...d.patch, metadata: { ...meta, resourceVersion: current.metadata?.resourceVersion } };
    try {
      await patch(body);
      return { ...d.result, patched: true };
    } catch (err) {
      if (!(err instanceof ActuatorError) || err.code !== 'conflict') throw err;
      if (attempt >= ATTEMPTS)
        throw new ActuatorError(
          'conflict',
          `${what}: still modified by someone else after ${ATTEMPTS} attempts (${err.message}); the next reconcile tries again`,
        );
    }
  }
}
