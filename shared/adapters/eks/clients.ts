import { EKSClient } from '@aws-sdk/client-eks';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { ActuatorContext } from '../../ports/actuator.ts';
import { assumedRole, awsClientConfig, clientCache } from '../aws-clients.ts';
import { type CredentialSource, cachedCredentials } from './credentials.ts';

/* Clients and credentials are cached per runtime (aws-clients.ts `clientCache`): one set per Lambda cold start, one per `headroom dev`. */

/** The EKS client of a region and role. */
export function eksClient(
  ctx: ActuatorContext,
  region: string | undefined,
  roleArn: string | undefined,
): EKSClient {
  const cache = clientCache(ctx);
  return cache.get(
    `eks|${region ?? ''}|${roleArn ?? ''}`,
    () =>
      // With a role, EKS calls and token signing share one assumed session (one AssumeRole).
      new EKSClient({
        ...awsClientConfig(cache, { region, roleArn }),
        ...(roleArn ? { credentials: tokenCredentials(ctx, region, roleArn) } : {}),
      }),
  );
}

/**
 * The credentials EKS tokens are signed with: the cluster's role assumed with STS when one is
 * named (cross-account), else the function's own (the default provider chain).
 */
export function tokenCredentials(
  ctx: ActuatorContext,
  region: string | undefined,
  roleArn: string | undefined,
): CredentialSource {
  const cache = clientCache(ctx);
  return cache.get(`token-credentials|${region ?? ''}|${roleArn ?? ''}`, () =>
    cachedCredentials(roleArn ? assumedRole(cache, roleArn, region) : fromNodeProviderChain(), ctx.clock),
  );
}

/** The region of a cluster: configured, else the one the function runs in. */
export function regionOf(configured: string | undefined): string | undefined {
  return configured ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}
