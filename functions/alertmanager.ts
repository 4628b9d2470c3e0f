import { DASHBOARD_ROUTES } from '../shared/http/dashboard/routes.ts';
import type { HttpEvent } from '../shared/triggers/http.ts';
import { lambdaHandler, serveHttp } from '../shared/triggers/lambda.ts';
import { LAMBDA_ROUTES } from '../shared/triggers/routes.ts';

const routes = {
  'POST /alertmanager': LAMBDA_ROUTES['POST /alertmanager']!,
  'GET /healthz': LAMBDA_ROUTES['GET /healthz']!,
  ...DASHBOARD_ROUTES,
};

/**
 * `POST /alertmanager`: Prometheus AlertManager webhook (payload version 4) behind the HTTP API;
 * also `GET /healthz`, which answers only once this function could load its config and wiring,
 * and the dashboard (`GET /`, `/dashboard/...`), which answers only with the `DashboardToken` secret.
 */
export const handler = lambdaHandler((event: HttpEvent, rt) => serveHttp(routes, event, rt));
