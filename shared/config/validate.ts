import type { z } from 'zod';
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
import { configSchema, type RawCampaign } from './schema.ts';
import { checkBacktestSection } from './sim-settings.ts';
import type { Config, PredictiveConfig, Rule } from './types.ts';

type Path = (string | number | symbol)[];

/** `['targets', 'db', 'tiers', 4]` -> `targets.db.tiers[4]` */
export function formatPath(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

class Problems {
  readonly list: string[] = [];
  add(path: Path, message: string): void {
    this.list.push(`${formatPath(path)}: ${message}`);
  }
  addZod(prefix: Path, error: z.ZodError): void {
    for (const issue of error.issues) {
      let message = issue.message;
      if (issue.code === 'unrecognized_keys')
        message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      this.add([...prefix, ...issue.path], message);
    }
  }
}

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
  for (const cycle of findCycles(targets)) {
    problems.add(['targets', cycle[0]!, 'dependsOn'], `dependency cycle ${cycle.join(' -> ')}`);
  }

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

  checkBacktestSection(raw.backtest, new Map(targets.map((t) => [t.id, t.kind])), (p, m) =>
    problems.add(p, m),
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
    },
    limits: { maxIntentSeconds },
    clusters: Object.fromEntries(Object.entries(raw.clusters).map(([id, c]) => [id, { id, ...c }])),
    targets,
    signals,
    rules,
    predictive,
    campaigns,
    access: raw.access,
    notifications: raw.notifications,
    backtest: raw.backtest,
    source,
  };
}

type RawConfigData = z.infer<typeof configSchema>;

function normaliseTarget(
  id: string,
  kind: KindDefinition,
  t: Record<string, unknown>,
  raw: RawConfigData,
  problems: Problems,
): Target | undefined {
  const path = ['targets', id];
  const before = problems.list.length;
  const shape = kind.shape(t, { add: (rel, message) => problems.add([...path, ...rel], message) });
  if (!shape) return undefined;
  const { scale, tiers, bounds, dimension } = shape;
  const spec: Record<string, unknown> = { ...t };
  if (dimension !== undefined) spec.dimension = dimension;
  const granularity = kind.granularity;
  if (scale === 'count') {
    for (const k of ['min', 'max'] as const) {
      const v = bounds[k];
      if (Math.abs(v / granularity - Math.round(v / granularity)) > 1e-9)
        problems.add([...path, 'bounds', k], `must be a multiple of ${granularity}`);
    }
  }

  let podResources: Target['podResources'];
  const pod = t.pod as { cpu: string | number; memory: string | number } | undefined;
  if (pod) podResources = { cpuMillis: parseCpuMillis(pod.cpu)!, memoryBytes: parseMemoryBytes(pod.memory)! };

  const leadTimeSeconds = (t.leadTime as number | undefined) ?? defaultLeadTimeSeconds(kind, dimension);
  const cluster = t.cluster as string | undefined;
  const target: Target = {
    id,
    kind: kind.name,
    scale,
    field: typeof kind.field === 'string' ? kind.field : kind.field(shape),
    tiers,
    bounds,
    granularity,
    leadTimeSeconds,
    marginSeconds: (t.margin as number | undefined) ?? Math.max(60, Math.ceil(leadTimeSeconds * 0.1)),
    cooldownSeconds: (t.cooldown as number | undefined) ?? raw.defaults.cooldown,
    scaleDownDelaySeconds: (t.scaleDownDelay as number | undefined) ?? raw.defaults.scaleDownDelay,
    maxStepPercent: (t.maxStepPercent as number | undefined) ?? raw.defaults.maxStepPercent,
    dryRun: (t.dryRun as boolean | undefined) ?? raw.defaults.dryRun,
    approval: (t.approval as 'none' | 'required' | undefined) ?? 'none',
    dependsOn: (t.dependsOn as string[] | undefined) ?? [],
    capacity: t.capacity as Target['capacity'],
    cluster,
    region: (t.region as string | undefined) ?? (cluster ? raw.clusters[cluster]?.region : undefined),
    roleArn: (t.roleArn as string | undefined) ?? (cluster ? raw.clusters[cluster]?.roleArn : undefined),
    podResources,
    spec,
  };
  if (t.baseline !== undefined)
    target.baseline = unitsOf(target, t.baseline as number | string, [...path, 'baseline'], problems);
  if (
    target.baseline !== undefined &&
    (target.baseline < target.bounds.min || target.baseline > target.bounds.max)
  )
    problems.add([...path, 'baseline'], 'must lie within bounds');
  return problems.list.length === before ? target : undefined;
}

/** A floor as written (a count, or a tier name for ladder targets) in units. */
export function unitsOf(
  target: Target,
  v: number | string,
  path: Path,
  problems: Problems,
): number | undefined {
  if (target.scale === 'ladder') {
    const i = typeof v === 'string' ? target.tiers!.indexOf(v) : -1;
    if (i < 0) {
      problems.add(path, `"${v}" is not on the tier ladder of ${target.id} (${target.tiers!.join(', ')})`);
      return undefined;
    }
    return i;
  }
  const n = parseCount(v, target.granularity);
  if (n === undefined) {
    problems.add(path, `expected ${countRule(target.granularity)}, got "${v}"`);
    return undefined;
  }
  return n;
}

/** Every elementary cycle once, as a path of ids that returns to its start. */
function findCycles(targets: Target[]): string[][] {
  const edges = new Map(targets.map((t) => [t.id, t.dependsOn.filter((d) => d !== t.id)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (id: string) => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const d of edges.get(id) ?? []) {
      if (!edges.has(d)) continue;
      if (state.get(d) === 'visiting') cycles.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of edges.keys()) if (!state.has(id)) visit(id);
  return cycles;
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
  };
}

export { Problems };

/** A relative raise from text, for callers outside the config (Slack, events). */
export function raiseFrom(text: string | number) {
  return parseRaise(text);
}
