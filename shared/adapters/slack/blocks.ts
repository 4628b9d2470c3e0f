import type { Notification } from '../../ports/notifier.ts';

/** `action_id`s of the approval buttons; the interactivity route dispatches on them. */
export const APPROVE_ACTION = 'headroom_approve';
export const REJECT_ACTION = 'headroom_reject';

/** Slack mrkdwn needs `&`, `<` and `>` escaped; everything else is shown as written. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const EMOJI: Record<Notification['kind'], string> = {
  'step-executed': ':white_check_mark:',
  'approval-requested': ':raised_hand:',
  blocked: ':no_entry:',
  failure: ':x:',
  campaign: ':calendar:',
  'capacity-review': ':chart_with_upwards_trend:',
};

/**
 * Block Kit for one notification. An approval request gets Approve / Reject buttons whose
 * `value` is the step id, so a click names exactly the pending change it decides.
 */
export function notificationBlocks(n: Notification): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${EMOJI[n.kind]} ${escapeMrkdwn(n.text)}` } },
  ];
  const facts = [
    n.target ? `target *${escapeMrkdwn(n.target)}*` : '',
    n.stepId ? `step \`${escapeMrkdwn(n.stepId)}\`` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  if (facts) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: facts }] });
  if (n.kind === 'approval-requested' && n.stepId) {
    blocks.push({
      type: 'actions',
      block_id: `approval:${n.stepId}`.slice(0, 255),
      elements: [
        {
          type: 'button',
          action_id: APPROVE_ACTION,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve' },
          value: n.stepId,
          confirm: {
            title: { type: 'plain_text', text: 'Approve this change?' },
            text: { type: 'mrkdwn', text: escapeMrkdwn(n.text).slice(0, 300) },
            confirm: { type: 'plain_text', text: 'Approve' },
            deny: { type: 'plain_text', text: 'Cancel' },
          },
        },
        {
          type: 'button',
          action_id: REJECT_ACTION,
          style: 'danger',
          text: { type: 'plain_text', text: 'Reject' },
          value: n.stepId,
        },
      ],
    });
  }
  return blocks;
}
