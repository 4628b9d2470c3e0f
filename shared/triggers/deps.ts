import type { Brain } from '../app/brain.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';

/** Finishes a slow Slack command after the 3-second answer (in-process in dev, an async invocation in Lambda). */
export type Deferrer = (job: DeferredSlackJob) => Promise<void>;

/** What a slow Slack command needs to finish later and answer through `response_url`. */
export interface DeferredSlackJob {
  kind: 'slack-command' | 'slack-action';
  text: string;
  user: string;
  channel: string;
  responseUrl: string;
  /** The request's idempotency key, released when the job fails before its work (absent: none). */
  key?: string;
}

/** POSTs a Slack message to a `response_url` (fetch in production; a recorder in tests). */
export type Responder = (url: string, message: Record<string, unknown>) => Promise<void>;

/** Everything a trigger route needs; built once per cold start (Lambda) or per process (dev). */
export interface TriggerDeps {
  brain: Brain;
  clock: Clock;
  logger?: Logger;
  /** Bearer token AlertManager must send; undefined only in `dev`, where the route is then open. */
  webhookToken?: string;
  /** Slack signing secret; without it the Slack routes refuse everything with 401. */
  slackSigningSecret?: string;
  respond?: Responder;
  defer?: Deferrer;
  /** The dashboard's secret (`DashboardToken` deployed, `HEADROOM_DASHBOARD_TOKEN` in dev). */
  dashboardToken?: string;
  /** `headroom dev` only: without a token the dashboard is open to this machine (Host/Origin checks). */
  dashboardLocal?: boolean;
}

export const fetchResponder: Responder = async (url, message) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
  });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
};
