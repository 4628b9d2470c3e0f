import { campaignEnd, campaignIntents } from '../campaigns/campaigns.ts';
import type { Campaign, Intent, Target } from '../domain/types.ts';
import { display, shortHash } from '../domain/units.ts';
import { describeError } from '../executor/executor.ts';
import { kindOf } from '../kinds/index.ts';
import { type ActualOrFailure, baselineOf, intentStart, isReadFailure } from '../planner/plan.ts';
import { cronIntents } from '../rules/rules.ts';
import { scheduleIntents } from '../rules/schedules.ts';
import { observeCampaigns } from './campaign-learning.ts';
import type { BrainContext } from './context.ts';
import { loadSurges, surgeExclusions, surgeIntents } from './surge-intents.ts';

/** Why a stored campaign's start or end cannot be computed, if it cannot. */
function campaignTimeProblem(c: Campaign): string | undefined {
  const start = Date.parse(c.start);
  const end = start + c.durationSeconds * 1000;
  if (!Number.isFinite(start)) return `invalid start "${c.start}"`;
  if (!Number.isFinite(end) || Math.abs(end) > 8.64e15 || !(c.durationSeconds > 0))
    return `invalid duration ${c.durationSeconds}s`;
  return undefined;
}

/** How far ahead campaigns are sized from demand views (beyond it they use the observed level). */
const CAMPAIGN_LOOKAHEAD_MS = 36 * 3600 * 1000;

/** Stored intents plus those derived now from cron rules, campaigns and forecasts. */
export async function allIntents(
  ctx: BrainContext,
  now: Date,
  actuals: Record<string, ActualOrFailure>,
  persist = false,
): Promise<Intent[]> {
  const { repo } = ctx.deps;
  const [stored, calendar, state, surges] = await Promise.all([
    repo.intents(now),
    ctx.campaigns(now),
    repo.plannerState(now),
    loadSurges(ctx, now),
  ]);
  // One broken record (a campaign stored before the edges checked it) is reported and left
  // out; it never stops the other campaigns and targets from being planned.
  const campaigns = await usableCampaigns(ctx, calendar, now);
  const actualOf = (id: string) => {
    const a = actuals[id];
    return a && !isReadFailure(a) ? a : undefined;
  };
  const baseline = (t: Target) => baselineOf(t, actualOf(t.id), state.targets[t.id]);
  const live = campaigns.filter((c) => !c.cancelled && campaignEnd(c) + 86400_000 > now.getTime());
  const until = Math.max(
    now.getTime() + Math.max(0, ...ctx.config.predictive.map((p) => p.horizonSeconds)) * 1000,
    ...live.filter((c) => Date.parse(c.start) - now.getTime() < CAMPAIGN_LOOKAHEAD_MS).map(campaignEnd),
  );
  // Campaign windows are not baseline demand: the forecast leaves them out (multiplier x the
  // forecast without the campaign, never a surge compounding into its own floor).
  const exclude = [
    ...campaigns.map((c) => ({ from: Date.parse(c.start), to: campaignEnd(c) })),
    ...surgeExclusions(ctx.config, surges),
  ];
  const demand = ctx.deps.demand
    ? await ctx.deps.demand.demand(ctx.config, now, new Date(until), { exclude })
    : {};
  if (persist) await observeCampaigns(ctx, campaigns, demand, actualOf, now);
  const sizing = {
    config: ctx.config,
    baseline,
    actuals: Object.fromEntries(Object.keys(actuals).map((id) => [id, actualOf(id)])),
    demand,
    now,
  };
  const perCampaign = await Promise.all(
    live.map(async (c) => {
      try {
        return campaignIntents([c], sizing);
      } catch (err) {
        await reportBrokenCampaign(ctx, c, describeError(err), now);
        return [];
      }
    }),
  );
  const campaignFloors = await holdCampaignFloors(ctx, perCampaign.flat(), baseline, now, persist);
  const derived = [
    ...cronIntents(ctx.config, now, baseline),
    ...scheduleIntents(ctx.config, now),
    ...campaignFloors,
    ...(ctx.deps.predictive ? ctx.deps.predictive(ctx.config, demand, now) : []),
    ...(await surgeIntents(ctx, surges, sizing, persist)),
  ];
  return [...stored, ...derived];
}

/** Campaigns whose times can be computed; the others are reported (once an hour) and skipped. */
async function usableCampaigns(ctx: BrainContext, campaigns: Campaign[], now: Date): Promise<Campaign[]> {
  const ok: Campaign[] = [];
  for (const c of campaigns) {
    const problem = campaignTimeProblem(c);
    if (problem) await reportBrokenCampaign(ctx, c, problem, now);
    else ok.push(c);
  }
  return ok;
}

async function reportBrokenCampaign(
  ctx: BrainContext,
  c: Campaign,
  problem: string,
  now: Date,
): Promise<void> {
  const { repo, notifier } = ctx.deps;
  const reason = `campaign ${c.name} is ignored: ${problem} (cancel it and add it again)`;
  ctx.log.warn(reason, { campaign: c.name });
  if (!(await repo.claim(`broken-campaign:${c.name}:${shortHash(problem)}`, now, 3600))) return;
  await repo.audit({ action: 'blocked', reason, before: c }, now);
  await notifier.notify({ kind: 'blocked', text: reason, details: { campaign: c.name } });
}

/**
 * Once a campaign target starts to rise, its floor is held: demand observed during the
 * campaign includes the surge itself and must not shrink (or compound) the floor, and a
 * forecast that dips mid-window must not release capacity the campaign still needs. Node
 * capacity released by pods (a capacity buffer) is the exception: it is meant to shrink as
 * the held floors of its pods start them.
 */
async function holdCampaignFloors(
  ctx: BrainContext,
  intents: Intent[],
  baseline: (t: Target) => number,
  now: Date,
  persist: boolean,
): Promise<Intent[]> {
  const { repo } = ctx.deps;
  return Promise.all(
    intents.map(async (i) => {
      const target = ctx.target(i.target);
      if (kindOf(target).releasedByPods) return i;
      if (intentStart(target, i, baseline(target)) > now.getTime()) return i;
      const held = await repo.campaignFloor(i.campaign!, i.target, now);
      const floor = Math.max(held ?? 0, i.floor);
      if (persist && floor !== held) await repo.holdCampaignFloor(i.campaign!, i.target, floor, i.until, now);
      return floor === i.floor
        ? i
        : { ...i, floor, reason: `${i.reason}; held at ${display(target, floor)} since the raise began` };
    }),
  );
}
