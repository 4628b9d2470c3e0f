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

export type SlackMessage = Record<string, unknown> & { text: string };

const ephemeral = (text: string): SlackMessage => ({ response_type: 'ephemeral', text });

/** Slack only accepts answers on its own hooks host: no caller can point us elsewhere. */
const responseUrl = z.string().regex(/^https:\/\/hooks\.slack\.com\/[\w\-/.]+$/, 'not a Slack response_url');

const CommandForm = z.object({
  command: z.string().min(1),
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  response_url: responseUrl,
  trigger_id: z.string().min(1).optional(),
});

const BlockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  response_url: responseUrl,
  trigger_id: z.string().min(1).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().max(200).optional() })).min(1),
});

/**
 * How long a Slack request is remembered: Slack resends within minutes and a signed request is
 * refused after 5, so an hour recognises every retry and replay.
 */
const REQUEST_KEY_SECONDS = 3600;

/**
 * The identity of one Slack request: Slack's `trigger_id` (the same in its resends), else the
 * hash of the signed body (its `response_url` is unique to the invocation).
 */
function requestKey(route: 'command' | 'action', triggerId: string | undefined, event: HttpEvent): string {
  const id = triggerId ?? createHash('sha256').update(rawBody(event)).digest('hex').slice(0, 32);
  return `slack:${route}:${id}`;
}

/**
 * Claims the request before any work; false for a resend (`X-Slack-Retry-Num`) or a replay of
 * one already received. A request whose work failed was released and is taken again.
 */
async function firstDelivery(event: HttpEvent, deps: TriggerDeps, key: string): Promise<boolean> {
  if (await deps.brain.repo.claim(key, deps.clock.now(), REQUEST_KEY_SECONDS)) return true;
  const retry = header(event, 'x-slack-retry-num');
  deps.logger?.info(`slack: ${retry ? `retry ${retry} of ` : 'replay of '}a request already received`, {
    retry,
  });
  return false;
}

/** Forgets a request whose work did not happen, so Slack's retry does it. Never throws. */
async function releaseRequest(deps: TriggerDeps, ...keys: (string | undefined)[]): Promise<void> {
  for (const key of keys) {
    if (!key) continue;
    try {
      await deps.brain.repo.unclaim(key);
    } catch (err) {
      deps.logger?.error(`could not release slack request ${key}: ${(err as Error).message}`);
    }
  }
}

/** How long a deferred job is held by a run that may have crashed, unless told (Lambda: its remaining time). */
const JOB_IN_PROGRESS_SECONDS = 300;

/** A `response_url` without its secret path, for logs: `https://hooks.slack.com/commands/…`. */
function withoutSecretPath(url: string): string {
  const m = /^(https:\/\/[^/]+\/[^/]+)\//.exec(url);
  return m ? `${m[1]}/…` : 'response_url';
}

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
function isQuick(cmd: SlackCommand): boolean {
  return cmd.verb === 'help' || cmd.verb === 'campaign-list';
}

/** Checks a command against the configuration before it is deferred, so typos answer at once. */
function validate(brain: Brain, cmd: SlackCommand): void {
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

/**
 * Finishes a deferred command or button click and posts the answer to its `response_url`. A
 * job runs once: a second delivery (Lambda's async retry) is skipped while a run holds it
 * (`inProgressSeconds`, then a crashed run's job is taken again) and once it is done.
 */
export async function finishSlackJob(
  job: DeferredSlackJob,
  deps: TriggerDeps,
  opts: { inProgressSeconds?: number } = {},
): Promise<void> {
  const respond = deps.respond ?? fetchResponder;
  const { repo } = deps.brain;
  const run = job.key ? `${job.key}:run` : undefined;
  if (run && !(await repo.claim(run, deps.clock.now(), opts.inProgressSeconds ?? JOB_IN_PROGRESS_SECONDS))) {
    deps.logger?.info('slack: this deferred job already ran or is running: skipped', { kind: job.kind });
    return;
  }
  let message: SlackMessage;
  let done = true;
  try {
    message = await runSlackCommand(deps.brain, parseSlackCommand(job.text), job.user, () =>
      deps.clock.now(),
    );
  } catch (err) {
    if (!(err instanceof InputError)) {
      done = false;
      deps.logger?.error(`slack command failed: ${(err as Error).message}`);
      // It failed before its change was recorded (a failing reconcile after it is reported, not
      // thrown): Slack's retry of this request must do it.
      await releaseRequest(deps, job.key, run);
    }
    message = ephemeral(
      err instanceof InputError
        ? `:warning: ${escapeMrkdwn(err.message)}`
        : `:x: failed: ${escapeMrkdwn((err as Error).message)}`,
    );
  }
  if (job.kind === 'slack-action')
    message = { ...message, replace_original: true, response_type: 'in_channel' };
  if (run && done)
    await repo.complete(run, deps.clock.now()).catch((err: unknown) => {
      deps.logger?.error(`could not mark slack job ${run} done: ${(err as Error).message}`);
    });
  try {
    await respond(job.responseUrl, message);
  } catch (err) {
    // The work is done: a throw here would make Lambda's async retry run the command again.
    const reason = (err as Error).message.split(job.responseUrl).join(withoutSecretPath(job.responseUrl));
    deps.logger?.warn(
      `could not post the answer to Slack (${withoutSecretPath(job.responseUrl)}): ${reason}`,
      { kind: job.kind },
    );
  }
}

/** Runs a job after the answer: in-process by default (dev); Lambda injects an async invocation. */
async function deferJob(job: DeferredSlackJob, deps: TriggerDeps): Promise<void> {
  if (deps.defer) {
    try {
      await deps.defer(job);
    } catch (err) {
      // Slack still gets its answer in time; the person learns the command did not start.
      deps.logger?.error(`could not defer slack work: ${(err as Error).message}`);
      throw new InputError(`could not start \`${job.text}\`: ${(err as Error).message}`);
    }
    return;
  }
  void finishSlackJob(job, deps).catch((err: unknown) =>
    deps.logger?.error(`slack response failed: ${(err as Error).message}`),
  );
}

function verified(event: HttpEvent, deps: TriggerDeps): URLSearchParams {
  const body = rawBody(event);
  verifySlackRequest({
    secret: deps.slackSigningSecret,
    timestamp: header(event, 'x-slack-request-timestamp'),
    signature: header(event, 'x-slack-signature'),
    body,
    now: deps.clock.now(),
  });
  requireMediaType(event, 'application/x-www-form-urlencoded');
  return new URLSearchParams(body.toString('utf8'));
}

/** `POST /slack/commands`: verify, parse, check access; quick commands answer, slow ones are deferred. */
export async function slackCommandsRoute(event: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  let form: z.infer<typeof CommandForm>;
  try {
    const parsed = CommandForm.safeParse(Object.fromEntries(verified(event, deps)));
    if (!parsed.success)
      throw new HttpError(400, `not a Slack slash command: ${describeZodError(parsed.error)}`);
    form = parsed.data;
  } catch (err) {
    const r = refusal(err);
    if (r) return r;
    throw err;
  }
  try {
    const cmd = parseSlackCommand(form.text);
    checkAccess(deps.brain.config.access.slack, form.user_id, form.channel_id, cmd);
    validate(deps.brain, cmd);
    if (isQuick(cmd))
      return json(200, await runSlackCommand(deps.brain, cmd, form.user_id, () => deps.clock.now()));
    const key = requestKey('command', form.trigger_id, event);
    if (!(await firstDelivery(event, deps, key)))
      return json(
        200,
        ephemeral(`:repeat: already received \`${escapeMrkdwn(form.text.trim())}\`: it runs once`),
      );
    try {
      await deferJob(
        {
          kind: 'slack-command',
          text: form.text,
          user: form.user_id,
          channel: form.channel_id,
          responseUrl: form.response_url,
          key,
        },
        deps,
      );
    } catch (err) {
      await releaseRequest(deps, key);
      throw err;
    }
    return json(200, ephemeral(`:hourglass_flowing_sand: working on \`${escapeMrkdwn(form.text.trim())}\`…`));
  } catch (err) {
    // Slack shows a non-200 as a generic failure: refusals of a signed request are answered as messages.
    if (err instanceof InputError) return json(200, ephemeral(`:warning: ${escapeMrkdwn(err.message)}`));
    throw err;
  }
}

/** `POST /slack/interactions`: Approve / Reject buttons of an approval message. */
export async function slackInteractionsRoute(event: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  let action: z.infer<typeof BlockActions>;
  try {
    const payload = verified(event, deps).get('payload');
    if (!payload) throw new HttpError(400, 'missing payload field');
    let data: unknown;
    try {
      data = JSON.parse(payload);
    } catch (cause) {
      throw new HttpError(400, 'payload is not JSON', { cause });
    }
    const parsed = BlockActions.safeParse(data);
    if (!parsed.success)
      throw new HttpError(400, `not a block_actions payload: ${describeZodError(parsed.error)}`);
    action = parsed.data;
  } catch (err) {
    const r = refusal(err);
    if (r) return r;
    throw err;
  }
  const a = action.actions[0]!;
  const verb =
    a.action_id === APPROVE_ACTION ? 'approve' : a.action_id === REJECT_ACTION ? 'reject' : undefined;
  if (!verb || !a.value || !/^[\w.:-]+$/.test(a.value)) return json(200, {});
  try {
    checkAccess(deps.brain.config.access.slack, action.user.id, action.channel?.id ?? '', 'decide');
  } catch (err) {
    if (err instanceof InputError) return json(200, ephemeral(`:warning: ${escapeMrkdwn(err.message)}`));
    throw err;
  }
  const key = requestKey('action', action.trigger_id, event);
  if (!(await firstDelivery(event, deps, key))) return json(200, {});
  try {
    await deferJob(
      {
        kind: 'slack-action',
        text: `${verb} ${a.value}`,
        user: action.user.id,
        channel: action.channel?.id ?? '',
        responseUrl: action.response_url,
        key,
      },
      deps,
    );
  } catch (err) {
    await releaseRequest(deps, key);
    if (err instanceof InputError) return json(200, ephemeral(`:x: ${escapeMrkdwn(err.message)}`));
    throw err;
  }
  return json(200, {});
}
