import { durationProblem, formatDuration } from '../domain/duration.ts';
import { InputError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type { Intent, IntentSource } from '../domain/types.ts';
import { ceilingField } from '../planner/ceilings.ts';
import type { BrainContext } from './context.ts';

export interface CeilingRequest {
  target: string;
  /** Units: a whole count. */
  ceiling: number;
  forSeconds: number;
  reason: string;
  source: IntentSource;
  /** Optional start (ISO); default now. */
  from?: string;
}

/**
 * A ceiling asked for by a person (CLI `headroom ceiling`, Slack `/headroom ceiling`): stored
 * as an intent, planned and reverted as a schedule's (docs/ceilings.md). Checked strictly, each
 * refusal naming its field; a refused request stores nothing.
 */
export async function requestCeiling(ctx: BrainContext, req: CeilingRequest): Promise<Intent> {
  const { repo, clock } = ctx.deps;
  const now = clock.now();
  const target = ctx.target(req.target);
  const cf = ceilingField(target);
  if (!cf) throw new InputError(`target: ${target.id} (${target.kind}) takes no ceiling`);
  if (!Number.isInteger(req.ceiling) || req.ceiling < cf.minimum)
    throw new InputError(
      `ceiling: expected a whole number of at least ${cf.minimum} for ${target.id} (${cf.field}), got ${req.ceiling}`,
    );
  const max = ctx.config.limits.maxIntentSeconds;
  const forProblem = durationProblem(req.forSeconds, max);
  if (forProblem)
    throw new InputError(`for: ${forProblem}${req.forSeconds > max ? ' (limits.maxIntentDuration)' : ''}`);
  const from = req.from ? Date.parse(req.from) : now.getTime();
  if (!Number.isFinite(from)) throw new InputError(`from: invalid time "${req.from}"`);
  const intent: Intent = {
    id: `${req.source.kind}:${target.id}:ceiling:${iso(now)}`,
    target: target.id,
    floor: 0,
    ceiling: req.ceiling,
    from: iso(from),
    until: iso(from + req.forSeconds * 1000),
    reason: `${req.reason}: ceiling ${req.ceiling} for ${formatDuration(req.forSeconds)}`,
    source: req.source,
    createdAt: iso(now),
  };
  await repo.addIntent(intent, now);
  await repo.audit(
    {
      action: 'intent-created',
      target: target.id,
      after: { ceiling: req.ceiling, from: intent.from, until: intent.until },
      reason: intent.reason,
      actor: req.source.ref,
    },
    now,
  );
  return intent;
}
