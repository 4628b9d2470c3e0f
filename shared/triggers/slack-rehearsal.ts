import { escapeMrkdwn } from '../adapters/slack/blocks.ts';
import type { Brain } from '../app/brain.ts';
import { summaryLine, verdictLine } from '../app/rehearsal-report.ts';
import { rehearse } from '../app/rehearse.ts';
import { isReadFailure } from '../planner/plan.ts';

/**
 * `/headroom rehearse <campaign>`: the campaign played on a simulated clock from the actual
 * state the brain reads now (reads only: every change goes to the simulation), one verdict per
 * layer. The calendar includes campaigns added from Slack or the CLI.
 */
export async function slackRehearsal(brain: Brain, name: string, now: Date): Promise<string> {
  const actuals = await brain.readActuals();
  const initial: Record<string, number> = {};
  for (const [id, a] of Object.entries(actuals)) if (!isReadFailure(a)) initial[id] = a.value;
  const r = await rehearse({
    config: brain.config,
    campaign: name,
    now,
    calendar: await brain.campaigns(now),
    initial,
  });
  const unread = Object.entries(actuals)
    .filter(([, a]) => isReadFailure(a))
    .map(([id]) => id);
  return [
    `*Rehearsal of ${escapeMrkdwn(r.campaign.name)}* · ${escapeMrkdwn(summaryLine(r))}`,
    ...r.notes.map((n) => `_${escapeMrkdwn(n)}_`),
    ...(unread.length
      ? [`_not readable now, simulated from their baseline: ${escapeMrkdwn(unread.join(', '))}_`]
      : []),
    ...r.layers.map(
      (l) =>
        `• ${l.status === 'ready' ? ':white_check_mark:' : ':x:'} *${escapeMrkdwn(l.target)}* ${escapeMrkdwn(verdictLine(l))}`,
    ),
    `_simulated ${r.from} to ${r.until}; nothing was changed. \`headroom rehearse ${escapeMrkdwn(r.campaign.name)} --html FILE\` draws the timeline_`,
  ].join('\n');
}
