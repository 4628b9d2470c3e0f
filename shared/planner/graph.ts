import { KINDS } from '../domain/kinds.ts';
import type { Target } from '../domain/types.ts';

/**
 * Dependencies first (a database before the pods that use it). Pod workloads also come after
 * the Karpenter headroom of their cluster, so nodes are warm before pods are raised. Ties keep
 * declaration order. The config loader has already rejected cycles.
 */
export function topologicalOrder(targets: Target[]): Target[] {
  const byId = new Map(targets.map((t) => [t.id, t]));
  const deps = (t: Target): string[] => {
    const implicit = KINDS[t.kind].podWorkload
      ? targets.filter((n) => n.kind === 'karpenter-headroom' && n.cluster === t.cluster).map((n) => n.id)
      : [];
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
  return targets.filter((t) => t.dependsOn.includes(id));
}
