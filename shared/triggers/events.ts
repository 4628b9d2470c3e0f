import * as z from 'zod';
import { DURATION_RULE, parseDuration, parseRaise } from '../domain/duration.ts';
import { InProgressError, InputError } from '../domain/errors.ts';
import { CAMPAIGN_NAME_RULE, isCampaignName, MAX_MULTIPLIER } from '../domain/input.ts';
import { iso, parseRfc3339 } from '../domain/time.ts';
import { alarmFromEventBridge, alarmsFromSns, EventBridgeSchema, isSnsShaped } from './alarm.ts';
import { acceptSignals, askAgainIfInProgress } from './alertmanager.ts';
import type { TriggerDeps } from './deps.ts';
import {
  describeZodError,
  HttpError,
  type HttpEvent,
  type HttpResult,
  json,
  parseJson,
  rawBody,
  refusal,
  requireMediaType,
} from './http.ts';

/** Detail-types other systems put on Headroom's bus to ask for capacity. */
export const CAMPAIGN_REQUESTED = 'Headroom Campaign Requested';
export const FLOOR_REQUESTED = 'Headroom Floor Requested';

export const CampaignRequestedDetail = z.strictObject({
  name: z.string().refine(isCampaignName, { error: `invalid campaign name (${CAMPAIGN_NAME_RULE})` }),
  start: z.string().min(1).max(64),
  duration: z.string().min(1).max(32),
  multiplier: z.number().positive().max(MAX_MULTIPLIER),
  targets: z.array(z.string().min(1)).min(1),
  floors: z.record(z.string(), z.union([z.number().nonnegative(), z.string()])).optional(),
  requestedBy: z.string().max(200).optional(),
});

export const FloorRequestedDetail = z
  .strictObject({
    target: z.string().min(1),
    floor: z.union([z.number().nonnegative(), z.string().min(1)]).optional(),
    raise: z.union([z.number().positive(), z.string().min(1)]).optional(),
    for: z.string().min(1).max(32),
    reason: z.string().max(500).optional(),
    from: z.string().max(64).optional(),
    requestedBy: z.string().max(200).optional(),
  })
  .refine((d) => (d.floor === undefined) !== (d.raise === undefined), {
    message: 'exactly one of floor or raise is required',
  });

/** What EventBridge Scheduler delivers for one campaign phase (the `Input` Headroom set). */
export const PhaseEventSchema = z.object({
  kind: z.literal('campaign-phase'),
  campaign: z.string().min(1),
  phase: z.string().min(1),
});

/** The periodic tick: Scheduler/rule `Scheduled Event`s, or the `{ kind: 'tick' }` input of the cron. */
const TickSchema = z.union([
  z.object({ kind: z.literal('tick') }),
  EventBridgeSchema.extend({
    source: z.enum(['aws.events', 'aws.scheduler']),
    'detail-type': z.literal('Scheduled Event'),
  }),
]);

export interface EventOutcome {
  /** How many signals or requests were taken (repeats included). */
  accepted: number;
  kind: 'alarm' | 'sns-alarm' | 'tick' | 'campaign-phase' | 'campaign-requested' | 'floor-requested';
  detail?: Record<string, unknown>;
}

function detailOf<T>(schema: z.ZodType<T>, detail: unknown, what: string): T {
  const parsed = schema.safeParse(detail);
  if (!parsed.success) throw new HttpError(400, `${what}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** A request from another producer on the bus: claimed by event id so a redelivery does nothing. */
async function busRequest(deps: TriggerDeps, e: z.infer<typeof EventBridgeSchema>): Promise<EventOutcome> {
  const { brain, clock } = deps;
  if (e['detail-type'] === CAMPAIGN_REQUESTED) {
    const d = detailOf(CampaignRequestedDetail, e.detail, CAMPAIGN_REQUESTED);
    const { requestedBy, duration: text, ...raw } = d;
    const duration = parseDuration(text);
    if (!duration)
      throw new InputError(`${CAMPAIGN_REQUESTED}: duration: invalid duration "${text}" (${DURATION_RULE})`);
    // Done only once the campaign is stored; any failure releases the key for the redelivery.
    const r = await brain.repo.once(`bus:${e.id}`, clock.now(), brain.inProgressSeconds, () =>
      brain.addCampaign({ ...raw, duration }, requestedBy ?? e.source),
    );
    if (r.status === 'in-progress')
      throw new InProgressError(
        `event ${e.id} is being handled; deliver again later`,
        brain.inProgressSeconds,
      );
    if (r.status === 'done') return { accepted: 1, kind: 'campaign-requested', detail: { duplicate: true } };
    await brain.reconcile(`campaign ${r.value.name} requested on the bus`);
    return { accepted: 1, kind: 'campaign-requested', detail: { campaign: r.value.name } };
  }
  const d = detailOf(FloorRequestedDetail, e.detail, FLOOR_REQUESTED);
  const forSeconds = parseDuration(d.for);
  if (forSeconds === undefined)
    throw new InputError(`${FLOOR_REQUESTED}: for: invalid duration "${d.for}" (${DURATION_RULE})`);
  const raise = d.raise !== undefined ? parseRaise(d.raise) : undefined;
  if (d.raise !== undefined && !raise)
    throw new InputError(
      `${FLOOR_REQUESTED}: raise: expected a whole count or a percentage in (0, 1000], got "${d.raise}"`,
    );
  const from = d.from !== undefined ? parseRfc3339(d.from) : undefined;
  if (d.from !== undefined && from === undefined)
    throw new InputError(
      `${FLOOR_REQUESTED}: from: invalid time "${d.from}" (RFC 3339, e.g. ${iso(clock.now())})`,
    );
  const intent = await brain.requestFloor(
    {
      target: d.target,
      floor: d.floor,
      raise,
      forSeconds,
      from: from !== undefined ? iso(from) : undefined,
      reason: d.reason ?? `requested by ${d.requestedBy ?? e.source}`,
      source: { kind: 'event', ref: d.requestedBy ?? e.source },
    },
    `bus:${e.id}`,
  );
  if (intent) await brain.reconcile(`floor requested on the bus for ${d.target}`);
  return { accepted: 1, kind: 'floor-requested', detail: { intent: intent?.id, duplicate: !intent } };
}

/**
 * Any event a Headroom function receives that is not HTTP: an EventBridge alarm state change,
 * an SNS alarm notification, a scheduler tick or campaign phase, a request on the bus.
 * Bad input throws `HttpError` (400) and changes nothing.
 */
export async function handleEvent(event: unknown, deps: TriggerDeps): Promise<EventOutcome> {
  if (isSnsShaped(event)) {
    const signals = alarmsFromSns(event);
    askAgainIfInProgress(await acceptSignals(deps, signals, 'sns alarm'), deps);
    return { accepted: signals.length, kind: 'sns-alarm' };
  }
  const phase = PhaseEventSchema.safeParse(event);
  if (phase.success) {
    const { campaign, phase: name } = phase.data;
    deps.logger?.info(`campaign ${campaign}: phase ${name}`, { campaign, phase: name });
    await deps.brain.reconcile(`campaign ${campaign} ${name}`);
    return { accepted: 1, kind: 'campaign-phase', detail: phase.data };
  }
  if (TickSchema.safeParse(event).success) {
    await deps.brain.reconcile('tick');
    return { accepted: 1, kind: 'tick' };
  }
  const envelope = EventBridgeSchema.safeParse(event);
  if (!envelope.success)
    throw new HttpError(
      400,
      `expected an EventBridge event, an SNS notification or a scheduler event: ${describeZodError(envelope.error)}`,
    );
  const e = envelope.data;
  if (e['detail-type'] === 'CloudWatch Alarm State Change') {
    const signal = alarmFromEventBridge(event);
    askAgainIfInProgress(await acceptSignals(deps, [signal], 'alarm'), deps);
    return { accepted: 1, kind: 'alarm' };
  }
  if (e['detail-type'] === CAMPAIGN_REQUESTED || e['detail-type'] === FLOOR_REQUESTED) {
    return busRequest(deps, e);
  }
  throw new HttpError(400, `unsupported event: source "${e.source}", detail-type "${e['detail-type']}"`);
}

/** `POST /events` of `headroom dev`: the same handling as the Lambda functions. */
export async function eventsRoute(event: HttpEvent, deps: TriggerDeps): Promise<HttpResult> {
  try {
    const body = rawBody(event);
    requireMediaType(event, 'application/json');
    const outcome = await handleEvent(parseJson(body), deps);
    return json(200, outcome);
  } catch (err) {
    const r = refusal(err);
    if (r) return r;
    throw err;
  }
}
