import { EKSClient } from '@aws-sdk/client-eks';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { Clock } from '../../ports/clock.ts';
import { assumedRole, awsClientConfig } from '../aws-clients.ts';
import { type CredentialSource, cachedCredentials } from './credentials.ts';

/** One EKS client per region and role for the life of the process (a Lambda cold start). */
const clients = new Map<string, EKSClient>();

export function eksClient(region: string | undefined, roleArn: string | undefined): EKSClient {
  const key = `${region ?? ''}|${roleArn ?? ''}`;
  let c = clients.get(key);
  if (!c) {
    c = new EKSClient(awsClientConfig({ region, roleArn }));
    clients.set(key, c);
  }
  return c;
}

const credentialSources = new Map<string, CredentialSource>();

/**
 * The credentials EKS tokens are signed with: the cluster's role assumed with STS when one is
 * named (cross-account), else the function's own (the default provider chain).
 */
export function tokenCredentials(
  region: string | undefined,
  roleArn: string | undefined,
  clock: Clock,
): CredentialSource {
  const key = `${region ?? ''}|${roleArn ?? ''}`;
  let s = credentialSources.get(key);
  if (!s) {
    s = cachedCredentials(roleArn ? assumedRole(roleArn, region) : fromNodeProviderChain(), clock);
    credentialSources.set(key, s);
  }
  return s;
}

/** The region of a cluster: configured, else the one the function runs in. */
export function regionOf(configured: string | undefined): string | undefined {
  return configured ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}
