import type { z } from 'zod';
import { checkCapacitySection } from '../capacity/schema.ts';
import {
  DURATION_RULE,
  durationProblem,
  MAX_CAMPAIGN_SECONDS,
  MAX_DURATION_SECONDS,
  MIN_INTENT_SECONDS,
  parseCpuMillis,
  parseMemoryBytes,
  parseRaise,
} from '../domain/duration.ts';
import { ConfigError } from '../domain/errors.ts';
import {
  CAMPAIGN_NAME_RULE,
  countRule,
  isCampaignName,
  MULTIPLIER_RULE,
  parseCount,
  parseMultiplier,
} from '../domain/input.ts';
import { parseInstant } from '../domain/time.ts';
import type { Campaign, DemandSignal, Target } from '../domain/types.ts';
import { defaultLeadTimeSeconds, KINDS, type KindDefinition } from '../kinds/index.ts';
import { normaliseConstraints } from './constraints.ts';
import { setAheadOfDependents } from './dependencies.ts';
import { type Path, Problems } from './problems.ts';
import { normaliseSchedules } from './schedules.ts';
import { configSchema, type RawCampaign } from './schema.ts';
import { checkBacktestSection } from './sim-settings.ts';
import { normaliseSurge } from './surge.ts';
import { findCycles, normaliseTarget, unitsOf } from './targets.ts';
import type { Config, PredictiveConfig, Rule } from './types.ts';

export { formatPath, Problems } from './problems.ts';
export { unitsOf } from './targets.ts';

/**
 * Validates a configuration document already parsed from YAML or JSON and normalises it;
 * throws ConfigError listing every problem at once. No parser here: the functions read the
 * JSON the deploy bundles without loading a YAML parser.
 */
export function validateConfig(document: unknown, source?: string): Config {
  const problems = new Problems();
  const parsed = configSchema.safeParse(document);
  if (!parsed.success) {
    problems.addZod([], parsed.error);
    throw new ConfigError(problems.list);
  }
  const raw = parsed.data;
  const tz = raw.timezone;
  let maxIntentSeconds = raw.limits.maxIntentDuration;
  if (maxIntentSeconds < MIN_INTENT_SECONDS || maxIntentSeconds > MAX_DURATION_SECONDS) {
    problems.add(['limits', 'maxIntentDuration'], 'must lie between 1m and 366d');
    // Reported once: the rules are not measured against a cap that is itself wrong.
    maxIntentSeconds = MAX_DURATION_SECONDS;
  }

  // Targets, each with the schema of its kind.
  const targets: Target[] = [];
  for (const [id, rawTarget] of Object.entries(raw.targets)) {
    if (!KINDS.has(rawTarget.kind)) {
      problems.add(
        ['targets', id, 'kind'],
        `unknown kind "${rawTarget.kind}" (one of ${KINDS.names.join(', ')})`,
      );
      continue;
    }
    const kind = KINDS.of(rawTarget.kind);
    const res = kind.schema.safeParse(rawTarget);
    if (!res.success) {
      problems.addZod(['targets', id], res.error);
      continue;
    }
    const t = normaliseTarget(id, kind, res.data as Record<string, unknown>, raw, problems);
    if (t) targets.push(t);
  }
  const byId = new Map(targets.map((t) => [t.id, t]));
  const declared = new Set(Object.keys(raw.targets));

  // Clusters referenced by Kubernetes targets.
  for (const t of targets) {
    const needs = KINDS.of(t.kind).cluster;
    if (!needs) continue;
    const c = t.cluster ? raw.clusters[t.cluster] : undefined;
    if (!c) problems.add(['targets', t.id, 'cluster'], `unknown cluster "${t.cluster}"`);
    else if (needs === 'eks' && !c.eksCluster)
      problems.add(
        ['targets', t.id, 'cluster'],
        `cluster "${t.cluster}" has no eksCluster (${t.kind} targets need EKS)`,
      );
  }

  // Signals.
  const signals: Record<string, DemandSignal> = {};
  for (const [name, s] of Object.entries(raw.signals)) {
    const path = ['signals', name];
    if (s.source === 'cloudwatch' && !s.metric && !s.expression)
      problems.add(path, 'cloudwatch needs metric or expression');
    if (s.source === 'prometheus' && (!s.url || !s.query))
      problems.add(path, 'prometheus needs url and query');
    if (s.source === 'csv' && !s.file) problems.add(path, 'csv needs file');
    const { source, unit, baseline, ...spec } = s;
    signals[name] = { name, source, unit, baselinePerSecond: baseline, spec };
  }

  // Capacity models name declared signals.
  for (const t of targets) {
    if (t.capacity && !signals[t.capacity.signal])
      problems.add(['targets', t.id, 'capacity', 'signal'], `unknown signal "${t.capacity.signal}"`);
  }

  // Dependencies: declared, and no cycle.
  for (const t of targets) {
    t.dependsOn.forEach((d, i) => {
      if (!declared.has(d)) problems.add(['targets', t.id, 'dependsOn', i], `unknown target "${d}"`);
      if (d === t.id) problems.add(['targets', t.id, 'dependsOn', i], 'a target cannot depend on itself');
    });
  }
  // Constraints: they check their targets and add the dependencies they imply.
  const constraints = normaliseConstraints(raw.constraints, byId, problems);
  const cycles = findCycles(targets);
  for (const cycle of cycles) {
    problems.add(['targets', cycle[0]!, 'dependsOn'], `dependency cycle ${cycle.join(' -> ')}`);
  }
  if (cycles.length === 0) setAheadOfDependents(targets);

  // Rules.
  const rules: Rule[] = [];
  const ruleNames = new Set<string>();
  raw.rules.forEach((r, i) => {
    const path = ['rules', i];
    if (ruleNames.has(r.name)) problems.add([...path, 'name'], `duplicate rule name "${r.name}"`);
    ruleNames.add(r.name);
    const target = byId.get(r.then.target);
    if (!target) {
      // A declared target that failed validation is reported once, at its own path.
      if (!declared.has(r.then.target))
        problems.add([...path, 'then', 'target'], `unknown target "${r.then.target}"`);
      return;
    }
    if (r.when.state && !r.when.alarm)
      problems.add([...path, 'when', 'state'], 'state applies to alarm rules only');
    let floor: number | undefined;
    if (r.then.floor !== undefined)
      floor = unitsOf(target, r.then.floor, [...path, 'then', 'floor'], problems);
    const forProblem = durationProblem(r.then.for, maxIntentSeconds);
    if (forProblem)
      problems.add(
        [...path, 'then', 'for'],
        `${forProblem}${r.then.for > maxIntentSeconds ? ' (limits.maxIntentDuration)' : ''}`,
      );
    if (r.releaseOnResolve && r.when.cron)
      problems.add([...path, 'releaseOnResolve'], 'cron rules have nothing to resolve');
    rules.push({
      name: r.name,
      when: { ...r.when, state: r.when.alarm ? (r.when.state ?? 'ALARM') : undefined },
      then: { target: r.then.target, floor, raise: r.then.raise, forSeconds: r.then.for },
      releaseOnResolve: r.releaseOnResolve ?? false,
    });
  });

  // Predictive entries.
  const predictive: PredictiveConfig[] = [];
  raw.predictive.forEach((p, i) => {
    const path = ['predictive', i];
    const target = byId.get(p.target);
    if (!declared.has(p.target)) problems.add([...path, 'target'], `unknown target "${p.target}"`);
    if (!signals[p.signal]) problems.add([...path, 'signal'], `unknown signal "${p.signal}"`);
    if (target && !target.capacity)
      problems.add([...path, 'target'], `target "${p.target}" has no capacity model`);
    if (target?.capacity && target.capacity.signal !== p.signal)
      problems.add(
        [...path, 'signal'],
        `target "${p.target}" measures "${target.capacity.signal}", not "${p.signal}"`,
      );
    predictive.push({
      target: p.target,
      signal: p.signal,
      horizonSeconds: p.horizon,
      quantile: p.quantile,
      mode: p.mode,
      ...(p.slo ? { slo: p.slo } : {}),
    });
  });

  // Campaigns.
  const campaigns: Campaign[] = [];
  const campaignNames = new Set<string>();
  raw.campaigns.forEach((c, i) => {
    if (campaignNames.has(c.name)) problems.add(['campaigns', i, 'name'], `duplicate campaign "${c.name}"`);
    campaignNames.add(c.name);
    const campaign = normaliseCampaign(c, { timezone: tz, targets, declared }, ['campaigns', i], problems);
    if (campaign) campaigns.push(campaign);
  });

  const schedules = normaliseSchedules(
    raw.schedules,
    { timezone: tz, targets, declared, maxIntentSeconds },
    problems,
  );

  checkBacktestSection(raw.backtest, new Map(targets.map((t) => [t.id, t.kind])), (p, m) =>
    problems.add(p, m),
  );

  const surge = normaliseSurge(raw.surge, { signals, targets, declared }, (p, m) => problems.add(p, m));
  checkCapacitySection(
    raw.capacity,
    {
      kinds: new Map(targets.map((t) => [t.id, t.kind])),
      signals: new Set(Object.keys(signals)),
      tiers: new Map(targets.map((t) => [t.id, t.tiers])),
    },
    (p, m) => problems.add(p, m),
  );

  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return {
    version: 1,
    timezone: tz,
    defaults: {
      cooldownSeconds: raw.defaults.cooldown,
      scaleDownDelaySeconds: raw.defaults.scaleDownDelay,
      maxStepPercent: raw.defaults.maxStepPercent,
      dryRun: raw.defaults.dryRun,
      reconcileIntervalSeconds: raw.defaults.reconcileInterval,
      ...(raw.defaults.parallelSteps > 1 ? { parallelSteps: raw.defaults.parallelSteps } : {}),
    },
    limits: { maxIntentSeconds },
    clusters: Object.fromEntries(Object.entries(raw.clusters).map(([id, c]) => [id, { id, ...c }])),
    targets,
    signals,
    rules,
    predictive,
    campaigns,
    ...(constraints.length > 0 ? { constraints } : {}),
    ...(surge ? { surge } : {}),
    ...(schedules.length ? { schedules } : {}),
    access: raw.access,
    notifications: raw.notifications,
    backtest: raw.backtest,
    capacity: raw.capacity,
    source,
  };
}

/**
 * A campaign as written (in the config, from the CLI, Slack or an event) checked against the
 * config's targets; times without an offset are in the config time zone.
 */
export function normaliseCampaign(
  c: RawCampaign,
  ctx: { timezone: string; targets: Target[]; declared?: Set<string> },
  path: Path,
  problems: Problems,
): Campaign | undefined {
  const before = problems.list.length;
  // Campaigns also arrive from the CLI, Slack and the bus without the config schema: check all.
  if (!isCampaignName(c.name))
    problems.add([...path, 'name'], `invalid campaign name "${c.name}" (${CAMPAIGN_NAME_RULE})`);
  const start = typeof c.start === 'string' ? parseInstant(c.start, ctx.timezone) : undefined;
  if (start === undefined)
    problems.add([...path, 'start'], `invalid time "${c.start}" (ISO-8601, e.g. 2026-11-27T20:55:00+01:00)`);
  const durationWrong =
    typeof c.duration === 'number' ? durationProblem(c.duration, MAX_CAMPAIGN_SECONDS) : DURATION_RULE;
  if (durationWrong) problems.add([...path, 'duration'], durationWrong);
  if (parseMultiplier(c.multiplier) === undefined)
    problems.add([...path, 'multiplier'], `${c.multiplier} is not ${MULTIPLIER_RULE}`);
  if (!Array.isArray(c.targets) || c.targets.length === 0) {
    problems.add([...path, 'targets'], 'needs at least one target');
    return undefined;
  }
  const byId = new Map(ctx.targets.map((t) => [t.id, t]));
  const known = (id: string) => byId.has(id) || ctx.declared?.has(id);
  c.targets.forEach((id, i) => {
    if (!known(id)) problems.add([...path, 'targets', i], `unknown target "${id}"`);
  });
  const floors: Record<string, number> = {};
  for (const [id, v] of Object.entries(c.floors ?? {})) {
    const t = byId.get(id);
    if (!t) {
      if (!known(id)) problems.add([...path, 'floors', id], `unknown target "${id}"`);
    } else if (!c.targets.includes(id))
      problems.add([...path, 'floors', id], `"${id}" is not one of the campaign's targets`);
    else {
      const u = unitsOf(t, v, [...path, 'floors', id], problems);
      if (u !== undefined) floors[id] = u;
    }
  }
  if (problems.list.length > before) return undefined;
  return {
    name: c.name,
    start: new Date(start!).toISOString(),
    durationSeconds: c.duration,
    multiplier: c.multiplier,
    targets: c.targets,
    floors: Object.keys(floors).length ? floors : undefined,
    approved: c.approved,
    ...(c.series ? { series: c.series } : {}),
  };
}

/** A relative raise from text, for callers outside the config (Slack, events). */
export function raiseFrom(text: string | number) {
  return parseRaise(text);
}
