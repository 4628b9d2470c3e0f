import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from '../../ports/clock.ts';

/** Credentials on demand; `forceRefresh` skips every cache (the API answered 401 with the old ones). */
export type CredentialSource = (opts?: { forceRefresh?: boolean }) => Promise<AwsCredentialIdentity>;

/** Fetched again this long before they expire, so a token signed with them outlives its use. */
const EARLY_REFRESH_MS = 5 * 60_000;

/**
 * Caches a provider's credentials until shortly before they expire (by the injected clock).
 * The SDK clients memoize providers themselves; the EKS token signer calls the provider
 * directly, and an unmemoized `fromTemporaryCredentials` would call STS AssumeRole each time.
 */
export function cachedCredentials(provider: AwsCredentialIdentityProvider, clock: Clock): CredentialSource {
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  return async (opts = {}) => {
    const now = clock.now().getTime();
    const fresh = cached && (!cached.expiration || cached.expiration.getTime() - EARLY_REFRESH_MS > now);
    if (fresh && !opts.forceRefresh) return cached!;
    pending ??= Promise.resolve(provider({ forceRefresh: opts.forceRefresh }))
      .then((c) => {
        cached = c;
        return c;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
