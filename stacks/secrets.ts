import type { Config } from '../shared/config/types.ts';
import { LINK, slackUse } from './settings.ts';

/**
 * Secrets live encrypted in SST's state of each stage (`npx sst secret set <Name> <value>
 * --stage prod`) and reach only the functions linked to them, encrypted inside the function
 * package: never in environment variables, never in logs. A deploy without a value for a
 * secret the config needs stops with SST's message naming it.
 */
export function secrets(config: Config) {
  const slack = slackUse(config);
  return {
    /** The bearer token AlertManager sends (`Authorization: Bearer ...`). */
    webhookToken: new sst.Secret(LINK.WebhookToken),
    /** Opens the dashboard at the API's `/` (docs/operations.md): without it every request is a 401. */
    dashboardToken: new sst.Secret(LINK.DashboardToken),
    /** Verifies Slack's v0 signatures on commands and button clicks. */
    slackSigningSecret: slack.routes ? new sst.Secret(LINK.SlackSigningSecret) : undefined,
    /** Posts decisions and approval requests to `notifications.slack.channel`. */
    slackBotToken: slack.botToken ? new sst.Secret(LINK.SlackBotToken) : undefined,
  };
}
