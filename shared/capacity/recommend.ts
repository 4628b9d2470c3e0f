import { formatDuration } from '../domain/duration.ts';
import type { Target } from '../domain/types.ts';
import { kindOf } from '../kinds/index.ts';
import type { TargetCurrent } from './current.ts';
import type { ActionKind, MeasureDef } from './measures.ts';
import { HOURS_PER_MONTH, hourlyPrice, storagePricePerGiBMonth } from './prices.ts';

/**
 * The recommended action for a measure that will cross its threshold: the next tier of the
 * target's ladder, one more replica within its bounds, more storage, or cluster mode (more
 * shards), with the lead time the kind gives for that change and a monthly price estimate
 * from the shipped price list where it lists the classes involved.
 */

export interface Recommendation {
  kind: ActionKind;
  text: string;
  leadTimeSeconds: number;
  /** From the kind's lead time table. */
  leadTimeSource: string;
  /** Extra USD per month (on-demand, from prices.json), if the list can say. */
  monthlyCostDelta?: number;
}

export interface RecommendInput {
  target: Target;
  measure: MeasureDef;
  /** The tier a ladder target runs on now. */
  tier?: string;
  /** What the target runs on now (read, configured or assumed): replicas and shards. */
  current?: TargetCurrent;
  /** The measure's limit (its 100 %) and the projection at the horizon's end, in measure units. */
  limit: number;
  projectedAtHorizon: number;
  threshold: number;
}

function leadTime(target: Target, dimension?: string): { seconds: number; source: string } {
  const kind = kindOf(target);
  const lt = (dimension && kind.leadTimeByDimension?.[dimension]) || undefined;
  return lt ?? { seconds: target.leadTimeSeconds, source: kind.leadTime.source };
}

const usd = (v: number | undefined) =>
  v === undefined ? undefined : Math.round(v * HOURS_PER_MONTH * 100) / 100;

function nextTier(i: RecommendInput): Recommendation {
  const t = i.target;
  const tiers = t.tiers ?? [];
  const at = i.tier ? tiers.indexOf(i.tier) : t.bounds.min;
  const next = tiers[at + 1];
  const lt = leadTime(t, kindOf(t).leadTimeByDimension?.nodeType ? 'nodeType' : undefined);
  if (!t.tiers) {
    // Not a ladder (a replicas or shards dimension): more memory means more shards.
    return clusterMode(i);
  }
  if (at < 0)
    return {
      kind: 'next-tier',
      text: `${t.id} runs on ${i.tier}, which is not on its ladder (${tiers.join(', ')}): add it to tiers to get a recommendation`,
      leadTimeSeconds: lt.seconds,
      leadTimeSource: lt.source,
    };
  if (!next || at + 1 > t.bounds.max)
    return {
      kind: 'next-tier',
      text: `${t.id} is at the top of its ladder (${tiers[at] ?? '?'}, bounds.max ${tiers[t.bounds.max]}): raise bounds.max or move load off it (read replicas, cluster mode)`,
      leadTimeSeconds: lt.seconds,
      leadTimeSource: lt.source,
    };
  const from = hourlyPrice(tiers[at]!, t.region);
  const to = hourlyPrice(next, t.region);
  return {
    kind: 'next-tier',
    text: `move ${t.id} from ${tiers[at]} to ${next}`,
    leadTimeSeconds: lt.seconds,
    leadTimeSource: lt.source,
    monthlyCostDelta: from !== undefined && to !== undefined ? usd(to - from) : undefined,
  };
}

function moreReplicas(i: RecommendInput): Recommendation {
  const t = i.target;
  const spec = t.spec as Record<string, unknown>;
  if (t.scale === 'ladder') return nextTier(i);
  const dim = kindOf(t).leadTimeByDimension?.replicas ? 'replicas' : undefined;
  if (dim && (spec.replicas === undefined || spec.shards !== undefined)) return clusterMode(i);
  const lt = leadTime(t, dim);
  const now = i.current?.replicas ?? t.baseline ?? t.bounds.min;
  // Enough replicas that the horizon's projection is back under the threshold, at least one more.
  const needed = Math.max(now + 1, Math.ceil((now * i.projectedAtHorizon) / ((i.threshold / 100) * i.limit)));
  const to = Math.min(needed, t.bounds.max);
  if (to <= now)
    return {
      kind: 'more-replicas',
      text: `${t.id} already has its bounds.max of ${t.bounds.max} replicas: raise bounds.max or a larger class`,
      leadTimeSeconds: lt.seconds,
      leadTimeSource: lt.source,
    };
  const cls = typeof spec.instanceClass === 'string' ? spec.instanceClass : undefined;
  const each = cls ? hourlyPrice(cls, t.region) : undefined;
  return {
    kind: 'more-replicas',
    text: `raise ${t.id} from ${now} to ${to} replicas${to < needed ? ` (bounds.max; ${needed} needed by the horizon)` : ''}`,
    leadTimeSeconds: lt.seconds,
    leadTimeSource: lt.source,
    monthlyCostDelta: each !== undefined ? usd(each * (to - now)) : undefined,
  };
}

function moreStorage(i: RecommendInput): Recommendation {
  const t = i.target;
  // Allocated storage so the horizon's projection sits at the threshold, rounded up to 10 GiB.
  const to = Math.max(
    Math.ceil(i.projectedAtHorizon / (i.threshold / 100) / 10) * 10,
    Math.ceil(i.limit * 1.1),
  );
  const perGiB = storagePricePerGiBMonth(t.region);
  return {
    kind: 'more-storage',
    text: `grow ${t.id}'s allocated storage from ${i.limit} GiB to ${to} GiB (or enable storage autoscaling)`,
    // ModifyDBInstance applies storage online; the next storage change must wait 6 hours.
    leadTimeSeconds: 3600,
    leadTimeSource: 'a storage increase applies online within minutes to an hour; the next one waits 6 hours',
    monthlyCostDelta: perGiB !== undefined ? Math.round((to - i.limit) * perGiB * 100) / 100 : undefined,
  };
}

function clusterMode(i: RecommendInput): Recommendation {
  const t = i.target;
  const spec = t.spec as Record<string, unknown>;
  const lt = leadTime(t, 'shards');
  const shards = spec.shards as { max: number } | undefined;
  const now = i.current?.shards;
  const larger = i.current?.tier ? `a node type larger than ${i.current.tier}` : 'a larger node type';
  return {
    kind: 'cluster-mode',
    text: shards
      ? `add a shard to ${t.id} (${now !== undefined ? `from ${now} to ${now + 1}, ` : ''}online resharding, up to shards.max ${shards.max})`
      : `enable cluster mode on ${t.id} and add shards (online resharding), or ${larger}`,
    leadTimeSeconds: lt.seconds,
    leadTimeSource: lt.source,
  };
}

export function recommend(i: RecommendInput): Recommendation {
  switch (i.measure.action) {
    case 'next-tier':
      return nextTier(i);
    case 'more-replicas':
      return moreReplicas(i);
    case 'more-storage':
      return moreStorage(i);
    case 'cluster-mode':
      return clusterMode(i);
  }
}

/** "db: move db from db.r6g.large to db.r6g.xlarge (lead time 30m, +$164.25/month)". */
export function describeAction(r: Recommendation): string {
  const cost = r.monthlyCostDelta !== undefined ? `, +$${r.monthlyCostDelta.toFixed(2)}/month on demand` : '';
  return `${r.text} (lead time ${formatDuration(r.leadTimeSeconds)}${cost})`;
}
