import { parseCpuMillis, parseMemoryBytes } from '../../domain/duration.ts';
import type { PodResources } from '../../domain/types.ts';
import {
  REPLACED_ANNOTATION,
  type Replacements,
  readReplaced,
  replacedAnnotation,
  sameJson,
} from './replaced.ts';

/** The parts of a karpenter.sh/v1 NodePool Headroom reads and writes. */
export interface NodePool {
  metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: {
    limits?: Record<string, string>;
    disruption?: { budgets?: Budget[] | null; consolidationPolicy?: string };
    template?: { spec?: { taints?: { key: string; value?: string; effect: string }[] } };
  };
  status?: { resources?: Record<string, string> };
}

export interface Budget {
  nodes: string;
  schedule?: string;
  duration?: string;
  reasons?: string[];
}

/** No voluntary disruption at all: Karpenter neither consolidates nor drifts nodes away. */
export const NO_DISRUPTION: Budget[] = [{ nodes: '0' }];

const GI = 1024 ** 3;

/** Limit keys Headroom knows how to size; any other limit (GPUs...) is left as it is. */
const SIZED = ['cpu', 'memory', 'nodes'] as const;
type Sized = (typeof SIZED)[number];

function amount(key: Sized, q: string | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (key === 'cpu') return parseCpuMillis(q);
  if (key === 'memory') return parseMemoryBytes(q);
  const n = Number(q);
  return Number.isFinite(n) ? n : undefined;
}

function quantity(key: Sized, v: number): string {
  if (key === 'cpu') return String(Math.ceil(v / 1000));
  if (key === 'memory') return `${Math.ceil(v / GI)}Gi`;
  return String(Math.ceil(v));
}

/**
 * What the pool's limits must allow during a campaign with `spare` warm nodes: the nodes it
 * has now, plus the spare nodes, plus as many again for the placeholders the surge displaces
 * (they go pending and Karpenter launches nodes for them). A node is sized as the larger of
 * one placeholder and the pool's average node today.
 */
export function limitsNeeded(np: NodePool, spare: number, placeholder: PodResources): Record<Sized, number> {
  const used = np.status?.resources ?? {};
  const nodes = amount('nodes', used.nodes) ?? 0;
  const cpu = amount('cpu', used.cpu) ?? 0;
  const memory = amount('memory', used.memory) ?? 0;
  const perNodeCpu = Math.max(placeholder.cpuMillis, nodes > 0 ? cpu / nodes : 0);
  const perNodeMemory = Math.max(placeholder.memoryBytes, nodes > 0 ? memory / nodes : 0);
  const added = 2 * spare;
  return { cpu: cpu + added * perNodeCpu, memory: memory + added * perNodeMemory, nodes: nodes + added };
}

export interface NodePoolChange {
  patch?: Record<string, unknown>;
  /** The NodePool fields before and after, for the audit log (empty when unchanged). */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  replaced: Replacements;
}

/**
 * During a campaign: disruption budget `nodes: "0"` (warm nodes are not consolidated away
 * before the surge uses them) and limits raised where they would cap the surge. Each value
 * replaced is recorded in the pool's annotation (first write wins).
 */
export function protectNodePool(np: NodePool, spare: number, placeholder: PodResources): NodePoolChange {
  const replaced: Replacements = { ...readReplaced(np.metadata?.annotations) };
  const spec: Record<string, unknown> = {};
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};

  const budgets = np.spec?.disruption?.budgets ?? null;
  if (!sameJson(budgets, NO_DISRUPTION)) {
    replaced.disruptionBudgets ??= { from: budgets, to: NO_DISRUPTION };
    spec.disruption = { budgets: NO_DISRUPTION };
    before.disruptionBudgets = budgets ?? 'default';
    after.disruptionBudgets = NO_DISRUPTION;
  }

  const limits = np.spec?.limits ?? {};
  const need = limitsNeeded(np, spare, placeholder);
  const raised: Record<string, string> = {};
  for (const key of SIZED) {
    const have = amount(key, limits[key]);
    if (have === undefined || have >= need[key]) continue;
    raised[key] = quantity(key, need[key]);
  }
  if (Object.keys(raised).length) {
    const prev = replaced.limits as { from: Record<string, string>; to: Record<string, string> } | undefined;
    const from = { ...(prev?.from ?? {}) };
    for (const k of Object.keys(raised)) if (!(k in from)) from[k] = limits[k]!;
    replaced.limits = { from, to: { ...(prev?.to ?? {}), ...raised } };
    spec.limits = raised;
    before.limits = Object.fromEntries(Object.keys(raised).map((k) => [k, limits[k]]));
    after.limits = raised;
  }
  return finish(np, spec, replaced, before, after);
}

/**
 * After the campaign: every value recorded goes back, unless someone changed it since
 * Headroom set it (then it is theirs); the annotation is removed.
 */
export function restoreNodePool(np: NodePool, fallback?: Replacements): NodePoolChange {
  const recorded = readReplaced(np.metadata?.annotations);
  const replaced = Object.keys(recorded).length ? recorded : (fallback ?? {});
  const spec: Record<string, unknown> = {};
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const budgets = replaced.disruptionBudgets;
  if (budgets && sameJson(np.spec?.disruption?.budgets, budgets.to)) {
    spec.disruption = { budgets: budgets.from ?? null };
    before.disruptionBudgets = np.spec?.disruption?.budgets;
    after.disruptionBudgets = budgets.from ?? 'default';
  }
  const limits = replaced.limits as
    | { from: Record<string, string | null>; to: Record<string, string> }
    | undefined;
  if (limits) {
    const back: Record<string, string | null> = {};
    for (const [k, set] of Object.entries(limits.to)) {
      if (np.spec?.limits?.[k] === set) back[k] = limits.from[k] ?? null;
    }
    if (Object.keys(back).length) {
      spec.limits = back;
      before.limits = Object.fromEntries(Object.keys(back).map((k) => [k, np.spec?.limits?.[k]]));
      after.limits = back;
    }
  }
  return finish(np, spec, {}, before, after);
}

function finish(
  np: NodePool,
  spec: Record<string, unknown>,
  replaced: Replacements,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): NodePoolChange {
  const annBefore = replacedAnnotation(readReplaced(np.metadata?.annotations));
  const annAfter = replacedAnnotation(replaced);
  if (!Object.keys(spec).length && annBefore === annAfter) return { before: {}, after: {}, replaced };
  const patch: Record<string, unknown> = {};
  if (Object.keys(spec).length) patch.spec = spec;
  if (annBefore !== annAfter) patch.metadata = { annotations: { [REPLACED_ANNOTATION]: annAfter } };
  return { patch, before, after, replaced };
}
