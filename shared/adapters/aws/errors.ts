import { ActuatorError, type ActuatorErrorCode } from '../../domain/errors.ts';

/**
 * AWS error names mapped to what they mean for a target, for every service Headroom calls (RDS,
 * ElastiCache, EKS, CloudWatch): the one mapper of AWS SDK errors. The SDK names modelled errors
 * after their class (`DBInstanceNotFoundFault`, `ResourceNotFoundException`) and unmodelled ones
 * after the wire code (`Throttling`, `InvalidParameterCombination`); both are matched without the
 * `Fault` / `Exception` suffix, so `InvalidDBInstanceState` and `InvalidDBInstanceStateFault` are
 * one. Whether a code is retryable is ActuatorError's rule (domain/errors.ts), which the
 * executor's failure policy reads: busy, capacity, throttling, network and server errors are
 * retried with backoff; not found, refused and invalid requests wait for a config change.
 */
const CODES: Record<string, ActuatorErrorCode> = {
  // Not found: the identifier or region in the config is wrong, or the resource is gone.
  DBInstanceNotFound: 'not-found',
  DBClusterNotFound: 'not-found',
  DBParameterGroupNotFound: 'not-found',
  ReplicationGroupNotFound: 'not-found',
  CacheClusterNotFound: 'not-found',
  NodeGroupNotFound: 'not-found',
  ServerlessCacheNotFound: 'not-found',
  BlueGreenDeploymentNotFound: 'not-found',
  // EKS (and other JSON-protocol services): `ResourceNotFoundException`, `NotFoundException`.
  ResourceNotFound: 'not-found',
  NotFound: 'not-found',
  // Busy: another change is under way; the next reconcile tries again.
  InvalidDBInstanceState: 'invalid-state',
  InvalidDBClusterState: 'invalid-state',
  DBInstanceNotReady: 'invalid-state',
  InvalidReplicationGroupState: 'invalid-state',
  InvalidCacheClusterState: 'invalid-state',
  InvalidServerlessCacheState: 'invalid-state',
  InvalidBlueGreenDeploymentState: 'invalid-state',
  ResourceInUse: 'invalid-state',
  InvalidState: 'invalid-state',
  ResourcePropagationDelay: 'invalid-state',
  // Auto Scaling: instances are launching or terminating, or another call changes the group.
  ScalingActivityInProgress: 'invalid-state',
  ResourceContention: 'invalid-state',
  InstanceRefreshInProgress: 'invalid-state',
  // A replica Headroom is creating already exists (a concurrent reconcile, a lost answer).
  DBInstanceAlreadyExists: 'conflict',
  BlueGreenDeploymentAlreadyExists: 'conflict',
  // AWS has no capacity for this class / node type in the zone now.
  InsufficientDBInstanceCapacity: 'insufficient-capacity',
  InsufficientDBClusterCapacity: 'insufficient-capacity',
  InsufficientStorageClusterCapacity: 'insufficient-capacity',
  InsufficientCacheClusterCapacity: 'insufficient-capacity',
  InsufficientAvailableIPsInSubnet: 'insufficient-capacity',
  UnsupportedAvailabilityZone: 'insufficient-capacity',
  // Account or resource quotas.
  InstanceQuotaExceeded: 'quota-exceeded',
  StorageQuotaExceeded: 'quota-exceeded',
  DBClusterQuotaExceeded: 'quota-exceeded',
  NodeQuotaForClusterExceeded: 'quota-exceeded',
  NodeQuotaForCustomerExceeded: 'quota-exceeded',
  NodeGroupsPerReplicationGroupQuotaExceeded: 'quota-exceeded',
  ClusterQuotaForCustomerExceeded: 'quota-exceeded',
  ServerlessCacheQuotaForCustomerExceeded: 'quota-exceeded',
  ResourceLimitExceeded: 'quota-exceeded',
  LimitExceeded: 'quota-exceeded',
  // Throttling: the SDK retries these with adaptive backoff first.
  Throttling: 'throttled',
  ThrottlingException: 'throttled',
  RequestLimitExceeded: 'throttled',
  TooManyRequestsException: 'throttled',
  APICallRateForCustomerExceeded: 'throttled',
  // Credentials and permissions.
  AccessDenied: 'forbidden',
  AccessDeniedException: 'forbidden',
  UnauthorizedOperation: 'forbidden',
  ExpiredToken: 'unauthorized',
  ExpiredTokenException: 'unauthorized',
  InvalidClientTokenId: 'unauthorized',
  UnrecognizedClientException: 'unauthorized',
  InvalidCredentials: 'unauthorized',
  SignatureDoesNotMatch: 'unauthorized',
  // The request itself is wrong for this resource: retrying will not help.
  InvalidParameterValue: 'invalid-request',
  InvalidParameterCombination: 'invalid-request',
  SourceDatabaseNotSupported: 'invalid-request',
  StorageTypeNotSupported: 'invalid-request',
  InvalidVPCNetworkState: 'invalid-request',
  InvalidSubnet: 'invalid-request',
  KMSKeyNotAccessible: 'invalid-request',
  ProvisionedIopsNotAvailableInAZ: 'invalid-request',
  InvalidParameter: 'invalid-request',
  InvalidRequest: 'invalid-request',
  BadRequest: 'invalid-request',
  Validation: 'invalid-request',
  ValidationError: 'invalid-request',
  // The service failed on its side: retried on the next reconcile.
  Server: 'unknown',
  ServiceUnavailable: 'unknown',
  InternalFailure: 'unknown',
};

const HINTS: Partial<Record<ActuatorErrorCode, string>> = {
  'not-found': 'check the identifier and region in the config',
  'invalid-state': 'another change is under way; retried on the next reconcile',
  conflict: 'retried on the next reconcile',
  'insufficient-capacity': 'AWS has no capacity for it in that zone now; retried on the next reconcile',
  'quota-exceeded': 'raise the service quota or lower the bounds',
  throttled: 'the API kept throttling after adaptive retries; retried on the next reconcile',
  forbidden: 'the Headroom role lacks this permission (docs/data-tier.md lists what it needs)',
  unauthorized: 'the credentials are invalid or expired',
  unreachable: 'the AWS API could not be reached; retried on the next reconcile',
};

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'TimeoutError',
]);

/** `DBInstanceNotFoundFault` -> `DBInstanceNotFound`. */
export function baseName(name: string): string {
  return name.replace(/(Fault|Exception)$/, '');
}

export function awsErrorName(err: unknown): string {
  if (!(err instanceof Error)) return 'Error';
  const code = (err as { Code?: unknown }).Code;
  return typeof code === 'string' && code ? code : err.name;
}

export function codeOf(err: unknown): ActuatorErrorCode {
  const name = awsErrorName(err);
  const known = CODES[name] ?? CODES[baseName(name)];
  if (known) return known;
  const e = err as {
    $retryable?: { throttling?: boolean };
    $metadata?: { httpStatusCode?: number };
    code?: string;
    message?: unknown;
  };
  if (e?.$retryable?.throttling || e?.$metadata?.httpStatusCode === 429) return 'throttled';
  if (e?.$metadata?.httpStatusCode === undefined) {
    if (NETWORK.has(name) || (e?.code && NETWORK.has(e.code))) return 'unreachable';
    if (typeof e?.message === 'string' && /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket hang up/.test(e.message))
      return 'unreachable';
  }
  // Anything else (a 5xx included) is 'unknown': retried with backoff.
  return 'unknown';
}

/** True when `err` is the AWS error `name` (with or without its Fault/Exception suffix). */
export function isAwsError(err: unknown, name: string): boolean {
  return err instanceof Error && baseName(awsErrorName(err)) === baseName(name);
}

/**
 * An AWS failure as an ActuatorError that says what was being done, what AWS answered and
 * what happens next: `ModifyDBInstance kaireon-prod: InvalidDBInstanceState: Database instance
 * is not in available state. (another change is under way; retried on the next reconcile)`.
 * With `action` (the IAM action called, `eks:UpdateNodegroupConfig`), a refusal names exactly
 * what the role lacks.
 */
export function toActuatorError(what: string, err: unknown, action?: string): ActuatorError {
  if (err instanceof ActuatorError) return err;
  const code = codeOf(err);
  const name = awsErrorName(err);
  const message = err instanceof Error ? err.message : String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const hint =
    code === 'forbidden' && action
      ? `the role needs IAM action ${action}`
      : code === 'unknown' && status !== undefined && status >= 500
        ? `HTTP ${status}; retried on the next reconcile`
        : HINTS[code];
  return new ActuatorError(code, `${what}: ${name}: ${message}${hint ? ` (${hint})` : ''}`, { cause: err });
}

/** Runs one AWS call; any failure becomes an ActuatorError naming the call (and its IAM action). */
export async function call<T>(what: string, fn: () => Promise<T>, action?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toActuatorError(what, err, action);
  }
}
