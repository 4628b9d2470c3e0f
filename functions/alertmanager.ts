import type { HttpEvent } from '../shared/triggers/http.ts';
import { lambdaHandler, serveHttp } from '../shared/triggers/lambda.ts';
import { LAMBDA_ROUTES } from '../shared/triggers/routes.ts';

const routes = { 'POST /alertmanager': LAMBDA_ROUTES['POST /alertmanager']! };

/** `POST /alertmanager`: Prometheus AlertManager webhook (payload version 4) behind the HTTP API. */
export const handler = lambdaHandler((event: HttpEvent, rt) => serveHttp(routes, event, rt));
