import type { ConnectionBudget } from '../config/constraints.ts';
import type { Config } from '../config/types.ts';
import { DEFAULT_MAX_CONNECTIONS, evaluateMaxConnections } from '../domain/max-connections.ts';
import { iso } from '../domain/time.ts';
import type { Actual, Intent, PlannerState, Target } from '../domain/types.ts';
import { clampToBounds, display } from '../domain/units.ts';
import {
  autoscalerCeiling,
  type BudgetCeilings,
  budgetCeilings,
  type CeilingSource,
  ceilingIntents,
  holdable,
  ownMaxOf,
} from './budget-ceilings.ts';
import { baselineOf, intentEnd, intentStart } from './windows.ts';

/**
 * Connection budgets (config/constraints.ts) kept by every plan. Before the targets are
 * decided, each budget looks at the instants its clients' intents start and works out what
 * their pods need: PgBouncer instances for their client connections, a pool per instance, and a
 * database class whose max_connections holds every pool. It raises the limiting resource first
 * (derived floors for PgBouncer and the database class, with the window of the intent they come
 * from, so the dependencies raise them before the pods), and caps the pods with the reason when
 * nothing can be raised far enough. Pure: max_connections comes from the database's actual
 * details (the parameter group the adapter read) or the RDS default formula.
 */

/** What a budget works out for one instant. */
export interface ConnectionPlan {
  budget: string;
  /** The pods of each client counted, after any cap. */
  pods: Record<string, number>;
  clientConnections: number;
  instances: number;
  /** max_db_connections of one PgBouncer instance. */
  pool: number;
  /** Tier index of the database (undefined with a fixed maxConnections). */
  tier?: number;
  maxConnections: number;
  reserved: number;
  /** Clients whose pods the budget caps, with the cap. */
  caps: Record<string, number>;
  reason: string;
}

export interface Constrained {
  intents: Intent[];
  /** Reasons to add to targets' plans. */
  notes: Map<string, string[]>;
  /** Per PgBouncer target: what its instances are sized to now. */
  pools: Map<string, ConnectionPlan>;
}

const DAY_MS = 86_400_000;

type Reads = Record<string, Actual | { error: string } | undefined>;

export function applyConstraints(
  config: Config,
  intents: Intent[],
  actuals: Reads,
  state: PlannerState,
  now: Date,
): Constrained {
  const out: Constrained = { intents, notes: new Map(), pools: new Map() };
  for (const budget of config.constraints ?? []) keepBudget(config, budget, actuals, state, now, out);
  return out;
}

function actualOf(read: Reads[string]): Actual | undefined {
  return read && !('error' in read) ? read : undefined;
}

function keepBudget(
  config: Config,
  b: ConnectionBudget,
  actuals: Reads,
  state: PlannerState,
  now: Date,
  out: Constrained,
): void {
  const byId = new Map(config.targets.map((t) => [t.id, t]));
  const t = now.getTime();
  const base = (target: Target) => baselineOf(target, actualOf(actuals[target.id]), state.targets[target.id]);
  const clients = b.clients.map((c) => ({ ...c, target: byId.get(c.target)! }));
  const ids = new Set(b.clients.map((c) => c.target));
  // Each client intent's window, worked out once: a calendar may hold hundreds.
  const live = out.intents.flatMap((i) => {
    if (!ids.has(i.target) || i.advisory) return [];
    const end = intentEnd(byId.get(i.target)!, i);
    return end > t ? [{ i, from: Date.parse(i.from), end }] : [];
  });
  live.sort((x, y) => x.from - y.from);
  const instants = [...new Set(live.map((w) => Math.max(t, w.from)))];
  const db = b.database ? byId.get(b.database) : undefined;
  const pgbouncer = byId.get(b.pgbouncer.target)!;
  const maxConnectionsOf = maxConnectionsFor(b, db, actualOf(db ? actuals[db.id] : undefined));
  const dbBase = db ? base(db) : undefined;
  const baselines = new Map(clients.map((c) => [c.target.id, base(c.target)]));
  const derived: Intent[] = [];
  // The autoscalers' own maxes (details.ownMax): their ceilings hold whenever the budget cannot hold them.
  const maxes = new Map<string, number>();
  for (const c of clients) {
    const own = autoscalerCeiling(c.target) ? ownMaxOf(actualOf(actuals[c.target.id])) : undefined;
    if (own !== undefined) maxes.set(c.target.id, own);
  }
  const dbNow = db ? (actualOf(actuals[db.id])?.value ?? dbBase) : undefined;
  const ceilingsAt: BudgetCeilings[] = [];
  const sources = new Map<number, CeilingSource>();
  const keepCeilings = (x: number, p: ConnectionPlan) => {
    if (maxes.size === 0) return;
    // Now, the database class in force; later, the one the plan raises it to by then.
    const tier = x === t ? dbNow : p.tier;
    const m = maxConnectionsOf(tier);
    if (!m) return;
    const on = db && tier !== undefined ? ` on ${display(db, tier)}` : '';
    ceilingsAt.push(budgetCeilings(b, clients, p.pods, maxes, holdable(b, pgbouncer, m.value, on), x));
  };
  const capped = new Map<Intent, { cap: number; why: string }>();
  let current: ConnectionPlan | undefined;
  const sized = new Map<string, ConnectionPlan>();
  // A sweep over the instants in order: windows join when they start and leave when they end.
  let next = 0;
  let holding: typeof live = [];
  for (const x of [t, ...instants.filter((x) => x > t)]) {
    // An intent holds its client until its scale-down delay has passed: so does what it derives.
    holding = holding.filter((w) => x < w.end);
    while (next < live.length && live[next]!.from <= x) {
      if (x < live[next]!.end) holding.push(live[next]!);
      next++;
    }
    if (x > t && holding.length === 0) continue;
    const pods: Record<string, number> = {};
    for (const c of clients) {
      let floor = baselines.get(c.target.id)!;
      for (const w of holding) if (w.i.target === c.target.id && w.i.floor > floor) floor = w.i.floor;
      pods[c.target.id] = clampToBounds(c.target, floor);
    }
    // Instants with the same pods need the same: sized once.
    const key = clients.map((c) => pods[c.target.id]).join(',');
    const p = sized.get(key) ?? size(b, pgbouncer, db, dbBase, maxConnectionsOf, clients, pods);
    sized.set(key, p);
    keepCeilings(x, p);
    if (holding.length === 0) {
      current ??= p;
      sources.set(x, { kind: 'schedule', createdAt: iso(t) });
      continue;
    }
    const origin = holding.reduce((a, w) => (w.end > a.end ? w : a));
    const until = iso(origin.end);
    const from = iso(Math.max(...holding.map((w) => w.from)));
    const derive = (target: Target, floor: number): Intent => ({
      id: `constraint:${b.name}:${target.id}:${from}`,
      target: target.id,
      floor,
      from,
      until,
      reason: p.reason,
      source: { kind: origin.i.source.kind, ref: `constraint:${b.name}` },
      ...(origin.i.campaign ? { campaign: origin.i.campaign } : {}),
      ...(origin.i.approved ? { approved: true } : {}),
      createdAt: origin.i.createdAt,
    });
    sources.set(x, {
      kind: origin.i.source.kind,
      createdAt: origin.i.createdAt,
      ...(origin.i.campaign ? { campaign: origin.i.campaign } : {}),
      ...(origin.i.approved ? { approved: true } : {}),
    });
    const instances = derive(pgbouncer, p.instances);
    if (p.instances > base(pgbouncer)) derived.push(instances);
    if (db && p.tier !== undefined && p.tier > dbBase!) derived.push(derive(db, p.tier));
    // The reactive autoscaler of a capped client whose own max is unknown gets the cap as its ceiling.
    for (const c of clients) {
      const cap = p.caps[c.target.id];
      const ceiling = autoscalerCeiling(c.target);
      if (cap !== undefined && ceiling && !maxes.has(c.target.id))
        derived.push({ ...derive(c.target, 0), ceiling: Math.max(cap, ceiling.minimum(c.target.spec)) });
    }
    for (const { i } of holding) {
      const cap = p.caps[i.target];
      const earlier = capped.get(i);
      if (cap !== undefined && i.floor > cap && (!earlier || cap < earlier.cap))
        capped.set(i, { cap, why: p.reason });
    }
    if (x - DAY_MS <= t && intentStart(pgbouncer, instances, base(pgbouncer)) <= t) current = p;
  }
  if (capped.size > 0)
    out.intents = out.intents.map((x) => {
      const c = capped.get(x);
      return c
        ? { ...x, floor: c.cap, reason: `${x.reason}; capped at ${c.cap} (asked ${x.floor}) by ${c.why}` }
        : x;
    });
  const ceilings = ceilingIntents(b, byId, ceilingsAt, (x) => sources.get(x)!);
  out.intents = [...out.intents, ...merged([...derived, ...ceilings])];
  const now0 = current ?? size(b, pgbouncer, db, dbBase, maxConnectionsOf, clients, {});
  out.pools.set(pgbouncer.id, now0);
  note(out, pgbouncer.id, `pool ${now0.pool} per instance (max_db_connections): ${now0.reason}`);
  const nowCeilings = ceilingsAt.find((c) => c.at === t);
  for (const [id, why] of nowCeilings?.reasons ?? []) note(out, id, why);
  for (const [id, cap] of Object.entries(now0.caps)) {
    if (maxes.has(id)) continue;
    const t = byId.get(id)!;
    const ceiling = autoscalerCeiling(t);
    note(
      out,
      id,
      ceiling
        ? `${ceiling.field(t.spec)} capped at ${cap} (a ceiling) under connection budget ${b.name}, so the autoscaler cannot exceed it`
        : `at most ${cap} pods under connection budget ${b.name}`,
    );
  }
}

/**
 * Derived floors of one target that overlap with the same value become one intent (instants
 * come in order of their start): a calendar of hundreds of intents derives a few.
 */
function merged(derived: Intent[]): Intent[] {
  const out: Intent[] = [];
  const last = new Map<string, Intent>();
  for (const d of derived) {
    const prev = last.get(d.target);
    const same = prev && prev.floor === d.floor && prev.ceiling === d.ceiling;
    if (prev && same && Date.parse(d.from) <= Date.parse(prev.until)) {
      if (Date.parse(d.until) > Date.parse(prev.until)) prev.until = d.until;
      continue;
    }
    const copy = { ...d };
    out.push(copy);
    last.set(d.target, copy);
  }
  return out;
}

function note(out: Constrained, id: string, text: string): void {
  out.notes.set(id, [...(out.notes.get(id) ?? []), text]);
}

/** max_connections of the database at a tier (or the fixed value), and where it comes from. */
function maxConnectionsFor(
  b: ConnectionBudget,
  db: Target | undefined,
  actual: Actual | undefined,
): (tier: number | undefined) => { value: number; source: string } | undefined {
  if (b.maxConnections !== undefined) return () => ({ value: b.maxConnections!, source: 'configured' });
  const param = actual?.details?.maxConnectionsParameter;
  const formula = typeof param === 'string' ? param : DEFAULT_MAX_CONNECTIONS;
  const source = typeof param === 'string' ? 'parameter group' : 'RDS default formula';
  const memo = new Map<number | undefined, { value: number; source: string } | undefined>();
  return (tier) => {
    if (memo.has(tier)) return memo.get(tier);
    const cls = tier === undefined ? undefined : db?.tiers?.[tier];
    const v = cls ? evaluateMaxConnections(formula, cls) : undefined;
    const m = v === undefined ? undefined : { value: v, source: `${source} on ${cls}` };
    memo.set(tier, m);
    return m;
  };
}

const ceilTo = (v: number, step: number) => Math.ceil(v / step) * step;
const floorTo = (v: number, step: number) => Math.floor(v / step) * step;

/** PgBouncer instances, pool and database tier for the clients' pods; caps when nothing can grow enough. */
function size(
  b: ConnectionBudget,
  pgbouncer: Target,
  db: Target | undefined,
  dbBase: number | undefined,
  maxConnectionsOf: ReturnType<typeof maxConnectionsFor>,
  clients: { target: Target; poolPerPod: number }[],
  pods: Record<string, number>,
): ConnectionPlan {
  const { maxClientConnections: perInstance, pool } = b.pgbouncer;
  const podsOf = (id: string) => pods[id] ?? 0;
  const conns = clients.reduce((s, c) => s + podsOf(c.target.id) * c.poolPerPod, 0);
  let instances = clampToBounds(pgbouncer, Math.ceil(conns / perInstance));
  // The smallest tier, from the baseline up, whose max_connections holds every instance's pool.
  const tiers = db ? rangeOf(dbBase!, db.bounds.max) : [undefined];
  const fits = (tier: number | undefined, n: number) => {
    const m = maxConnectionsOf(tier);
    return m !== undefined && m.value - b.reserved >= n * pool.min;
  };
  let tier = tiers.find((k) => fits(k, instances));
  let limitedByDb = false;
  if (!tiers.some((k) => fits(k, instances))) {
    // Even the largest class allowed cannot hold this many pools: fewer instances, fewer pods.
    tier = tiers.at(-1);
    const m = maxConnectionsOf(tier);
    instances = clampToBounds(pgbouncer, Math.floor(((m?.value ?? 0) - b.reserved) / pool.min));
    limitedByDb = true;
  }
  const m = maxConnectionsOf(tier) ?? { value: 0, source: 'unknown' };
  const budget = m.value - b.reserved;
  const need = Math.max(pool.min, ceilTo(Math.ceil(conns / Math.max(1, instances)), pool.step));
  const poolSize = Math.max(
    pool.min,
    Math.min(need, pool.max ?? need, floorTo(budget / instances, pool.step)),
  );
  const capacity = instances * perInstance;
  const caps: Record<string, number> = {};
  const capped = { ...pods };
  if (conns > capacity) {
    const f = capacity / conns;
    for (const c of clients) {
      const cap = Math.floor(podsOf(c.target.id) * f);
      caps[c.target.id] = cap;
      capped[c.target.id] = cap;
    }
  }
  const list = clients.map((c) => `${c.target.id} ${podsOf(c.target.id)} x ${c.poolPerPod}`).join(', ');
  const on = tier !== undefined && db ? ` on ${display(db, tier)}` : '';
  let reason = `connection budget ${b.name}: ${conns} client connections (${list}) need ${Math.ceil(conns / perInstance)} PgBouncer instances of ${perInstance}; ${instances} x pool ${poolSize} = ${instances * poolSize} of max_connections ${m.value} - ${b.reserved} reserved${on} (${m.source})`;
  if (conns > capacity)
    reason += `; ${limitedByDb ? `the largest database class allowed holds ${instances} pools of ${pool.min}` : `PgBouncer is at its bounds max ${pgbouncer.bounds.max}`}, so the pods are capped at ${capacity} client connections`;
  return {
    budget: b.name,
    pods: capped,
    clientConnections: conns,
    instances,
    pool: poolSize,
    tier,
    maxConnections: m.value,
    reserved: b.reserved,
    caps,
    reason,
  };
}

function rangeOf(from: number, to: number): number[] {
  const out: number[] = [];
  for (let k = from; k <= to; k++) out.push(k);
  return out.length > 0 ? out : [from];
}

/** The budgets' reasons on the targets they touch, and the PgBouncer sizing on its entry. */
export function annotate(
  entries: Map<string, { reasons: string[]; connections?: ConnectionPlan }>,
  c: Constrained,
): void {
  for (const [id, notes] of c.notes) entries.get(id)?.reasons.push(...notes);
  for (const [id, p] of c.pools) {
    const e = entries.get(id);
    if (e) e.connections = p;
  }
}
