import { ActuatorError, type ActuatorErrorCode } from '../../domain/errors.ts';

interface AwsErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const BY_NAME: Record<string, ActuatorErrorCode> = {
  ResourceNotFoundException: 'not-found',
  NotFoundException: 'not-found',
  AccessDeniedException: 'forbidden',
  AccessDenied: 'forbidden',
  UnauthorizedOperation: 'forbidden',
  ExpiredTokenException: 'unauthorized',
  InvalidClientTokenId: 'unauthorized',
  UnrecognizedClientException: 'unauthorized',
  InvalidParameterException: 'invalid-request',
  InvalidRequestException: 'invalid-request',
  ValidationException: 'invalid-request',
  ResourceInUseException: 'invalid-state',
  ResourceLimitExceededException: 'quota-exceeded',
  ThrottlingException: 'throttled',
  TooManyRequestsException: 'throttled',
  Throttling: 'throttled',
  ServerException: 'unknown',
  ServiceUnavailableException: 'unknown',
};

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE']);

/**
 * An AWS SDK error as an ActuatorError: `action` is the IAM action that was called
 * (`eks:UpdateNodegroupConfig`) so a refusal names exactly what the role lacks.
 */
export function awsError(err: unknown, action: string, resource: string): ActuatorError {
  if (err instanceof ActuatorError) return err;
  const e = (err ?? {}) as AwsErrorLike;
  const name = e.name ?? 'Error';
  const message = e.message ?? String(err);
  const status = e.$metadata?.httpStatusCode;
  const mapped = BY_NAME[name];
  if (mapped === 'forbidden')
    return new ActuatorError(
      'forbidden',
      `${action} on ${resource} refused (${name}): the role needs IAM action ${action}: ${message}`,
      { cause: err },
    );
  if (mapped === 'unauthorized')
    return new ActuatorError(
      'unauthorized',
      `${action} on ${resource}: AWS credentials refused (${name}): ${message}`,
      { cause: err },
    );
  if (mapped)
    return new ActuatorError(mapped, `${action} on ${resource}: ${name}: ${message}`, { cause: err });
  if (
    status === undefined &&
    (NETWORK.has(e.code ?? '') ||
      name === 'TimeoutError' ||
      /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket hang up/.test(message))
  )
    return new ActuatorError('unreachable', `${action} on ${resource}: AWS API unreachable: ${message}`, {
      cause: err,
    });
  if (status !== undefined && status >= 500)
    return new ActuatorError('unknown', `${action} on ${resource}: ${name} (HTTP ${status}): ${message}`, {
      cause: err,
    });
  return new ActuatorError('unknown', `${action} on ${resource}: ${name}: ${message}`, { cause: err });
}
