import { EKSClient } from '@aws-sdk/client-eks';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { ActuatorContext } from '../../ports/actuator.ts';
import { assumedRole, awsClientConfig } from '../aws-clients.ts';
import { type CredentialSource, cachedCredentials } from './credentials.ts';

interface Clients {
  eks: Map<string, EKSClient>;
  credentials: Map<string, CredentialSource>;
}

/** One set per runtime (one per Lambda cold start, one per `headroom dev`): built once, shared by targets. */
const perRuntime = new WeakMap<ActuatorContext, Clients>();

function clientsOf(ctx: ActuatorContext): Clients {
  let c = perRuntime.get(ctx);
  if (!c) {
    c = { eks: new Map(), credentials: new Map() };
    perRuntime.set(ctx, c);
  }
  return c;
}

/** The EKS client of a region and role. */
export function eksClient(
  ctx: ActuatorContext,
  region: string | undefined,
  roleArn: string | undefined,
): EKSClient {
  const all = clientsOf(ctx).eks;
  const key = `${region ?? ''}|${roleArn ?? ''}`;
  let c = all.get(key);
  if (!c) {
    // With a role, EKS calls and token signing share one assumed session (one AssumeRole).
    c = new EKSClient({
      ...awsClientConfig({ region, roleArn }),
      ...(roleArn ? { credentials: tokenCredentials(ctx, region, roleArn) } : {}),
    });
    all.set(key, c);
  }
  return c;
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
  const all = clientsOf(ctx).credentials;
  const key = `${region ?? ''}|${roleArn ?? ''}`;
  let s = all.get(key);
  if (!s) {
    s = cachedCredentials(roleArn ? assumedRole(roleArn, region) : fromNodeProviderChain(), ctx.clock);
    all.set(key, s);
  }
  return s;
}

/** The region of a cluster: configured, else the one the function runs in. */
export function regionOf(configured: string | undefined): string | undefined {
  return configured ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
}
