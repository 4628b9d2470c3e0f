import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * The shared settings of every AWS SDK client the actuators build: the target's region,
 * adaptive retry (client-side rate limiting on throttling, as AWS recommends for control-plane
 * APIs; attempts from `AWS_MAX_ATTEMPTS`, else the SDK's 3) and, when a role is named, credentials assumed with STS (cross-account targets).
 */
export interface AwsClientOptions {
  region?: string;
  /** Assumed with STS first; the session is cached and refreshed by the provider. */
  roleArn?: string;
}

export interface AwsClientConfig {
  region?: string;
  credentials?: AwsCredentialIdentityProvider;
  retryMode: 'adaptive';
}

const assumed = new Map<string, AwsCredentialIdentityProvider>();

/** One credential provider per role for the life of the process (a Lambda cold start). */
export function assumedRole(roleArn: string, region?: string): AwsCredentialIdentityProvider {
  let p = assumed.get(roleArn);
  if (!p) {
    p = fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: 'headroom', DurationSeconds: 3600 },
      clientConfig: region ? { region } : undefined,
    });
    assumed.set(roleArn, p);
  }
  return p;
}

export function awsClientConfig(o: AwsClientOptions): AwsClientConfig {
  return {
    ...(o.region ? { region: o.region } : {}),
    ...(o.roleArn ? { credentials: assumedRole(o.roleArn, o.region) } : {}),
    retryMode: 'adaptive',
  };
}
