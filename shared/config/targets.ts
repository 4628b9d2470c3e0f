import type { z } from 'zod';
import { parseCpuMillis, parseMemoryBytes } from '../domain/duration.ts';
import { countRule, parseCount } from '../domain/input.ts';
import type { Target } from '../domain/types.ts';
import { defaultLeadTimeSeconds, type KindDefinition } from '../kinds/index.ts';
import type { Path, Problems } from './problems.ts';
import type { configSchema } from './schema.ts';

/** A target as written, checked by its kind and normalised into the planner's units. */

export type RawConfigData = z.infer<typeof configSchema>;

export function normaliseTarget(
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
  const { scale, tiers, bounds, dimension, values } = shape;
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

  const leadTimeSeconds = (t.leadTime as number | undefined) ?? defaultLeadTimeSeconds(kind, dimension, t);
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
    ...dependencies(t.dependsOn as DependsOnEntry[] | undefined),
    capacity: t.capacity as Target['capacity'],
    cluster,
    region: (t.region as string | undefined) ?? (cluster ? raw.clusters[cluster]?.region : undefined),
    roleArn: (t.roleArn as string | undefined) ?? (cluster ? raw.clusters[cluster]?.roleArn : undefined),
    podResources,
    spec,
    ...(values ? { values } : {}),
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

type DependsOnEntry = string | { target: string; soft?: boolean };

/** `dependsOn` as written (ids or `{ target, soft }`): the ids, and those of soft edges. */
function dependencies(list: DependsOnEntry[] | undefined): Pick<Target, 'dependsOn' | 'softDependsOn'> {
  const entries = list ?? [];
  const dependsOn = entries.map((d) => (typeof d === 'string' ? d : d.target));
  const soft = entries.flatMap((d) => (typeof d !== 'string' && d.soft ? [d.target] : []));
  return soft.length > 0 ? { dependsOn, softDependsOn: soft } : { dependsOn };
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
export function findCycles(targets: Target[]): string[][] {
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
