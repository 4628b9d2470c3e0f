import { ActuatorError } from '../../domain/errors.ts';

/** What a call does, in RBAC terms: a refusal names the exact rule that is missing. */
export interface Access {
  verb: 'get' | 'patch' | 'create';
  /** API group: `apps`, `autoscaling`, `keda.sh`, `karpenter.sh`, `scheduling.k8s.io`. */
  group: string;
  /** Plural resource, with the subresource when there is one: `deployments/scale`. */
  resource: string;
  /** Absent for cluster-scoped resources (NodePools, PriorityClasses). */
  namespace?: string;
  name: string;
}

/** The `Status` object the API server answers errors with. */
interface Status {
  kind?: string;
  reason?: string;
  message?: string;
  code?: number;
}

export function describeAccess(a: Access): string {
  const kind = a.group ? `${a.resource}.${a.group}` : a.resource;
  return `${a.verb} ${kind} "${a.name}"${a.namespace ? ` in namespace ${a.namespace}` : ''}`;
}

/** The RBAC rule that allows `a`, as a user writes it in a Role. */
export function missingRule(a: Access): string {
  const scope = a.namespace ? `a Role or RoleBinding in namespace ${a.namespace}` : 'a ClusterRole';
  return `{apiGroups: ["${a.group}"], resources: ["${a.resource}"], verbs: ["${a.verb}"]} in ${scope}`;
}

function statusOf(body: unknown): Status | undefined {
  if (typeof body === 'string') {
    try {
      return statusOf(JSON.parse(body));
    } catch {
      return body ? { message: body.slice(0, 300) } : undefined;
    }
  }
  if (body && typeof body === 'object') return body as Status;
  return undefined;
}

/** The client's `ApiException` (an HTTP answer with a status), recognised without loading the client. */
interface ApiFailure {
  code: number;
  body: unknown;
}

function isApiFailure(err: unknown): err is ApiFailure {
  return (
    err instanceof Error &&
    typeof (err as Partial<ApiFailure>).code === 'number' &&
    'body' in err &&
    'headers' in err
  );
}

export function httpStatus(err: unknown): number | undefined {
  return isApiFailure(err) ? err.code : undefined;
}

/**
 * A failed Kubernetes call as an ActuatorError with a message an operator can act on. The
 * message never carries request headers (the bearer token) nor the client's raw dump.
 */
export function kubeError(err: unknown, a: Access, cluster: string): ActuatorError {
  if (err instanceof ActuatorError) return err;
  const what = `${describeAccess(a)} (cluster ${cluster})`;
  if (isApiFailure(err)) {
    const s = statusOf(err.body);
    const said = s?.message ? `: ${s.message}` : '';
    switch (err.code) {
      case 401:
        return new ActuatorError(
          'unauthorized',
          `${what}: the API server refused the credentials (401 Unauthorized), also after a refresh`,
        );
      case 403:
        // Admission webhooks (KEDA's, Kyverno, Gatekeeper) deny with 403 too: that is not RBAC.
        if (/admission webhook/.test(s?.message ?? ''))
          return new ActuatorError('invalid-request', `${what}: refused by an admission webhook${said}`, {
            retryable: false,
          });
        return new ActuatorError(
          'forbidden',
          `${what} is forbidden: grant the Headroom group the RBAC rule ${missingRule(a)} (see deploy/kubernetes/)${said}`,
        );
      case 404:
        return new ActuatorError('not-found', `${what}: not found${said}`);
      case 409:
        return new ActuatorError('conflict', `${what}: conflict${said}`);
      case 400:
      case 415:
      case 422:
        return new ActuatorError(
          'invalid-request',
          `${what}: rejected (${err.code} ${s?.reason ?? ''})${said}`,
        );
      case 429:
        return new ActuatorError('throttled', `${what}: throttled by the API server${said}`);
      default:
        if (err.code >= 500)
          return new ActuatorError('unknown', `${what}: API server error ${err.code}${said}`, {
            retryable: true,
          });
        return new ActuatorError('unknown', `${what}: HTTP ${err.code}${said}`);
    }
  }
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const detail = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return new ActuatorError('unreachable', `${what}: the API server did not answer in time (${detail})`);
  if (e.name === 'TypeError' && /fetch failed/.test(e.message ?? ''))
    return new ActuatorError('unreachable', `${what}: API server unreachable (${detail})`);
  return new ActuatorError('unknown', `${what}: ${e.message ?? String(err)}`);
}

/** One line for details and notes: `forbidden: ...`. */
export function errorText(err: unknown): string {
  if (err instanceof ActuatorError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
