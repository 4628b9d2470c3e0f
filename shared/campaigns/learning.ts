import { formatDuration } from '../domain/duration.ts';
import { iso } from '../domain/time.ts';
import type { Campaign } from '../domain/types.ts';
import { campaignEnd } from './campaigns.ts';

/**
 * Campaign learning: while a campaign runs, each reconcile adds what it sees (observed demand
 * against the forecast without the campaign, whether the ready capacity served it, when each
 * layer's floor became ready); when it ends, the record becomes its outcome: the uplift that
 * actually came against the multiplier planned, each layer's readiness against the start, and
 * the minutes short. A recurring `series` suggests its next multiplier from its last outcomes.
 * Pure: the brain's hook (app/campaign-learning.ts) reads and stores the records.
 */

export interface CampaignObservation {
  campaign: string;
  start: string;
  end: string;
  series?: string;
  plannedMultiplier: number;
  /** Sums over the reconciles inside the window: observed and expected demand per second. */
  observed: number;
  expected: number;
  samples: number;
  /** Minutes in which observed demand exceeded the ready capacity of a serving layer. */
  shortMinutes: number;
  /** Per layer (target): the campaign's floor and when ready capacity first reached it (ISO). */
  layers: Record<string, { floor?: number; readyAt?: string }>;
  /** Set once the campaign ended and its outcome was recorded. */
  outcomeAt?: string;
}

export interface CampaignOutcome {
  campaign: string;
  series?: string;
  start: string;
  end: string;
  plannedMultiplier: number;
  /** Observed demand over the forecast without the campaign (undefined: no demand signal). */
  observedUplift?: number;
  shortMinutes: number;
  /** Seconds each layer was ready before the start (negative: after it; undefined: never). */
  layers: { target: string; floor?: number; readyAt?: string; leadSeconds?: number }[];
  recordedAt: string;
}

export function emptyObservation(c: Campaign): CampaignObservation {
  return {
    campaign: c.name,
    start: c.start,
    end: iso(campaignEnd(c)),
    series: c.series,
    plannedMultiplier: c.multiplier,
    observed: 0,
    expected: 0,
    samples: 0,
    shortMinutes: 0,
    layers: {},
  };
}

/** One reconcile's look at a campaign: demand in the window, and each layer's ready capacity. */
export interface CampaignSample {
  now: number;
  /** Minutes since the previous reconcile (what one short sample counts). */
  intervalMinutes: number;
  /** Observed and expected (no campaign) demand per second of the campaign's signals. */
  demand?: { observed: number; expected: number };
  /** Per serving layer: whether its ready capacity served the observed demand. */
  served?: boolean;
  /** Per layer: its campaign floor and ready units now. */
  layers: Record<string, { floor?: number; ready?: number }>;
}

export function observe(obs: CampaignObservation, s: CampaignSample): CampaignObservation {
  const out: CampaignObservation = { ...obs, layers: { ...obs.layers } };
  for (const [target, l] of Object.entries(s.layers)) {
    const prev = out.layers[target] ?? {};
    const floor = l.floor ?? prev.floor;
    const ready =
      prev.readyAt ??
      (floor !== undefined && l.ready !== undefined && l.ready >= floor ? iso(s.now) : undefined);
    out.layers[target] = { ...(floor !== undefined ? { floor } : {}), ...(ready ? { readyAt: ready } : {}) };
  }
  const inside = s.now >= Date.parse(obs.start) && s.now < Date.parse(obs.end);
  if (inside && s.demand) {
    out.observed += s.demand.observed;
    out.expected += s.demand.expected;
    out.samples++;
  }
  if (inside && s.served === false) out.shortMinutes += s.intervalMinutes;
  return out;
}

export function outcomeOf(obs: CampaignObservation, now: number): CampaignOutcome {
  const start = Date.parse(obs.start);
  return {
    campaign: obs.campaign,
    ...(obs.series ? { series: obs.series } : {}),
    start: obs.start,
    end: obs.end,
    plannedMultiplier: obs.plannedMultiplier,
    observedUplift:
      obs.samples > 0 && obs.expected > 0 ? Number((obs.observed / obs.expected).toFixed(2)) : undefined,
    shortMinutes: obs.shortMinutes,
    layers: Object.entries(obs.layers).map(([target, l]) => ({
      target,
      ...l,
      leadSeconds: l.readyAt ? Math.round((start - Date.parse(l.readyAt)) / 1000) : undefined,
    })),
    recordedAt: iso(now),
  };
}

/** `observed x4.2 (planned x5); ready: api 3m before, nodes 40s after; 0 short minutes`. */
export function describeOutcome(o: CampaignOutcome): string {
  const uplift =
    o.observedUplift !== undefined
      ? `observed x${o.observedUplift} (planned x${o.plannedMultiplier})`
      : `planned x${o.plannedMultiplier}, no demand signal observed`;
  const ready = o.layers
    .map((l) =>
      l.leadSeconds === undefined
        ? `${l.target} never ready`
        : `${l.target} ${formatDuration(Math.abs(l.leadSeconds))} ${l.leadSeconds >= 0 ? 'before' : 'after'}`,
    )
    .join(', ');
  return `${uplift}; ready: ${ready || 'no layer raised'}; ${o.shortMinutes} short minute(s)`;
}

/** How many of a series' last outcomes its suggestion reads. */
const SERIES_WINDOW = 3;

/**
 * The next multiplier of a recurring series: the median observed uplift of its last three
 * outcomes (a median: one freak campaign does not move it), undefined without any.
 */
export function suggestMultiplier(
  outcomes: CampaignOutcome[],
  series: string,
): { multiplier: number; from: string[]; reason: string } | undefined {
  const last = outcomes
    .filter((o) => o.series === series && o.observedUplift !== undefined)
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start))
    .slice(-SERIES_WINDOW);
  if (last.length === 0) return undefined;
  const ups = last.map((o) => o.observedUplift!).sort((a, b) => a - b);
  const mid =
    ups.length % 2 ? ups[(ups.length - 1) / 2]! : (ups[ups.length / 2 - 1]! + ups[ups.length / 2]!) / 2;
  const multiplier = Number(mid.toFixed(2));
  return {
    multiplier,
    from: last.map((o) => o.campaign),
    reason: `series ${series}: median observed uplift x${multiplier} of ${last.map((o) => `${o.campaign} x${o.observedUplift}`).join(', ')}`,
  };
}

/** What was learnt about a campaign: its outcome once it ended, and its series' suggestion. */
export function learntAbout(
  c: Campaign,
  outcomes: CampaignOutcome[],
): { outcome?: CampaignOutcome; suggestion?: ReturnType<typeof suggestMultiplier> } {
  const outcome = outcomes.find((o) => o.campaign === c.name && Date.parse(o.start) === Date.parse(c.start));
  const earlier = outcomes.filter((o) => Date.parse(o.start) < Date.parse(c.start));
  const suggestion = c.series && !outcome ? suggestMultiplier(earlier, c.series) : undefined;
  return { ...(outcome ? { outcome } : {}), ...(suggestion ? { suggestion } : {}) };
}

/** The lines `campaign list` prints under a campaign. */
export function learntLines(c: Campaign, outcomes: CampaignOutcome[]): string[] {
  const { outcome, suggestion } = learntAbout(c, outcomes);
  const lines: string[] = [];
  if (outcome) lines.push(`  outcome: ${describeOutcome(outcome)}`);
  if (suggestion)
    lines.push(
      `  suggested multiplier x${suggestion.multiplier} (planned x${c.multiplier}): ${suggestion.reason}`,
    );
  return lines;
}
