import { type DBInstance, DescribeDBInstancesCommand, type Filter, type Tag } from '@aws-sdk/client-rds';
import { ActuatorError } from '../../domain/errors.ts';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { RdsApi } from './clients.ts';
import { call, isAwsError } from './errors.ts';

/** Every instance Headroom creates carries this tag; the IAM policy can require it to delete. */
export const MANAGED_TAG: Tag = { Key: 'headroom:managed', Value: 'true' };
export const TARGET_TAG_KEY = 'headroom:target';

/**
 * How an instance status counts as capacity. `serving`: answers queries now; `coming`: will
 * serve without anyone acting (creating, rebooting); `gone`: being deleted; `broken`: will not
 * serve until a person acts (failed, storage-full, incompatible-*...), so it is not counted and
 * a replacement may be created. Statuses from the RDS "Viewing DB instance status" page.
 */
export type CapacityState = 'serving' | 'coming' | 'gone' | 'broken';

const SERVING = new Set([
  'available',
  'backing-up',
  'modifying',
  'storage-optimization',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'configuring-activity-stream',
  'maintenance',
  'renaming',
  'resetting-master-credentials',
  'storage-config-upgrade',
]);
const COMING = new Set([
  'creating',
  'rebooting',
  'starting',
  'upgrading',
  'converting-to-vpc',
  'moving-to-vpc',
  // Aurora cluster statuses that pass by themselves.
  'failing-over',
  'promoting',
  'backtracking',
  'migrating',
]);
const GONE = new Set(['deleting', 'deleted']);

export function capacityState(status: string | undefined): CapacityState {
  const s = status ?? 'unknown';
  if (SERVING.has(s)) return 'serving';
  if (COMING.has(s)) return 'coming';
  if (GONE.has(s)) return 'gone';
  return 'broken';
}

export async function describeInstance(rds: RdsApi, id: string): Promise<DBInstance> {
  const out = await call(`DescribeDBInstances ${id}`, () =>
    rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })),
  );
  const inst = out.DBInstances?.[0];
  if (!inst) throw new ActuatorError('not-found', `DescribeDBInstances ${id}: no such DB instance`);
  return inst;
}

/** All instances matching a filter (`db-instance-id`, `db-cluster-id`), every page. */
export async function describeInstances(rds: RdsApi, filter: Filter, what: string): Promise<DBInstance[]> {
  const all: DBInstance[] = [];
  let marker: string | undefined;
  do {
    const out = await call(`DescribeDBInstances ${what}`, () =>
      rds.send(new DescribeDBInstancesCommand({ Filters: [filter], Marker: marker })),
    );
    all.push(...(out.DBInstances ?? []));
    marker = out.Marker;
  } while (marker);
  return all;
}

// Instances Headroom adds and removes (read replicas, Aurora readers) --------------------------

export interface FleetMember {
  id: string;
  status: string;
  state: CapacityState;
  createdAt: number;
  /** Named `<base>-headroom-<n>` and tagged `headroom:managed=true`: the only kind Headroom deletes. */
  headroomMade: boolean;
  deletionProtection: boolean;
  writer: boolean;
  az?: string;
}

export function fleetMember(inst: DBInstance, prefix: string, writer = false): FleetMember {
  const id = inst.DBInstanceIdentifier ?? '';
  const tagged = (inst.TagList ?? []).some((t) => t.Key === MANAGED_TAG.Key && t.Value === MANAGED_TAG.Value);
  const named = id.startsWith(prefix) && /^\d+$/.test(id.slice(prefix.length));
  return {
    id,
    status: inst.DBInstanceStatus ?? 'unknown',
    state: capacityState(inst.DBInstanceStatus),
    createdAt: inst.InstanceCreateTime
      ? new Date(inst.InstanceCreateTime).getTime()
      : Number.MAX_SAFE_INTEGER,
    headroomMade: tagged && named,
    deletionProtection: inst.DeletionProtection === true,
    writer,
    az: inst.AvailabilityZone,
  };
}

/** Counted capacity (serving or on the way) and ready capacity (serving now). */
export function fleetCounts(members: FleetMember[]): { value: number; ready: number } {
  const live = members.filter((m) => m.state === 'serving' || m.state === 'coming');
  return { value: live.length, ready: live.filter((m) => m.state === 'serving').length };
}

/** The next `count` free names `<prefix>1`, `<prefix>2`...: the same state always gives the same names. */
export function nextNames(prefix: string, taken: Iterable<string>, count: number): string[] {
  const used = new Set(taken);
  const names: string[] = [];
  for (let n = 1; names.length < count; n++) {
    if (!used.has(`${prefix}${n}`)) names.push(`${prefix}${n}`);
  }
  return names;
}

export interface DeletionChoice {
  /** Headroom-made, available, unprotected, not a writer: newest first. */
  deletable: FleetMember[];
  /** Headroom-made but not yet available (creating, modifying...): wait for them. */
  notYet: FleetMember[];
  /** Made by a person (or by Headroom and then protected or promoted): never deleted. */
  kept: FleetMember[];
}

export function deletionChoice(members: FleetMember[]): DeletionChoice {
  const live = members.filter((m) => m.state !== 'gone');
  const ours = live.filter((m) => m.headroomMade && !m.deletionProtection && !m.writer);
  const n = (m: FleetMember) => Number(m.id.slice(m.id.lastIndexOf('-') + 1));
  return {
    deletable: ours
      .filter((m) => m.status === 'available')
      .sort((a, b) => b.createdAt - a.createdAt || n(b) - n(a)),
    notYet: ours.filter((m) => m.status !== 'available' && m.state !== 'broken'),
    kept: live.filter((m) => !ours.includes(m)),
  };
}

/** The zone with the fewest members, in the configured order on ties (spreads replicas). */
export function leastUsedZone(zones: string[] | undefined, members: FleetMember[]): string | undefined {
  if (!zones?.length) return undefined;
  const count = (z: string) => members.filter((m) => m.state !== 'gone' && m.az === z).length;
  return zones.reduce((best, z) => (count(z) < count(best) ? z : best), zones[0]!);
}

/** The error of a call that failed after earlier calls of the same apply changed something. */
export function partialFailure(err: unknown, verb: string, done: string[]): unknown {
  if (done.length === 0 || !(err instanceof ActuatorError)) return err;
  return new ActuatorError(err.code, `${verb} ${done.join(', ')}, then ${err.message}`, { cause: err.cause });
}

/**
 * What a fleet actuator knows of its fleet: its members, the name of its count in
 * before/after (`replicas`, `readers`), the details of a reading and, about its parent (source
 * instance, cluster), why it takes no change (`blocked`) or no new member yet (`notReady`).
 */
export interface FleetView {
  members: FleetMember[];
  field: string;
  /** The parent, shown in the reading as `<key>`, `<key>Status` (then `extra`, then the members). */
  parent: { key: 'cluster' | 'source'; id: string; status: string | undefined };
  extra?: Record<string, unknown>;
  blocked: string | undefined;
  /** What waits for the parent to be available (`readers are added`). */
  adding: string;
}

/** Why a broken or vanished parent (`source x`, `cluster x`) takes no change, else undefined. */
export function parentBroken(parent: string, status: string | undefined): string | undefined {
  const state = capacityState(status);
  if (state === 'broken' || state === 'gone')
    return `${parent} is ${status}: Headroom changes nothing until it is available`;
  return undefined;
}

/** Why a parent that is not available yet takes no new member (`readers are added`), else undefined. */
export function parentNotReady(
  parent: string,
  status: string | undefined,
  adding: string,
): string | undefined {
  return status === 'available' ? undefined : `${parent} is ${status}: ${adding} once it is available`;
}

/** A fleet's reading: its count, how many are ready, its details and why it is blocked. */
export function fleetActual(v: FleetView): Actual {
  const { value, ready } = fleetCounts(v.members);
  const members = v.members.map((m) => ({ id: m.id, status: m.status, headroomMade: m.headroomMade }));
  const { key, id, status } = v.parent;
  const details = { [key]: id, [`${key}Status`]: status, ...v.extra, [v.field]: members };
  const actual: Actual = { value, ready, details };
  if (v.blocked) actual.blocked = v.blocked;
  return actual;
}

/**
 * A fleet moved to `desired` members: nothing when it is there, blocked when the parent is, in
 * progress while the parent cannot take new members yet, else `create` or `remove` the difference.
 */
export function scaleFleet(
  v: FleetView,
  desired: number,
  ops: { create: (count: number) => Promise<ApplyResult>; remove: (count: number) => Promise<ApplyResult> },
): Promise<ApplyResult> | ApplyResult {
  const { value } = fleetCounts(v.members);
  const before = { [v.field]: value };
  if (desired === value) return { status: 'no-op', before, after: before };
  if (v.blocked) return { status: 'blocked', before, after: before, message: v.blocked };
  const notReady = parentNotReady(`${v.parent.key} ${v.parent.id}`, v.parent.status, v.adding);
  if (desired > value && notReady) return { status: 'in-progress', before, after: before, message: notReady };
  return desired > value ? ops.create(desired - value) : ops.remove(value - desired);
}

/**
 * An actuator of a fleet of RDS instances (read replicas, Aurora readers): it reads and scales
 * the same way; the kinds differ in how they find the fleet (`fleet`, `viewOf`) and how they
 * create and remove a member.
 */
export abstract class FleetActuator<F, S> implements Actuator<S> {
  protected readonly rds: RdsApi;
  constructor(deps: { rds: RdsApi }) {
    this.rds = deps.rds;
  }
  protected abstract fleet(target: Target<S>): Promise<F>;
  protected abstract viewOf(f: F): FleetView;
  protected abstract create(target: Target<S>, f: F, count: number): Promise<ApplyResult>;
  protected abstract remove(f: F, count: number): Promise<ApplyResult>;

  async read(target: Target<S>): Promise<Actual> {
    return fleetActual(this.viewOf(await this.fleet(target)));
  }

  async apply(target: Target<S>, desired: number, _ctx: ApplyContext): Promise<ApplyResult> {
    const f = await this.fleet(target);
    return scaleFleet(this.viewOf(f), desired, {
      create: (n) => this.create(target, f, n),
      remove: (n) => this.remove(f, n),
    });
  }
}

/**
 * Scale-up of a fleet: creates `count` members under the next free `<prefix>NN` names, in order.
 * A name that already exists (a concurrent reconcile, an earlier answer lost) counts as created:
 * it is on its way. A failure after some were created says which were.
 */
export async function createHeadroomMade(o: {
  prefix: string;
  members: FleetMember[];
  count: number;
  create: (name: string) => Promise<unknown>;
}): Promise<string[]> {
  const created: string[] = [];
  for (const name of nextNames(
    o.prefix,
    o.members.map((m) => m.id),
    o.count,
  )) {
    try {
      await o.create(name);
    } catch (err) {
      if (!isAwsError((err as Error).cause, 'DBInstanceAlreadyExists'))
        throw partialFailure(err, 'created', created);
    }
    created.push(name);
  }
  return created;
}

/**
 * Scale-down of a fleet: deletes up to `count` Headroom-made members, newest first, only once
 * available. Hand-made, protected or promoted members are never touched; when nothing may be
 * deleted yet the result says why (`in-progress` while ours are still coming up, else `blocked`).
 */
export async function removeHeadroomMade(o: {
  members: FleetMember[];
  count: number;
  field: string;
  noun: string;
  remove: (id: string) => Promise<unknown>;
}): Promise<ApplyResult> {
  const { value } = fleetCounts(o.members);
  const before = { [o.field]: value };
  const choice = deletionChoice(o.members);
  const victims = choice.deletable.slice(0, o.count);
  if (victims.length === 0) {
    if (choice.notYet.length > 0)
      return {
        status: 'in-progress',
        before,
        after: before,
        message: `waiting for ${choice.notYet.map((m) => `${m.id} (${m.status})`).join(', ')} to be available before deleting`,
      };
    return {
      status: 'blocked',
      before,
      after: before,
      message: `no ${o.noun} Headroom may delete: ${choice.kept.map((m) => m.id).join(', ') || 'none'} were not made by Headroom (or are protected) and are never deleted`,
    };
  }
  const deleted: string[] = [];
  for (const m of victims) {
    try {
      await o.remove(m.id);
    } catch (err) {
      throw partialFailure(err, 'deleted', deleted);
    }
    deleted.push(m.id);
  }
  const short = o.count - deleted.length;
  return {
    status: 'applied',
    before,
    after: { [o.field]: value - deleted.length, deleted },
    message: `deleting ${deleted.join(', ')}${short > 0 ? `; ${short} more once Headroom-made ${o.noun}s are available` : ''}`,
  };
}
