import { SlackNotifier, slackClient } from '../adapters/slack/notifier.ts';
import type { Config } from '../config/types.ts';
import type { Logger } from '../ports/logger.ts';
import type { Notification, Notifier } from '../ports/notifier.ts';

/** One line per notification, as the Slack channel would show it. */
export function notificationLine(n: Notification): string {
  const approve =
    n.kind === 'approval-requested' && n.stepId
      ? ` (headroom approve ${n.stepId} | headroom reject ${n.stepId})`
      : '';
  return `notify ${n.kind}${n.target ? ` ${n.target}` : ''}: ${n.text}${approve}`;
}

/**
 * The notifier of `headroom dev`: the Slack channel of `notifications.slack` when a bot token is
 * given (env `HEADROOM_SLACK_BOT_TOKEN`; `HEADROOM_SLACK_API_URL` for another Web API base), as
 * the deployed functions post; else the terminal. Either way what people see of a step is the
 * same text the deployed brain sends.
 */
export function devNotifier(
  config: Config,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): { notifier: Notifier; where: string } {
  const token = env.HEADROOM_SLACK_BOT_TOKEN?.trim();
  const channel = config.notifications.slack?.channel;
  if (token && channel) {
    const client = slackClient(token, { slackApiUrl: env.HEADROOM_SLACK_API_URL?.trim() || undefined });
    return { notifier: new SlackNotifier(client, { channel, logger }), where: `Slack channel ${channel}` };
  }
  const why = token
    ? ' (HEADROOM_SLACK_BOT_TOKEN is set but notifications.slack.channel is not)'
    : channel
      ? ` (set HEADROOM_SLACK_BOT_TOKEN to post to Slack channel ${channel})`
      : '';
  return {
    notifier: { notify: async (n) => logger.info(notificationLine(n)) },
    where: `the terminal${why}`,
  };
}
