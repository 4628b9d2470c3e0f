import { createHash } from 'node:crypto';
import * as z from 'zod';
import { APPROVE_ACTION, escapeMrkdwn, REJECT_ACTION } from '../adapters/slack/blocks.ts';
import type { Brain, ReconcileResult } from '../app/brain.ts';
import { defaultCampaignTargets } from '../campaigns/campaigns.ts';
import type { SlackAccess } from '../config/types.ts';
import { formatDuration } from '../domain/duration.ts';
import { InputError } from '../domain/errors.ts';
import { parseInstant, parseWhen } from '../domain/time.ts';
import { formatPlanTable } from '../planner/format.ts';
import type { DeferredSlackJob, TriggerDeps } from './deps.ts';
import { fetchResponder } from './deps.ts';
import {
  describeZodError,
  HttpError,
  type HttpEvent,
  type HttpResult,
  header,
  json,
  rawBody,
  refusal,
  requireMediaType,
} from './http.ts';
import { parseSlackCommand, SLACK_HELP, type SlackCommand } from './slack-grammar.ts';
import { slackRehearsal } from './slack-rehearsal.ts';
import { verifySlackRequest } from './slack-signature.ts';

/** What each /headroom command does, once its request is verified and its access checked. */

export type SlackMessage = Record<string, unknown> & { text: string };

export const ephemeral = (text: string): SlackMessage => ({ response_type: 'ephemeral', text });

/** Who may do what, from `access.slack`; without that section nobody may use Slack. */
export function checkAccess(
  access: SlackAccess | undefined,
  user: string,
  channel: string,
  cmd: SlackCommand | 'decide',
): void {
  if (!access) throw new InputError('Slack access is not configured (access.slack in headroom.yaml)');
  const approver = access.approvers.includes(user);
  // Buttons live in the notification channel; for them the approver list is the gate.
  if (cmd !== 'decide' && access.channels.length > 0 && !access.channels.includes(channel))
    throw new InputError('Headroom does not take commands in this channel');
  if (!approver && !access.allowedUsers.includes(user))
    throw new InputError('you are not allowed to use /headroom');
  const deciding = cmd === 'decide' || cmd.verb === 'approve' || cmd.verb === 'reject';
  if (deciding && !approver) throw new InputError('you are not an approver');
}

/** Commands that only read the store answer at once; anything that reads the cloud or acts is deferred. */
export function isQuick(cmd: SlackCommand): boolean {
  return cmd.verb === 'help' || cmd.verb === 'campaign-list';
}

/** Checks a command against the configuration before it is deferred, so typos answer at once. */
export function validate(brain: Brain, cmd: SlackCommand): void {
  if ('target' in cmd && cmd.target !== undefined) brain.target(cmd.target);
  if (cmd.verb === 'campaign-add') {
    for (const t of cmd.targets ?? []) brain.target(t);
    if (parseWhen(cmd.start, 0, brain.config.timezone) === undefined)
      throw new InputError(
        `start: invalid time "${cmd.start}" (ISO-8601, now, +2h or in 30m; without an offset: ${brain.config.timezone})`,
      );
  }
  if (
    cmd.verb === 'plan' &&
    cmd.at !== undefined &&
    parseInstant(cmd.at, brain.config.timezone) === undefined
  )
    throw new InputError(`plan: invalid time "${cmd.at}" (ISO-8601, e.g. 2026-11-27T19:30:00Z)`);
}

/**
 * Reconciles after a change was recorded. A failure is reported, not thrown: the change is done
 * (the next tick applies it) and a rerun of the command must not record it twice.
 */
async function reconcileAfter(brain: Brain, trigger: string, only?: string): Promise<string[]> {
  try {
    return outcomeLines(await brain.reconcile(trigger), only);
  } catch (err) {
    return [
      `:warning: recorded, but applying it failed: ${escapeMrkdwn((err as Error).message)} (the next reconcile tries again)`,
    ];
  }
}

function outcomeLines(r: ReconcileResult, only?: string): string[] {
  return r.results
    .filter((x) => !only || x.target === only)
    .map(
      (x) =>
        `• ${x.target}: step \`${x.stepId}\` ${x.outcome}${x.message ? ` (${escapeMrkdwn(x.message)})` : ''}`,
    );
}

async function status(brain: Brain, target?: string): Promise<string> {
  const s = await brain.snapshot();
  const lines = s.targets
    .filter((t) => !target || t.id === target)
    .map(
      (t) =>
        `• *${t.id}* (${t.kind}): actual ${t.actual ?? '?'}, desired ${t.desired ?? '?'}, ${t.decision}${t.reasons[0] ? ` · ${escapeMrkdwn(t.reasons[0])}` : ''}`,
    );
  const intents = s.intents
    .filter((i) => (!target || i.target === target) && Date.parse(i.until) > Date.parse(s.at))
    .map((i) => `• ${i.target} \`${escapeMrkdwn(i.id)}\`: ${escapeMrkdwn(i.reason)} (until ${i.until})`);
  return [
    `*Headroom at ${s.at}*${s.paused ? ` · paused by ${escapeMrkdwn(s.paused.by)}` : ''}`,
    ...lines,
    intents.length ? '*Active intents*' : '',
    ...intents,
  ]
    .filter(Boolean)
    .join('\n');
}

/** Runs one command for a Slack user; the answer is a Slack message. `InputError`s are answers too. */
export async function runSlackCommand(
  brain: Brain,
  cmd: SlackCommand,
  user: string,
  now: () => Date = () => new Date(),
): Promise<SlackMessage> {
  const actor = `slack:${user}`;
  switch (cmd.verb) {
    case 'help':
      return ephemeral(escapeMrkdwn(SLACK_HELP));
    case 'status':
      return ephemeral(await status(brain, cmd.target));
    case 'plan': {
      const at = cmd.at !== undefined ? parseInstant(cmd.at, brain.config.timezone) : undefined;
      const p = await brain.plan(at !== undefined ? new Date(at) : undefined);
      return ephemeral('```\n' + escapeMrkdwn(formatPlanTable(p)) + '\n```');
    }
    case 'scale': {
      // The brain reads the floor strictly (decimal digits or a tier name) and names the field.
      const intent = await brain.requestFloor({
        target: cmd.target,
        floor: cmd.floor,
        forSeconds: cmd.forSeconds,
        reason: `<@${user}> asked in Slack`,
        source: { kind: 'slack', ref: user },
      });
      const lines = await reconcileAfter(brain, `slack scale ${cmd.target}`, cmd.target);
      return ephemeral([`${escapeMrkdwn(intent?.reason ?? '')}`, ...lines].join('\n'));
    }
    case 'ceiling': {
      const intent = await brain.requestCeiling({
        target: cmd.target,
        ceiling: cmd.ceiling,
        forSeconds: cmd.forSeconds,
        reason: `<@${user}> asked in Slack`,
        source: { kind: 'slack', ref: user },
      });
      const lines = await reconcileAfter(brain, `slack ceiling ${cmd.target}`, cmd.target);
      return ephemeral([escapeMrkdwn(intent.reason), ...lines].join('\n'));
    }
    case 'campaign-add': {
      const c = await brain.addCampaign(
        {
          name: cmd.name,
          start: cmd.start,
          duration: cmd.durationSeconds,
          multiplier: cmd.multiplier,
          targets: cmd.targets ?? defaultCampaignTargets(brain.config),
        },
        actor,
      );
      const failed = (await reconcileAfter(brain, `slack campaign add ${c.name}`)).filter((l) =>
        l.startsWith(':warning:'),
      );
      return ephemeral(
        [
          `campaign *${escapeMrkdwn(c.name)}* added: x${c.multiplier} from ${c.start} for ${formatDuration(c.durationSeconds)} on ${escapeMrkdwn(c.targets.join(', '))}`,
          ...failed,
        ].join('\n'),
      );
    }
    case 'campaign-list': {
      const list = (await brain.campaigns()).map(
        (c) =>
          `• *${escapeMrkdwn(c.name)}* x${c.multiplier} from ${c.start} for ${formatDuration(c.durationSeconds)} on ${escapeMrkdwn(c.targets.join(', '))}${c.cancelled ? ' (cancelled)' : ''}`,
      );
      return ephemeral(list.length ? list.join('\n') : 'no campaigns');
    }
    case 'campaign-cancel': {
      await brain.cancelCampaign(cmd.name, actor);
      const failed = (await reconcileAfter(brain, `slack campaign cancel ${cmd.name}`)).filter((l) =>
        l.startsWith(':warning:'),
      );
      return ephemeral(
        [`campaign *${escapeMrkdwn(cmd.name)}* cancelled: its floors are released`, ...failed].join('\n'),
      );
    }
    case 'pause':
      await brain.pause(cmd.target, actor);
      return ephemeral(
        `${escapeMrkdwn(cmd.target ?? 'all targets')} paused: Headroom changes nothing until \`resume\``,
      );
    case 'resume': {
      await brain.resume(cmd.target, actor);
      const lines = await reconcileAfter(brain, 'slack resume', cmd.target);
      return ephemeral([`${escapeMrkdwn(cmd.target ?? 'all targets')} resumed`, ...lines].join('\n'));
    }
    case 'release': {
      const approver = brain.config.access.slack?.approvers.includes(user) ?? false;
      const released = await brain.release(cmd.ref, {
        actor,
        source: { kind: 'slack', ref: user },
        approver,
      });
      const targets = [...new Set(released.map((i) => i.target))];
      const lines = await reconcileAfter(
        brain,
        `slack release ${cmd.ref}`,
        targets.length === 1 ? targets[0] : undefined,
      );
      return ephemeral(
        [
          ...released.map(
            (i) =>
              `released \`${escapeMrkdwn(i.id)}\` on *${escapeMrkdwn(i.target)}* (${escapeMrkdwn(i.reason)})`,
          ),
          'Headroom lowers what it raised as for an intent that ended on time',
          ...lines,
        ].join('\n'),
      );
    }
    case 'rehearse':
      return ephemeral(await slackRehearsal(brain, cmd.name, now()));
    case 'approve':
    case 'reject': {
      const decision = cmd.verb === 'approve' ? 'approved' : 'rejected';
      const r = await brain.decide(cmd.stepId, decision, actor);
      const mine = r.results.filter((x) => x.stepId === cmd.stepId);
      return ephemeral(
        [`step \`${cmd.stepId}\` ${decision} by <@${user}>`, ...outcomeLines({ ...r, results: mine })].join(
          '\n',
        ),
      );
    }
  }
}
