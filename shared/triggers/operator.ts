import * as z from 'zod';
import { defaultCampaignTargets } from '../campaigns/campaigns.ts';
import { DURATION_RULE, parseDuration } from '../domain/duration.ts';
import { planJson } from '../planner/format.ts';
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

/**
 * The operator routes of the deployed API (`headroom ... --api URL` / `--stage NAME`): the same
 * use cases as the local CLI, for callers API Gateway authenticated with IAM (SigV4). The
 * route itself checks that API Gateway did: a route deployed without `auth: { iam: true }`
 * answers 401, never serves anonymous callers. Documented in docs/operations.md.
 */
type OperatorRoute = (event: HttpEvent, deps: TriggerDeps, actor: string) => Promise<HttpResult>;

/** The IAM caller API Gateway verified (`requestContext.authorizer.iam`), if any. */
export function iamCaller(event: HttpEvent): string | undefined {
  const ctx = event.requestContext as HttpEvent['requestContext'] & {
    authorizer?: { iam?: { userArn?: unknown; callerId?: unknown; accountId?: unknown } };
  };
  const iam = ctx?.authorizer?.iam;
  const arn = iam?.userArn ?? iam?.callerId;
  return typeof arn === 'string' && arn ? arn : undefined;
}

function operator(route: OperatorRoute) {
  return async (event: HttpEvent, deps: TriggerDeps): Promise<HttpResult> => {
    const caller = iamCaller(event);
    if (!caller)
      return json(
        401,
        { error: 'operator routes need AWS IAM authentication (a SigV4-signed request)' },
        { 'www-authenticate': 'AWS4-HMAC-SHA256' },
      );
    try {
      return await route(event, deps, `iam:${caller}`);
    } catch (err) {
      const r = refusal(err);
      if (r) return r;
      throw err;
    }
  };
}

function body<T>(event: HttpEvent, schema: z.ZodType<T>): T {
  requireMediaType(event, 'application/json');
  const parsed = schema.safeParse(parseJson(rawBody(event)));
  if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
  return parsed.data;
}

function query(event: HttpEvent, name: string): string | undefined {
  return event.queryStringParameters?.[name];
}

const campaignBody = z.strictObject({
  name: z.string(),
  start: z.string(),
  duration: z.union([z.string(), z.number()]),
  multiplier: z.number(),
  targets: z.array(z.string()).optional(),
  floors: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  approved: z.boolean().optional(),
});
const nameBody = z.strictObject({ name: z.string().min(1) });
const decisionBody = z.strictObject({ stepId: z.string().min(1).max(200) });
const releaseBody = z.strictObject({
  what: z.string().min(1).max(200),
  reason: z.string().max(500).optional(),
});

const ceilingBody = z.strictObject({
  target: z.string().min(1),
  ceiling: z.number(),
  for: z.union([z.string(), z.number()]),
  from: z.string().optional(),
  reason: z.string().max(500).optional(),
});

const state: OperatorRoute = async (_e, deps) => json(200, await deps.brain.snapshot());

const planRoute: OperatorRoute = async (e, deps) => {
  const at = query(e, 'at');
  const t = at !== undefined ? Date.parse(at) : undefined;
  if (at !== undefined && !Number.isFinite(t))
    throw new HttpError(400, `at: invalid time "${at}" (ISO-8601, e.g. 2026-11-27T19:30:00Z)`);
  return json(200, planJson(await deps.brain.plan(t !== undefined ? new Date(t) : undefined)));
};

const audit: OperatorRoute = async (e, deps) => {
  const since = query(e, 'since');
  const from = since !== undefined ? new Date(since) : undefined;
  if (from && Number.isNaN(from.getTime())) throw new HttpError(400, `since: invalid time "${since}"`);
  const text = query(e, 'limit');
  const limit = text !== undefined ? Number(text) : 200;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
    throw new HttpError(400, `limit: expected an integer from 1 to 10000, got "${text}"`);
  return json(200, { entries: await deps.brain.audit({ since: from, limit }) });
};

const campaigns: OperatorRoute = async (_e, deps) => json(200, { campaigns: await deps.brain.campaigns() });

const addCampaign: OperatorRoute = async (e, deps, actor) => {
  const input = body(e, campaignBody);
  const duration = typeof input.duration === 'number' ? input.duration : parseDuration(input.duration);
  if (duration === undefined)
    throw new HttpError(400, `duration: invalid duration "${input.duration}" (${DURATION_RULE})`);
  const { config } = deps.brain;
  // Without targets: every target with a capacity model or a pod workload, as the local CLI does.
  const targets = input.targets ?? defaultCampaignTargets(config);
  const campaign = await deps.brain.addCampaign({ ...input, duration, targets }, actor);
  return json(201, { campaign });
};

const cancelCampaign: OperatorRoute = async (e, deps, actor) => {
  const { name } = body(e, nameBody);
  return json(200, { campaign: await deps.brain.cancelCampaign(name, actor) });
};

const decide =
  (decision: 'approved' | 'rejected'): OperatorRoute =>
  async (e, deps, actor) => {
    const { stepId } = body(e, decisionBody);
    const r = await deps.brain.decide(stepId, decision, actor);
    return json(200, {
      stepId,
      decision,
      results: r.results,
    });
  };

const release: OperatorRoute = async (e, deps, actor) => {
  const { what, reason } = body(e, releaseBody);
  // Whoever IAM lets call this route releases as an approver, as the local CLI does.
  const released = await deps.brain.release(
    what,
    { actor, source: { kind: 'cli', ref: actor }, approver: true },
    reason,
  );
  return json(200, { released });
};

/** A ceiling on a target for a window (docs/ceilings.md), as `headroom ceiling` asks locally. */
const addCeiling: OperatorRoute = async (e, deps, actor) => {
  const input = body(e, ceilingBody);
  const forSeconds = typeof input.for === 'number' ? input.for : parseDuration(input.for);
  if (forSeconds === undefined)
    throw new HttpError(400, `for: invalid duration "${input.for}" (${DURATION_RULE})`);
  const intent = await deps.brain.requestCeiling({
    target: input.target,
    ceiling: input.ceiling,
    forSeconds,
    from: input.from,
    reason: input.reason ?? 'asked through the operator API',
    source: { kind: 'cli', ref: actor },
  });
  return json(201, { intent });
};

/** `METHOD path` -> route: the operator API of docs/operations.md, every route behind IAM. */
export const OPERATOR_ROUTES = {
  'GET /api/state': operator(state),
  'GET /api/plan': operator(planRoute),
  'GET /api/audit': operator(audit),
  'GET /api/campaigns': operator(campaigns),
  'POST /api/campaigns': operator(addCampaign),
  'POST /api/campaigns/cancel': operator(cancelCampaign),
  'POST /api/approve': operator(decide('approved')),
  'POST /api/reject': operator(decide('rejected')),
  'POST /api/release': operator(release),
  'POST /api/ceilings': operator(addCeiling),
};
