import { campaignEnd, campaignPhases } from '../campaigns/campaigns.ts';
import { Problems } from '../config/problems.ts';
import type { RawCampaign } from '../config/schema.ts';
import { normaliseCampaign } from '../config/validate.ts';
import { formatDuration } from '../domain/duration.ts';
import { InputError } from '../domain/errors.ts';
import { iso, isRelativeTime, parseWhen } from '../domain/time.ts';
import type { Campaign } from '../domain/types.ts';
import type { BrainContext } from './context.ts';

/** The longest campaign accepted: a month of events (issue 11's strict input). */
const MAX_CAMPAIGN_SECONDS = 31 * 86400;

export async function addCampaign(ctx: BrainContext, input: RawCampaign, actor: string): Promise<Campaign> {
  const { repo, clock } = ctx.deps;
  const now = clock.now();
  const problems = new Problems();
  const c = normaliseCampaign(
    { ...input, start: startFromNow(input.start, now) },
    { timezone: ctx.config.timezone, targets: ctx.config.targets },
    ['campaign'],
    problems,
  );
  if (!c) throw new InputError(problems.list.join('; '));
  if (!(c.multiplier > 0)) throw new InputError('campaign.multiplier: must be positive');
  if (c.durationSeconds > MAX_CAMPAIGN_SECONDS)
    throw new InputError(
      `campaign.duration: at most ${formatDuration(MAX_CAMPAIGN_SECONDS)}, got ${formatDuration(c.durationSeconds)}`,
    );
  const existing = (await ctx.campaigns(now)).find((x) => x.name === c.name);
  if (existing && !existing.cancelled)
    throw new InputError(`campaign "${c.name}" already exists (cancel it first)`);
  if (campaignEnd(c) <= now.getTime())
    throw new InputError(`campaign "${c.name}" would already be over at ${iso(campaignEnd(c))}`);
  c.createdBy = actor;
  await repo.putCampaign(c, now);
  await repo.audit(
    {
      action: 'campaign-added',
      after: c,
      reason: `campaign ${c.name} x${c.multiplier} from ${c.start} for ${formatDuration(c.durationSeconds)} on ${c.targets.join(', ')}`,
      actor,
    },
    now,
  );
  if (ctx.deps.scheduler) {
    for (const p of campaignPhases(ctx.config, c)) {
      if (p.at.getTime() > now.getTime())
        await ctx.deps.scheduler.schedule(p.name, p.at, {
          kind: 'campaign-phase',
          campaign: c.name,
          phase: p.phase,
        });
    }
  }
  await ctx.deps.notifier.notify({
    kind: 'campaign',
    text: `campaign ${c.name} scheduled: x${c.multiplier} from ${c.start} for ${formatDuration(c.durationSeconds)} (${c.targets.join(', ')})`,
    details: { campaign: c },
  });
  return c;
}

export async function cancelCampaign(ctx: BrainContext, name: string, actor: string): Promise<Campaign> {
  const { repo, clock } = ctx.deps;
  const now = clock.now();
  const c = (await ctx.campaigns(now)).find((x) => x.name === name);
  if (!c || c.cancelled) throw new InputError(`no active campaign named "${name}"`);
  const cancelled = { ...c, cancelled: true };
  await repo.putCampaign(cancelled, now);
  await repo.audit(
    {
      action: 'campaign-cancelled',
      before: c,
      reason: `campaign ${name} cancelled: its floors are released`,
      actor,
    },
    now,
  );
  if (ctx.deps.scheduler)
    for (const p of campaignPhases(ctx.config, c)) await ctx.deps.scheduler.cancel(p.name);
  await ctx.deps.notifier.notify({ kind: 'campaign', text: `campaign ${name} cancelled by ${actor}` });
  return cancelled;
}

/**
 * A campaign start typed as `now`, `+2h` or `in 30m` becomes an instant on the brain's clock, so
 * Slack, the bus and the CLI take the same relative times; anything else is validated as given.
 */
function startFromNow(start: string, now: Date): string {
  if (!isRelativeTime(start)) return start;
  const at = parseWhen(start, now.getTime());
  if (at === undefined)
    throw new InputError(`campaign.start: invalid time "${start}" (ISO-8601, now, +2h or in 30m)`);
  return iso(at);
}
