import { campaignEnd } from '../campaigns/campaigns.ts';
import type { Config } from '../config/types.ts';
import { InputError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type { Campaign, Intent, Target } from '../domain/types.ts';
import { display, stepsBetween } from '../domain/units.ts';
import { describeError } from '../executor/executor.ts';
import { type FullPlan, intentStart, isReadFailure } from '../planner/plan.ts';
import { stageIntervalSeconds } from '../planner/windows.ts';
import type { ActuatorRegistry } from '../ports/actuator.ts';
import { ManualClock } from '../ports/clock.ts';
import { nullNotifier } from '../ports/notifier.ts';
import { SimCloud } from '../sim/cloud.ts';
import { MemoryStateStore } from '../sim/memory-store.ts';
import { Repo } from '../state/repo.ts';
import { Brain } from './brain.ts';
import { forecastWiring } from './forecast-wiring.ts';

/** One thing that happened on the simulated clock. */
export interface RehearsalEvent {
  at: string;
  target?: string;
  kind:
    | 'rehearsal-start'
    | 'campaign-start'
    | 'campaign-end'
    | 'step'
    | 'failed'
    | 'ready'
    | 'approval-pending'
    | 'blocked'
    | 'reverted'
    | 'rehearsal-end';
  text: string;
  /** A step: the change in units (for the timeline). */
  from?: number;
  to?: number;
}

/** Whether one layer (a campaign target) has its campaign capacity ready at the start. */
export interface LayerVerdict {
  target: string;
  kind: string;
  /** `ready`: in time; `late`: ready after the start; `not-ready`: never during the campaign. */
  status: 'ready' | 'late' | 'not-ready';
  /** Minutes ready before the start (ready) or late after it (late, not-ready: until the end). */
  minutes: number;
  /** The value at the rehearsal start and the one the campaign needs at its start. */
  from: number | string;
  need: number | string;
  /** When the first step was due (the need minus lead time, margin and staging) and when it ran. */
  dueAt?: string;
  firstStepAt?: string;
  readyAt?: string;
  revertedAt?: string;
  leadTime: string;
  reasons: string[];
  /** The campaign wants more than the bounds allow: ready at the bound, short of the demand. */
  capped?: string;
  /** Ready capacity (units) over the rehearsal, one point per change, for the timeline. */
  series: { at: string; ready: number; value: number }[];
}

export interface Rehearsal {
  campaign: { name: string; start: string; end: string; targets: string[] };
  /** When the simulated clock started and stopped. */
  from: string;
  until: string;
  /** The actual state came from AWS reads (`--cloud aws`) instead of the simulator's defaults. */
  seeded: boolean;
  /** Said when the rehearsal did not start at the requested time (a campaign in the past). */
  notes: string[];
  layers: LayerVerdict[];
  timeline: RehearsalEvent[];
}

export interface RehearsalOptions {
  config: Config;
  campaign: string;
  /** When the rehearsal starts: normally now (the time left before the campaign is real). */
  now: Date;
  /** Campaigns of the calendar besides the configured ones (stored with `campaign add`). */
  calendar?: Campaign[];
  /**
   * The real actuators, read once to seed the simulator. Their writes are never called: every
   * change of the rehearsal goes to the simulated cloud.
   */
  seedFrom?: ActuatorRegistry;
  /** Or the actual values (units per target) already read, e.g. by the running brain. */
  initial?: Record<string, number>;
  /** Guard against a plan that never settles. */
  maxTicks?: number;
}

/** The longest the simulated clock moves in one tick when no step or readiness is due sooner. */
const MAX_STRIDE_MS = 5 * 60_000;
/** After the campaign end (plus the scale-down delay), how long the revert may take at most. */
const REVERT_LIMIT_MS = 12 * 3600_000;

/** Reads the real state once; only `read` is ever called on the given registry. */
export async function readSeed(
  config: Config,
  registry: ActuatorRegistry,
): Promise<{ initial: Record<string, number>; problems: string[] }> {
  const initial: Record<string, number> = {};
  const problems: string[] = [];
  await Promise.all(
    config.targets.map(async (t) => {
      try {
        initial[t.id] = (await registry(t).read(t)).value;
      } catch (err) {
        problems.push(
          `${t.id}: cannot read the actual state (${describeError(err)}); simulated from its baseline`,
        );
      }
    }),
  );
  return { initial, problems };
}

function findCampaign(config: Config, calendar: Campaign[], name: string): Campaign {
  const byName = new Map([...config.campaigns, ...calendar].map((c) => [c.name, c]));
  const c = byName.get(name);
  if (!c || c.cancelled)
    throw new InputError(
      `${c ? 'cancelled' : 'unknown'} campaign "${name}" (known: ${[...byName.values()]
        .filter((x) => !x.cancelled)
        .map((x) => x.name)
        .join(', ')})`,
    );
  return c;
}

/**
 * Plays a campaign on a simulated clock, from its first step to the end of its revert: the
 * real Brain reconciles against the simulated cloud (seeded with the actual state when real
 * actuators are given) at every instant a step, a readiness or a window edge is due, and each
 * campaign target gets a verdict: ready before the start, or late and why.
 */
export async function rehearse(opts: RehearsalOptions): Promise<Rehearsal> {
  const campaign = findCampaign(opts.config, opts.calendar ?? [], opts.campaign);
  // The rehearsal plays this campaign only: other campaigns of the calendar stay out of it.
  const config: Config = { ...opts.config, campaigns: [campaign] };
  const start = Date.parse(campaign.start);
  const end = campaignEnd(campaign);
  const notes: string[] = [];
  let seeded = false;
  let initial = opts.initial;
  if (initial) seeded = true;
  else if (opts.seedFrom) {
    const seed = await readSeed(config, opts.seedFrom);
    initial = seed.initial;
    notes.push(...seed.problems);
    seeded = true;
  }
  const clock = new ManualClock(opts.now);
  const sim = new SimCloud(config, { clock, initial });
  const brain = new Brain({
    config,
    repo: new Repo(new MemoryStateStore()),
    actuators: sim.registry,
    clock,
    notifier: nullNotifier,
    ...forecastWiring(config, { sim: sim.metrics }),
    owner: 'rehearsal',
  });
  const targets = campaign.targets.map((id) => brain.target(id));

  let from = opts.now.getTime();
  if (end <= from) {
    // A campaign in the past is played as if it were still ahead: from its first step.
    const due = await firstDue(brain, campaign, targets, start);
    from = Math.min(due, start) - 60_000;
    notes.push(
      `the campaign ended before ${iso(opts.now)}: rehearsed from its first step as if it were still ahead`,
    );
  }
  clock.set(from);
  const timeline: RehearsalEvent[] = [
    { at: iso(from), kind: 'rehearsal-start', text: `rehearsal of ${campaign.name} starts` },
  ];
  const baseline = new Map(targets.map((t) => [t.id, sim.value(t.id)]));
  const track = new Map(targets.map((t) => [t.id, newTrack()]));
  const record = (t: number, target: Target) => {
    const tr = track.get(target.id)!;
    const ready = sim.ready(target.id, t);
    const value = sim.value(target.id);
    const last = tr.series.at(-1);
    if (!last || last.ready !== ready || last.value !== value) tr.series.push({ at: iso(t), ready, value });
  };
  for (const t of targets) record(from, t);

  const maxDelay = Math.max(0, ...targets.map((t) => t.scaleDownDelaySeconds)) * 1000;
  const stopBy = end + maxDelay + REVERT_LIMIT_MS;
  const edges = [start, end, ...targets.map((t) => end + t.scaleDownDelaySeconds * 1000)];
  let startSeen = from >= start;
  let endSeen = from >= end;
  if (startSeen)
    timeline.push({ at: campaign.start, kind: 'campaign-start', text: `${campaign.name} starts` });
  let now = from;
  const readyAts: number[] = [];
  for (let tick = 0; tick < (opts.maxTicks ?? 2000); tick++) {
    clock.set(now);
    if (!startSeen && now >= start) {
      startSeen = true;
      timeline.push({ at: iso(start), kind: 'campaign-start', text: `${campaign.name} starts` });
    }
    if (!endSeen && now >= end) {
      endSeen = true;
      timeline.push({ at: iso(end), kind: 'campaign-end', text: `${campaign.name} ends` });
    }
    const { plan, results } = await brain.reconcile('rehearsal');
    for (const r of results) {
      if (r.outcome !== 'executed' && r.outcome !== 'failed') continue;
      const target = brain.target(r.target);
      const step = plan.targets.find((p) => p.id === r.target)?.steps.find((s) => s.id === r.stepId);
      if (r.outcome === 'failed') {
        timeline.push({
          at: iso(now),
          target: r.target,
          kind: 'failed',
          text: `step ${r.stepId} failed: ${r.message ?? ''}`,
        });
        continue;
      }
      if (!step) continue;
      const tr = track.get(r.target);
      if (tr && !tr.firstStep && step.direction === 'up') tr.firstStep = now;
      if (step.direction === 'up') readyAts.push(now + target.leadTimeSeconds * 1000);
      timeline.push({
        at: iso(now),
        target: r.target,
        kind: 'step',
        from: step.from,
        to: step.to,
        text: `${r.target} ${display(target, step.from)} -> ${display(target, step.to)}${step.direction === 'up' ? ` (ready at ${iso(now + target.leadTimeSeconds * 1000)})` : ''}`,
      });
    }
    for (const target of targets) {
      record(now, target);
      observe(track.get(target.id)!, plan, target, now, start, timeline, sim);
    }
    const settled =
      now >= end + maxDelay &&
      targets.every((t) => {
        const p = plan.targets.find((x) => x.id === t.id);
        return p?.decision === 'no-op' && sim.ready(t.id, now) === sim.value(t.id);
      });
    for (const target of targets) {
      const tr = track.get(target.id)!;
      if (
        now > end &&
        tr.revertedAt === undefined &&
        tr.firstStep !== undefined &&
        sim.value(target.id) <= baseline.get(target.id)!
      ) {
        tr.revertedAt = now;
        timeline.push({
          at: iso(now),
          target: target.id,
          kind: 'reverted',
          text: `${target.id} back to ${display(target, sim.value(target.id))}`,
        });
      }
    }
    if (settled || now >= stopBy) break;
    now = nextTick(now, plan, [...edges, ...readyAts]);
  }
  timeline.push({ at: iso(now), kind: 'rehearsal-end', text: `rehearsal of ${campaign.name} ends` });
  timeline.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  const layers = targets.map((target) =>
    verdict(target, track.get(target.id)!, baseline.get(target.id)!, from, start, end),
  );
  return {
    campaign: { name: campaign.name, start: iso(start), end: iso(end), targets: campaign.targets },
    from: iso(from),
    until: iso(now),
    seeded,
    notes,
    layers,
    timeline,
  };
}

interface Track {
  /** Units the campaign needs, as the plan states it once the target's raise is due. */
  need?: number;
  needReasons: string[];
  firstStep?: number;
  readyAt?: number;
  revertedAt?: number;
  /** Why the target was held back before it was ready: approvals, blocks, guards. */
  held: string[];
  series: { at: string; ready: number; value: number }[];
}

function newTrack(): Track {
  return { needReasons: [], held: [], series: [] };
}

/** The earliest instant a step of the campaign is due, from the brain's own intents. */
async function firstDue(brain: Brain, campaign: Campaign, targets: Target[], start: number): Promise<number> {
  const probe = new Date(start - 86400_000);
  const actuals = await brain.readActuals();
  const intents = await brain.allIntents(probe, actuals);
  let due = start;
  for (const i of intents) {
    if (i.campaign !== campaign.name) continue;
    const target = targets.find((t) => t.id === i.target);
    const a = actuals[i.target];
    if (!target || !a || isReadFailure(a)) continue;
    due = Math.min(due, intentStart(target, i, a.value));
  }
  return due;
}

/** What the plan says of one campaign target at this tick: its need, and what holds it back. */
function observe(
  tr: Track,
  plan: FullPlan,
  target: Target,
  now: number,
  start: number,
  timeline: RehearsalEvent[],
  sim: SimCloud,
): void {
  const p = plan.targets.find((x) => x.id === target.id);
  if (!p) return;
  const campaignHolds = p.campaigns.length > 0;
  if (campaignHolds && (now <= start || tr.need === undefined)) {
    // The value the campaign needs: where the plan's steps end, else what the target has.
    const need = p.steps.at(-1)?.to ?? (p.decision === 'blocked' ? undefined : sim.value(target.id));
    if (need !== undefined) {
      tr.need = need;
      // The planner says "capped at max 10" (campaign floor) or "capped at bounds max 10".
      tr.needReasons = [
        ...new Set(p.reasons.flatMap((r) => /capped at (?:bounds )?max [^\s;,)]+/.exec(r)?.[0] ?? [])),
      ];
    }
  }
  if (tr.readyAt !== undefined || !campaignHolds) return;
  if (p.decision === 'needs-approval' || p.decision === 'blocked') {
    const stepId = p.steps[0]?.id;
    const why =
      p.decision === 'needs-approval'
        ? `approval pending for step ${stepId} (${p.reasons.at(-1) ?? 'approval required'})`
        : `blocked: ${p.reasons.at(-1) ?? 'unknown'}`;
    if (!tr.held.includes(why)) {
      tr.held.push(why);
      timeline.push({
        at: iso(now),
        target: target.id,
        kind: p.decision === 'needs-approval' ? 'approval-pending' : 'blocked',
        text: `${target.id}: ${why}`,
      });
    }
  }
  if (tr.need !== undefined && sim.ready(target.id, now) >= tr.need && now >= (tr.firstStep ?? 0)) {
    tr.readyAt = now;
    timeline.push({
      at: iso(now),
      target: target.id,
      kind: 'ready',
      text: `${target.id} ready at ${display(target, tr.need)}`,
    });
  }
}

/** The next instant something is due: a step, a readiness, a window edge; at most a stride. */
function nextTick(now: number, plan: FullPlan, due: number[]): number {
  let next = now + MAX_STRIDE_MS;
  for (const t of plan.targets)
    for (const s of t.steps) {
      const at = Date.parse(s.at);
      if (at > now && at < next) next = at;
    }
  for (const at of due) if (at > now && at < next) next = at;
  return next;
}

/** A span for people: `44m`, `12m30s`, `1h5m`. */
export function span(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest ? `${rest}s` : ''}`;
  return out || '0m';
}

function verdict(
  target: Target,
  tr: Track,
  initial: number,
  from: number,
  start: number,
  end: number,
): LayerVerdict {
  const need = tr.need ?? initial;
  const stages = need > initial ? Math.max(0, stepsBetween(target, initial, need) - 1) : 0;
  const staging = stages * stageIntervalSeconds(target);
  const leadSeconds = target.leadTimeSeconds + target.marginSeconds + staging;
  const due =
    need > initial ? intentStart(target, { floor: need, from: iso(start) } as Intent, initial) : undefined;
  const reasons: string[] = [...tr.held];
  if (due !== undefined && due < from) {
    const parts = [`lead time ${span(target.leadTimeSeconds)}`];
    if (target.marginSeconds) parts.push(`margin ${span(target.marginSeconds)}`);
    if (staging) parts.push(`${stages} staged step(s) ${span(staging)}`);
    reasons.unshift(
      `${parts.join(' + ')} = ${span(leadSeconds)} is longer than the ${span((start - Math.max(from, 0)) / 1000)} left before the start`,
    );
  }
  // Ready since the last change that brought ready capacity up to the need (the start, when the
  // actual state already covered it).
  let readyAt = tr.readyAt ?? (need <= initial ? from : undefined);
  if (readyAt !== undefined) {
    const before = tr.series.filter((p) => Date.parse(p.at) <= readyAt!);
    const short = before.findLastIndex((p) => p.ready < need);
    readyAt = short < 0 ? from : Date.parse(before[short + 1]?.at ?? iso(readyAt));
  }
  const status = readyAt === undefined ? 'not-ready' : readyAt <= start ? 'ready' : 'late';
  if (status === 'ready' && need <= initial)
    reasons.push('no change needed: the current value covers the campaign');
  const mins =
    status === 'ready'
      ? Math.floor((start - readyAt!) / 60_000)
      : Math.ceil(((readyAt ?? end) - start) / 60_000);
  return {
    target: target.id,
    kind: target.kind,
    status,
    minutes: mins,
    from: display(target, initial),
    need: display(target, need),
    dueAt: due !== undefined ? iso(due) : undefined,
    firstStepAt: tr.firstStep !== undefined ? iso(tr.firstStep) : undefined,
    readyAt: readyAt !== undefined ? iso(readyAt) : undefined,
    revertedAt: tr.revertedAt !== undefined ? iso(tr.revertedAt) : undefined,
    leadTime: span(target.leadTimeSeconds),
    reasons,
    ...(tr.needReasons[0] ? { capped: tr.needReasons[0] } : {}),
    series: tr.series,
  };
}
