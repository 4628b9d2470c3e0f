import { Problems } from '../config/problems.ts';
import { unitsOf } from '../config/targets.ts';
import { durationProblem, formatDuration } from '../domain/duration.ts';
import { InProgressError, InputError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type { Intent, IntentSource, RaiseSpec, Target } from '../domain/types.ts';
import { display } from '../domain/units.ts';
import { resolveFloor } from '../rules/rules.ts';
import type { BrainContext } from './context.ts';

export interface FloorRequest {
  target: string;
  floor?: number | string;
  raise?: RaiseSpec;
  forSeconds: number;
  reason: string;
  source: IntentSource;
  /** Optional start (ISO); default now. */
  from?: string;
}

function aboveBounds(target: Target, floor: number): InputError {
  return new InputError(
    `floor ${display(target, floor)} is above the bounds of ${target.id} (max ${display(target, target.bounds.max)})`,
  );
}

/** A floor asked for by a person (Slack, CLI) or another system (an event on the bus). */
export async function requestFloor(
  ctx: BrainContext,
  req: FloorRequest,
  idempotencyKey?: string,
): Promise<Intent | undefined> {
  const { repo, clock } = ctx.deps;
  const now = clock.now();
  // Checked before the key is taken: a refused request leaves nothing behind.
  const explicit = checkFloorRequest(ctx, req);
  if (!idempotencyKey) return floorIntent(ctx, req, explicit, undefined, now);
  // The key is done only with the intent stored: a failed or interrupted request is redone.
  const r = await repo.once(`floor:${idempotencyKey}`, now, ctx.inProgressSeconds, () =>
    floorIntent(ctx, req, explicit, idempotencyKey, now),
  );
  if (r.status === 'ran') return r.value;
  if (r.status === 'in-progress')
    throw new InProgressError(
      `request ${idempotencyKey} is being handled; ask again later`,
      ctx.inProgressSeconds,
    );
  return undefined;
}

/** The target, duration and explicit floor of a request, strictly (InputError naming the field). */
function checkFloorRequest(ctx: BrainContext, req: FloorRequest): number | undefined {
  const target = ctx.target(req.target);
  const max = ctx.config.limits.maxIntentSeconds;
  const forProblem = durationProblem(req.forSeconds, max);
  if (forProblem)
    throw new InputError(`for: ${forProblem}${req.forSeconds > max ? ' (limits.maxIntentDuration)' : ''}`);
  if (req.floor === undefined) return undefined;
  const problems = new Problems();
  const floor = unitsOf(target, req.floor, ['floor'], problems);
  if (floor === undefined) throw new InputError(problems.list.join('; '));
  if (floor > target.bounds.max) throw aboveBounds(target, floor);
  return floor;
}

async function floorIntent(
  ctx: BrainContext,
  req: FloorRequest,
  explicit: number | undefined,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<Intent> {
  const { repo } = ctx.deps;
  const target = ctx.target(req.target);
  let floor = explicit;
  if (floor === undefined) {
    const actual = await ctx.deps.actuators(target).read(target);
    floor = resolveFloor(target, actual.value, { raise: req.raise });
  }
  if (floor > target.bounds.max) throw aboveBounds(target, floor);
  const from = req.from ? Date.parse(req.from) : now.getTime();
  const intent: Intent = {
    id: `${req.source.kind}:${target.id}:${idempotencyKey ?? iso(now)}`,
    target: target.id,
    floor,
    raise: req.raise,
    from: iso(from),
    until: iso(from + req.forSeconds * 1000),
    reason: `${req.reason}: floor ${display(target, floor)} for ${formatDuration(req.forSeconds)}`,
    source: req.source,
    createdAt: iso(now),
  };
  await repo.addIntent(intent, now);
  await repo.audit(
    {
      action: 'intent-created',
      target: target.id,
      after: { floor: display(target, floor), until: intent.until },
      reason: intent.reason,
      actor: req.source.ref,
    },
    now,
  );
  return intent;
}
