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
import type { Rehearsal, RehearsalEvent, RehearsalOptions } from './rehearsal-types.ts';
import { span, type Track, verdict } from './rehearsal-verdict.ts';

export type { LayerVerdict, Rehearsal, RehearsalEvent, RehearsalOptions } from './rehearsal-types.ts';
export { span } from './rehearsal-verdict.ts';

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
  if (p.decision === 'needs-approval' || p.decision === 'blocked' || p.waitsFor) {
    const stepId = p.steps[0]?.id;
    const why =
      p.decision === 'needs-approval'
        ? `approval pending for step ${stepId} (${p.reasons.at(-1) ?? 'approval required'})`
        : p.waitsFor
          ? `raised only once ${p.waitsFor.join(', ')} ${p.waitsFor.length > 1 ? 'are' : 'is'} ready (dependsOn)`
          : `blocked: ${p.reasons.at(-1) ?? 'unknown'}`;
    if (!tr.held.includes(why)) {
      tr.held.push(why);
      timeline.push({
        at: iso(now),
        target: target.id,
        kind: p.decision === 'needs-approval' ? 'approval-pending' : p.waitsFor ? 'waiting' : 'blocked',
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
