import type { ConnectionBudget } from '../config/constraints.ts';
import { iso } from '../domain/time.ts';
import type { Actual, Intent, SourceKind, Target } from '../domain/types.ts';
import { kindOf } from '../kinds/index.ts';

/**
 * The ceilings a connection budget keeps on its clients' reactive autoscalers (an HPA's
 * maxReplicas, a ScaledObject's maxReplicaCount), always, not only when it caps their floors:
 * when the autoscalers at their own max (with the other clients at theirs) would open more
 * client connections than the budget can hold, each gets the largest count that fits. Floors
 * come first; what the budget holds above the floors is shared in proportion to each
 * autoscaler's range above its floor. A ceiling lifts (the actuator restores the max it
 * replaced) once the budget holds the autoscalers at their own max.
 */

export interface BudgetClient {
  target: Target;
  poolPerPod: number;
}

/** A client's autoscaler ceiling (an HPA's maxReplicas, a ScaledObject's maxReplicaCount), if its kind has one. */
export function autoscalerCeiling(t: Target) {
  const c = kindOf(t).ceiling;
  return c && c.lowersFloor(t.spec) && c.field(t.spec) !== t.field ? c : undefined;
}

/** The autoscaler's own max before any Headroom ceiling, as its actuator read it (`details.ownMax`). */
export function ownMaxOf(actual: Actual | undefined): number | undefined {
  const v = actual?.details?.ownMax;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** What the budget holds at one database size: PgBouncer at its bounds max, pools of `pool.min`. */
export interface Holdable {
  instances: number;
  clientConnections: number;
  maxConnections: number;
  on: string;
}

export function holdable(
  b: ConnectionBudget,
  pgbouncer: Target,
  maxConnections: number,
  on: string,
): Holdable {
  const byDb = Math.floor((maxConnections - b.reserved) / b.pgbouncer.pool.min);
  const instances = Math.max(0, Math.min(pgbouncer.bounds.max, byDb));
  return { instances, clientConnections: instances * b.pgbouncer.maxClientConnections, maxConnections, on };
}

/** One instant's ceilings: per client id, the ceiling; with the reason. */
export interface BudgetCeilings {
  at: number;
  ceilings: Map<string, number>;
  reasons: Map<string, string>;
}

/**
 * The autoscalers' ceilings for the clients' pods (their floors after any cap) and their own
 * maxes: none when everything at its max fits.
 */
export function budgetCeilings(
  b: ConnectionBudget,
  clients: BudgetClient[],
  pods: Record<string, number>,
  maxes: Map<string, number>,
  h: Holdable,
  at: number,
): BudgetCeilings {
  const out: BudgetCeilings = { at, ceilings: new Map(), reasons: new Map() };
  const floor = (c: BudgetClient) => pods[c.target.id] ?? 0;
  const top = (c: BudgetClient) => Math.max(floor(c), maxes.get(c.target.id) ?? floor(c));
  const atMax = clients.reduce((s, c) => s + top(c) * c.poolPerPod, 0);
  if (atMax <= h.clientConnections) return out;
  const auto = clients.filter((c) => maxes.has(c.target.id) && autoscalerCeiling(c.target));
  const floors = clients.reduce((s, c) => s + floor(c) * c.poolPerPod, 0);
  const range = auto.reduce((s, c) => s + (top(c) - floor(c)) * c.poolPerPod, 0);
  const share = range > 0 ? Math.min(1, Math.max(0, (h.clientConnections - floors) / range)) : 0;
  const list = clients.map((c) => `${c.target.id} ${top(c)} x ${c.poolPerPod}`).join(', ');
  for (const c of auto) {
    const kind = autoscalerCeiling(c.target)!;
    const fits = floor(c) + Math.floor((top(c) - floor(c)) * share + 1e-9);
    const ceiling = Math.max(fits, kind.minimum(c.target.spec));
    if (ceiling >= top(c)) continue;
    out.ceilings.set(c.target.id, ceiling);
    out.reasons.set(
      c.target.id,
      `${kind.field(c.target.spec)} capped at ${ceiling} (a ceiling; its own ${maxes.get(c.target.id)}) under connection budget ${b.name}, so the autoscaler cannot exceed it: at their max the clients open ${atMax} client connections (${list}), the budget holds ${h.clientConnections} (${h.instances} PgBouncer instances of ${b.pgbouncer.maxClientConnections}, pools of ${b.pgbouncer.pool.min} within max_connections ${h.maxConnections} - ${b.reserved} reserved${h.on})`,
    );
  }
  return out;
}

/** Where an instant's ceilings come from: the intent that holds the window, or the budget itself. */
export interface CeilingSource {
  kind: SourceKind;
  createdAt: string;
  campaign?: string;
  approved?: boolean;
}

/**
 * Ceiling intents from the instants' ceilings, in order: each holds from its instant to the
 * next one (the last for a day; every reconcile derives them again), so they never overlap and
 * a later, higher ceiling is not hidden by an earlier one.
 */
export function ceilingIntents(
  b: ConnectionBudget,
  byId: Map<string, Target>,
  instants: BudgetCeilings[],
  source: (at: number) => CeilingSource,
): Intent[] {
  const out: Intent[] = [];
  instants.forEach((x, k) => {
    const end = instants[k + 1]?.at ?? x.at + 86_400_000;
    const s = source(x.at);
    for (const [id, ceiling] of x.ceilings) {
      const t = byId.get(id)!;
      // A ceiling lifts a lead time and margin before `until` (ceilings.ts): it holds up to `end`.
      const until = end + (t.leadTimeSeconds + t.marginSeconds) * 1000;
      out.push({
        id: `constraint:${b.name}:${id}:ceiling:${iso(x.at)}`,
        target: id,
        floor: 0,
        ceiling,
        from: iso(x.at),
        until: iso(until),
        reason: x.reasons.get(id)!,
        source: { kind: s.kind, ref: `constraint:${b.name}` },
        ...(s.campaign ? { campaign: s.campaign } : {}),
        ...(s.approved ? { approved: true } : {}),
        createdAt: s.createdAt,
      });
    }
  });
  return out;
}
