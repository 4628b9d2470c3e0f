export type NotificationKind =
  | 'step-executed'
  | 'approval-requested'
  | 'blocked'
  | 'failure'
  | 'campaign'
  | 'capacity-review';

export interface Notification {
  kind: NotificationKind;
  target?: string;
  stepId?: string;
  text: string;
  /** Structured facts (before/after, reason) for rich renderings (Slack blocks, events). */
  details?: Record<string, unknown>;
}

export interface Notifier {
  notify(n: Notification): Promise<void>;
}

export const nullNotifier: Notifier = { notify: async () => {} };

/** Keeps notifications in memory: for tests and `dev`. */
export class MemoryNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async notify(n: Notification): Promise<void> {
    this.sent.push(n);
  }
}
