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

/**
 * The one way adapters keep SDK clients and credentials: per runtime (an actuator context,
 * a metric source), keyed by what makes them differ (service, region, role). A Lambda cold
 * start builds each once and shares it between targets; two runtimes in one process (tests,
 * `headroom dev` next to a CLI call) never share a client or a session.
 */
export class ClientCache {
  private readonly made = new Map<string, unknown>();

  get<C>(key: string, make: () => C): C {
    let c = this.made.get(key) as C | undefined;
    if (c === undefined) {
      c = make();
      this.made.set(key, c);
    }
    return c;
  }
}

const caches = new WeakMap<object, ClientCache>();

/** The cache of a runtime object (an ActuatorContext), made on first use. */
export function clientCache(runtime: object): ClientCache {
  let c = caches.get(runtime);
  if (!c) {
    c = new ClientCache();
    caches.set(runtime, c);
  }
  return c;
}

/** One credential provider per role and runtime: STS is called once, then on expiry. */
export function assumedRole(
  cache: ClientCache,
  roleArn: string,
  region?: string,
): AwsCredentialIdentityProvider {
  return cache.get(`sts|${roleArn}`, () =>
    fromTemporaryCredentials({
      params: { RoleArn: roleArn, RoleSessionName: 'headroom', DurationSeconds: 3600 },
      clientConfig: region ? { region } : undefined,
    }),
  );
}

export function awsClientConfig(cache: ClientCache, o: AwsClientOptions): AwsClientConfig {
  return {
    ...(o.region ? { region: o.region } : {}),
    ...(o.roleArn ? { credentials: assumedRole(cache, o.roleArn, o.region) } : {}),
    retryMode: 'adaptive',
  };
}
