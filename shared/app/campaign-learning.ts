import {
  type CampaignObservation,
  type CampaignOutcome,
  describeOutcome,
  emptyObservation,
  observe,
  outcomeOf,
} from '../campaigns/learning.ts';
import type { Actual, Campaign, DemandView } from '../domain/types.ts';
import type { Repo } from '../state/repo.ts';
import type { BrainContext } from './context.ts';

/** Store namespaces: the running observations, and the outcomes (kept 400 days: a year of a series). */
const NS_OBSERVATION = 'campaign-observation';
const NS_OUTCOME = 'campaign-outcome';
const DAY_S = 86_400;
/** How long before its start a campaign is watched for readiness, beyond its layers' lead times. */
const WATCH_BEFORE_MS = 3600_000;

const keyOf = (c: Campaign) => `${c.name}:${c.start}`;

/**
 * The reconcile's hook for campaign learning: each campaign from an hour plus its longest lead
 * time before its start to its end is observed (demand against the forecast without it, ready
 * capacity against demand and against the campaign's floors); once it has ended its outcome is
 * stored and written to the audit log, once.
 */
export async function observeCampaigns(
  ctx: BrainContext,
  campaigns: Campaign[],
  demand: Record<string, DemandView>,
  actualOf: (id: string) => Actual | undefined,
  now: Date,
): Promise<void> {
  const { repo } = ctx.deps;
  const t = now.getTime();
  for (const c of campaigns) {
    if (c.cancelled) continue;
    const start = Date.parse(c.start);
    const end = start + c.durationSeconds * 1000;
    const lead = Math.max(0, ...c.targets.map((id) => leadOf(ctx, id)));
    if (t < start - lead - WATCH_BEFORE_MS || t > end + DAY_S * 1000) continue;
    const key = keyOf(c);
    const stored = await repo.store.get<CampaignObservation & { lastAt?: number }>(NS_OBSERVATION, key, now);
    const obs = stored?.value ?? emptyObservation(c);
    if (obs.outcomeAt) continue;
    if (t >= end) {
      if (!stored) continue; // Never watched (Headroom was not running): nothing learnt.
      await recordOutcome(repo, key, obs, now);
      continue;
    }
    const interval = ctx.config.defaults.reconcileIntervalSeconds / 60;
    const since = stored?.value.lastAt !== undefined ? (t - stored.value.lastAt) / 60_000 : interval;
    const next = observe(obs, {
      now: t,
      intervalMinutes: Math.max(0, Math.min(interval, since)),
      ...(await sampleOf(ctx, c, demand, actualOf, now)),
    });
    await repo.store.put(NS_OBSERVATION, key, { ...next, lastAt: t }, now, {
      expiresAt: Math.floor(end / 1000) + 30 * DAY_S,
    });
  }
}

function leadOf(ctx: BrainContext, id: string): number {
  const target = ctx.config.targets.find((x) => x.id === id);
  return target ? (target.leadTimeSeconds + target.marginSeconds) * 1000 : 0;
}

async function sampleOf(
  ctx: BrainContext,
  c: Campaign,
  demand: Record<string, DemandView>,
  actualOf: (id: string) => Actual | undefined,
  now: Date,
) {
  const layers: Record<string, { floor?: number; ready?: number }> = {};
  let observed = 0;
  let expected = 0;
  let seen = false;
  let served: boolean | undefined;
  for (const id of c.targets) {
    const a = actualOf(id);
    const floor = await ctx.deps.repo.campaignFloor(c.name, id, now);
    layers[id] = { floor, ready: a ? (a.ready ?? a.value) : undefined };
    const target = ctx.config.targets.find((x) => x.id === id);
    const view = target?.capacity ? demand[target.capacity.signal] : undefined;
    if (!target?.capacity || !view?.latest || !a) continue;
    // Rows outside the window are not the campaign's demand.
    if (
      view.latest.t < Date.parse(c.start) ||
      view.latest.t >= Date.parse(c.start) + c.durationSeconds * 1000
    )
      continue;
    const capacity = (a.ready ?? a.value) * target.capacity.perUnit;
    served = (served ?? true) && view.latest.perSecond <= capacity;
    if (seen) continue; // One signal's demand per campaign (its first serving layer's).
    seen = true;
    observed = view.latest.perSecond;
    // The forecast without the campaign (its window is left out of the history) for that row.
    expected = view.points[0]?.value ?? 0;
  }
  return { layers, served, demand: seen ? { observed, expected } : undefined };
}

/** Stores a campaign's outcome and writes it to the audit log, once (a claim guards concurrent reconciles). */
export async function recordOutcome(
  repo: Repo,
  key: string,
  obs: CampaignObservation,
  now: Date,
): Promise<void> {
  if (!(await repo.claim(`campaign-outcome:${key}`, now, 30 * DAY_S))) return;
  const outcome = outcomeOf(obs, now.getTime());
  await repo.store.put(NS_OUTCOME, key, outcome, now, {
    expiresAt: Math.floor(now.getTime() / 1000) + 400 * DAY_S,
  });
  await repo.store.put(NS_OBSERVATION, key, { ...obs, outcomeAt: outcome.recordedAt }, now, {
    expiresAt: Math.floor(now.getTime() / 1000) + 30 * DAY_S,
  });
  await repo.audit(
    {
      action: 'campaign-outcome',
      after: outcome,
      reason: `campaign ${obs.campaign} ended: ${describeOutcome(outcome)}`,
      actor: 'headroom',
    },
    now,
  );
}

/** The recorded outcomes, oldest campaign first. */
export async function campaignOutcomes(repo: Repo, now: Date): Promise<CampaignOutcome[]> {
  return (await repo.store.list<CampaignOutcome>(NS_OUTCOME, now))
    .map((i) => i.value)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}
