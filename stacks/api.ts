import { type FunctionKey, OPERATOR_ROUTE_KEYS } from './settings.ts';

/**
 * The HTTP API of CONTRACTS.md: `POST /alertmanager` and `GET /healthz` (probes), the dashboard
 * (`GET /`, `/dashboard/...`, behind the `DashboardToken` secret), `POST /slack/commands` and
 * `POST /slack/interactions` when the config uses Slack, and the operator routes `/api/...`
 * behind IAM auth. Callers authenticate in the functions (bearer token, Slack signature) or
 * with SigV4; the stage throttles a flood before it costs invocations, and access logs keep who
 * called what.
 */
export function httpApi(fns: Partial<Record<FunctionKey, sst.aws.Function>>) {
  const api = new sst.aws.ApiGatewayV2('Api', {
    cors: false,
    accessLog: { retention: '3 months' },
    transform: {
      stage: (args) => {
        args.defaultRouteSettings = { throttlingBurstLimit: 100, throttlingRateLimit: 50 };
      },
    },
  });
  if (fns.alertmanager) {
    api.route('POST /alertmanager', fns.alertmanager.arn);
    api.route('GET /healthz', fns.alertmanager.arn);
    // The dashboard: the function refuses every request without the DashboardToken secret.
    api.route('GET /', fns.alertmanager.arn);
    api.route('GET /dashboard/{file}', fns.alertmanager.arn);
    api.route('POST /dashboard/{action}', fns.alertmanager.arn);
  }
  if (fns.operator) {
    // The operator API (`headroom ... --api URL`): API Gateway verifies the SigV4 signature and
    // the caller's execute-api:Invoke permission; the function refuses a request without it.
    for (const route of OPERATOR_ROUTE_KEYS) api.route(route, fns.operator.arn, { auth: { iam: true } });
  }
  if (fns.slack) {
    api.route('POST /slack/commands', fns.slack.arn);
    api.route('POST /slack/interactions', fns.slack.arn);
  }
  return api;
}
