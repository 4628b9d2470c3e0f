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

export { checkAccess, runSlackCommand, type SlackMessage } from './slack-commands.ts';

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
import {
  checkAccess,
  ephemeral,
  isQuick,
  runSlackCommand,
  type SlackMessage,
  validate,
} from './slack-commands.ts';
import { parseSlackCommand, SLACK_HELP, type SlackCommand } from './slack-grammar.ts';
import { slackRehearsal } from './slack-rehearsal.ts';
import { verifySlackRequest } from './slack-signature.ts';

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
