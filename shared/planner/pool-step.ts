import type { Config } from '../config/types.ts';
import { iso } from '../domain/time.ts';
import type { Actual, Step, TargetPlan } from '../domain/types.ts';
import { display, fieldOf, shortHash } from '../domain/units.ts';
import type { ConnectionPlan } from './constraints.ts';

type Reads = Record<string, Actual | { error: string } | undefined>;
const actualOf = (r: Reads[string]) => (r && !('error' in r) ? r : undefined);

/**
 * A pool change without a replica change (the database class changed, the pods changed within
 * one PgBouncer's clients) is a step of its own: the replicas stay, the pool is written (the
 * `pgbouncer` actuator patches its ConfigMap). Only once the database class the pool is sized
 * for is in force, and the pool as read is known (a ConfigMap that cannot be read is said by the read).
 */
export function poolSteps(
  config: Config,
  entries: Map<string, TargetPlan & { connections?: ConnectionPlan }>,
  actuals: Reads,
  now: Date,
): void {
  for (const e of entries.values()) {
    const p = e.connections;
    if (!p || e.decision !== 'no-op' || e.steps.length > 0) continue;
    const target = config.targets.find((t) => t.id === e.id)!;
    const actual = actualOf(actuals[e.id]);
    const pool = actual?.details?.pool;
    if (!actual || typeof pool !== 'number' || pool === p.pool || actual.blocked) continue;
    const dbId = config.constraints?.find((b) => b.name === p.budget)?.database;
    const db = dbId ? actualOf(actuals[dbId]) : undefined;
    if (dbId && p.tier !== undefined && (!db || db.value < p.tier)) continue;
    const v = actual.value;
    const direction = p.pool > pool ? 'up' : 'down';
    const step: Step = {
      id: `${e.id}-${shortHash(`${e.id}|pool|${v}|${pool}|${p.pool}`)}`,
      target: e.id,
      at: iso(now),
      direction,
      from: v,
      to: v,
      set: { [fieldOf(target)]: display(target, v), pool: p.pool },
      pool: p.pool,
    };
    e.steps = [step];
    e.decision = direction === 'up' ? 'scale-up' : 'scale-down';
    e.reasons.push(`pool ${pool} -> ${p.pool} per instance with ${v} instances: a step of its own`);
  }
}
