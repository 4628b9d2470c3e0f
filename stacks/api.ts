import type { FunctionKey } from './settings.ts';

/**
 * The HTTP API of CONTRACTS.md: `POST /alertmanager` and `GET /healthz` (probes), the dashboard
 * (`GET /`, `/dashboard/...`, behind the `DashboardToken` secret), and `POST /slack/commands` and
 * `POST /slack/interactions` when the config uses Slack. Callers authenticate in the
 * functions (bearer token, Slack signature); the stage throttles a flood before it costs
 * invocations, and access logs keep who called what.
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
  if (fns.slack) {
    api.route('POST /slack/commands', fns.slack.arn);
    api.route('POST /slack/interactions', fns.slack.arn);
  }
  return api;
}
