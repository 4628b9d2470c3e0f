import { PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import type { Logger } from '../../ports/logger.ts';
import type { Notification, NotificationKind, Notifier } from '../../ports/notifier.ts';

/** The `source` of every event Headroom publishes. */
export const HEADROOM_SOURCE = 'headroom';

const DETAIL_TYPES: Record<NotificationKind, string> = {
  'step-executed': 'Headroom Step Executed',
  'approval-requested': 'Headroom Approval Requested',
  blocked: 'Headroom Change Blocked',
  failure: 'Headroom Step Failed',
  campaign: 'Headroom Campaign Scheduled',
  'capacity-review': 'Headroom Capacity Review',
};

/** The detail-type a notification is published as (a cancelled campaign carries no campaign). */
export function detailTypeOf(n: Notification): string {
  if (n.kind === 'campaign' && !n.details?.campaign) return 'Headroom Campaign Cancelled';
  return DETAIL_TYPES[n.kind];
}

export interface EventBridgeSender {
  send(command: PutEventsCommand): Promise<PutEventsCommandOutput>;
}

/**
 * Publishes Headroom's decisions on an event bus so other systems can react. Like every
 * notifier it never throws: a failed publish is logged and the decision stands.
 */
export class EventBridgeNotifier implements Notifier {
  private readonly client: EventBridgeSender;
  private readonly busName: string;
  private readonly logger?: Logger;
  constructor(client: EventBridgeSender, opts: { busName: string; logger?: Logger }) {
    this.client = client;
    this.busName = opts.busName;
    this.logger = opts.logger;
  }

  async notify(n: Notification): Promise<void> {
    const detail = { text: n.text, target: n.target, stepId: n.stepId, kind: n.kind, ...(n.details ?? {}) };
    try {
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.busName,
              Source: HEADROOM_SOURCE,
              DetailType: detailTypeOf(n),
              Detail: JSON.stringify(detail),
              Resources: [],
            },
          ],
        }),
      );
      if (out.FailedEntryCount) {
        const e = out.Entries?.[0];
        this.logger?.error(`EventBridge refused the event: ${e?.ErrorCode} ${e?.ErrorMessage}`, {
          kind: n.kind,
        });
      }
    } catch (err) {
      this.logger?.error(`EventBridge publish failed: ${(err as Error).message}`, { kind: n.kind });
    }
  }
}

/** Sends each notification to every notifier; one failing does not stop the others. */
export class CompositeNotifier implements Notifier {
  private readonly notifiers: Notifier[];
  constructor(notifiers: Notifier[]) {
    this.notifiers = notifiers;
  }
  async notify(n: Notification): Promise<void> {
    await Promise.allSettled(this.notifiers.map((x) => x.notify(n)));
  }
}
