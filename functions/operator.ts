import type { HttpEvent } from '../shared/triggers/http.ts';
import { lambdaHandler, serveHttp } from '../shared/triggers/lambda.ts';
import { OPERATOR_ROUTES } from '../shared/triggers/operator.ts';

/**
 * The operator API behind IAM-authenticated HTTP API routes: `headroom status|plan|campaign|
 * approve|reject|release|audit --api URL` (docs/operations.md). Each route answers 401 when API
 * Gateway did not authenticate the caller.
 */
export const handler = lambdaHandler((event: HttpEvent, rt) => serveHttp(OPERATOR_ROUTES, event, rt));
