import type { Target } from '../domain/types.ts';
import { kindOf } from '../kinds/index.ts';

/**
 * Dependencies first (a database before the pods that use it). Pod workloads also come after
 * the node capacity (Karpenter headroom) of their cluster, so nodes are warm before pods are raised. Ties keep
 * declaration order. The config loader has already rejected cycles.
 */
export function topologicalOrder(targets: Target[]): Target[] {
  let order = orders.get(targets);
  if (!order) {
    order = computeOrder(targets);
    orders.set(targets, order);
  }
  return order;
}

/** A config's targets never change once loaded: the order is worked out once per config. */
const orders = new WeakMap<Target[], Target[]>();

function computeOrder(targets: Target[]): Target[] {
  const nodesOf = new Map<string | undefined, string[]>();
  for (const n of targets) {
    if (!kindOf(n).isNodeCapacity) continue;
    nodesOf.set(n.cluster, [...(nodesOf.get(n.cluster) ?? []), n.id]);
  }
  const byId = new Map(targets.map((t) => [t.id, t]));
  const deps = (t: Target): string[] => {
    const implicit = kindOf(t).isWorkload ? (nodesOf.get(t.cluster) ?? []) : [];
    return [...t.dependsOn, ...implicit];
  };
  const out: Target[] = [];
  const seen = new Set<string>();
  const visiting = new Set<string>();
  const visit = (t: Target) => {
    if (seen.has(t.id) || visiting.has(t.id)) return;
    visiting.add(t.id);
    for (const d of deps(t)) {
      const dt = byId.get(d);
      if (dt) visit(dt);
    }
    visiting.delete(t.id);
    seen.add(t.id);
    out.push(t);
  };
  for (const t of targets) visit(t);
  return out;
}

/** Targets that declare `id` among their dependencies. */
export function dependentsOf(targets: Target[], id: string): Target[] {
  let index = dependents.get(targets);
  if (!index) {
    index = new Map();
    for (const t of targets) for (const d of new Set(t.dependsOn)) index.set(d, [...(index.get(d) ?? []), t]);
    dependents.set(targets, index);
  }
  return index.get(id) ?? [];
}

const dependents = new WeakMap<Target[], Map<string, Target[]>>();
