import * as z from 'zod';
import type { Target } from '../domain/types.ts';
import { name } from './fields.ts';
import type { Problems } from './problems.ts';

/**
 * `constraints:` in headroom.yaml: limits that couple several targets, which the planner keeps
 * every plan inside (planner/constraints.ts). The first is the connection budget of a
 * PostgreSQL database behind PgBouncer (docs/constraints.md):
 *
 *   pods x poolPerPod, summed over the clients   <= PgBouncer instances x maxClientConnections
 *   PgBouncer instances x pool (max_db_connections) <= the database's max_connections - reserved
 */

const pool = z
  .strictObject({
    min: z.number().int().positive().default(20),
    max: z.number().int().positive().optional(),
    step: z.number().int().positive().default(5),
  })
  .refine((p) => p.max === undefined || p.min <= p.max, { message: 'min must not exceed max' });

const connections = z
  .strictObject({
    /** An `rds-instance` target: max_connections of its class (parameter group, or the formula). */
    database: z.string().optional(),
    /** Or a fixed max_connections (a database Headroom does not steer). */
    maxConnections: z.number().int().positive().optional(),
    /** Connections kept for administrators, replication and migrations. */
    reserved: z.number().int().nonnegative().default(3),
    pgbouncer: z.strictObject({
      target: z.string(),
      /** `max_client_conn` of one PgBouncer instance. */
      maxClientConnections: z.number().int().positive(),
      /** `max_db_connections` (the server pool) of one instance: from `min`, in `step`s. */
      pool: pool.prefault({}),
    }),
    clients: z.array(z.strictObject({ target: z.string(), poolPerPod: z.number().int().positive() })).min(1),
  })
  .refine((c) => (c.database === undefined) !== (c.maxConnections === undefined), {
    message: 'needs exactly one of database or maxConnections',
  });

export const constraintSchema = z.strictObject({ name: name.optional(), connections });

export type RawConstraint = z.infer<typeof constraintSchema>;

/** A connection budget, checked against the targets. */
export interface ConnectionBudget {
  name: string;
  database?: string;
  maxConnections?: number;
  reserved: number;
  pgbouncer: {
    target: string;
    maxClientConnections: number;
    pool: { min: number; max?: number; step: number };
  };
  clients: { target: string; poolPerPod: number }[];
}

/**
 * Checks each budget's targets (an `rds-instance` database, count targets for PgBouncer and the
 * clients) and adds the dependencies the budget implies: the clients are raised after
 * PgBouncer, PgBouncer after the database.
 */
export function normaliseConstraints(
  raw: RawConstraint[],
  byId: Map<string, Target>,
  problems: Problems,
): ConnectionBudget[] {
  const out: ConnectionBudget[] = [];
  raw.forEach((c, i) => {
    const path = ['constraints', i, 'connections'];
    const before = problems.list.length;
    const b = c.connections;
    const count = (id: string, p: (string | number)[]) => {
      const t = byId.get(id);
      if (!t) problems.add(p, `unknown target "${id}"`);
      else if (t.scale !== 'count') problems.add(p, `target "${id}" is not counted (${t.kind})`);
      return t;
    };
    if (b.database !== undefined) {
      const db = byId.get(b.database);
      if (!db) problems.add([...path, 'database'], `unknown target "${b.database}"`);
      else if (db.kind !== 'rds-instance')
        problems.add([...path, 'database'], `target "${b.database}" is ${db.kind}, not rds-instance`);
    }
    const pgbouncer = count(b.pgbouncer.target, [...path, 'pgbouncer', 'target']);
    const seen = new Set<string>();
    const clients = b.clients.map((cl, j) => {
      const p = [...path, 'clients', j, 'target'];
      if (cl.target === b.pgbouncer.target) problems.add(p, 'PgBouncer cannot be its own client');
      if (seen.has(cl.target)) problems.add(p, `duplicate client "${cl.target}"`);
      seen.add(cl.target);
      return count(cl.target, p);
    });
    if (problems.list.length > before) return;
    for (const cl of clients) dependOn(cl!, pgbouncer!.id);
    if (b.database !== undefined) dependOn(pgbouncer!, b.database);
    out.push({
      name: c.name ?? `connections-${i}`,
      database: b.database,
      maxConnections: b.maxConnections,
      reserved: b.reserved,
      pgbouncer: b.pgbouncer,
      clients: b.clients,
    });
  });
  return out;
}

function dependOn(t: Target, id: string): void {
  if (!t.dependsOn.includes(id)) t.dependsOn = [...t.dependsOn, id];
}
