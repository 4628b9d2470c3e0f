import { WebClient } from '@slack/web-api';
import type { Logger } from '../../ports/logger.ts';
import type { Notification, Notifier } from '../../ports/notifier.ts';
import { escapeMrkdwn, notificationBlocks } from './blocks.ts';

/** The one Web API method the notifier needs: narrow, so tests can hand in a fake. */
export interface SlackPoster {
  chat: {
    postMessage(args: { channel: string; text: string; blocks?: unknown[] }): Promise<{ ok?: boolean }>;
  };
}

export interface SlackNotifierOptions {
  channel: string;
  logger?: Logger;
}

/** A Web API client that fails fast: a Lambda cannot wait out Slack's default retry schedule. */
export function slackClient(token: string, opts: { slackApiUrl?: string } = {}): WebClient {
  return new WebClient(token, {
    slackApiUrl: opts.slackApiUrl,
    retryConfig: { retries: 1, minTimeout: 100, maxTimeout: 500 },
    rejectRateLimitedCalls: true,
    timeout: 3000,
  });
}

/**
 * Posts every notification to the configured channel with `chat.postMessage`; approval
 * requests carry Approve / Reject buttons. A Slack outage is logged, never thrown: the step
 * it reports has already happened and must not be recorded as failed.
 */
export class SlackNotifier implements Notifier {
  private readonly client: SlackPoster;
  private readonly opts: SlackNotifierOptions;
  constructor(client: SlackPoster, opts: SlackNotifierOptions) {
    this.client = client;
    this.opts = opts;
  }

  async notify(n: Notification): Promise<void> {
    try {
      await this.client.chat.postMessage({
        channel: this.opts.channel,
        // The fallback text is formatted as mrkdwn too (notifications, screen readers).
        text: escapeMrkdwn(n.text),
        blocks: notificationBlocks(n),
      });
    } catch (err) {
      this.opts.logger?.error(`Slack notification failed: ${(err as Error).message}`, { kind: n.kind });
    }
  }
}
