import { type DBInstance, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { Clock } from '../../ports/clock.ts';
import type { RdsApi } from './clients.ts';
import { call } from './errors.ts';
import { capacityState, describeInstance } from './rds-common.ts';
import { storageHold, tagStorageChange, tenPercentMore } from './rds-storage.ts';

/** What the actuator reads from an `rds-storage` target's spec. */
export type RdsStorageNeeds = { identifier: string; maxAllocatedStorageGiB?: number };

/** Storage autoscaling warns below 26 % headroom; Headroom keeps the ceiling at least that far up. */
const AUTOSCALING_HEADROOM = 1.26;

function view(inst: DBInstance, now: number): Actual {
  const status = inst.DBInstanceStatus ?? 'unknown';
  const allocated = inst.AllocatedStorage ?? 0;
  const pending = inst.PendingModifiedValues?.AllocatedStorage;
  const applying = status === 'modifying' && pending !== undefined;
  const actual: Actual = {
    // While RDS applies a change the size it grows to is the value steered; the space is usable
    // once it leaves `modifying`.
    value: applying ? pending : allocated,
    ready: allocated,
    details: {
      status,
      allocatedStorageGiB: allocated,
      maxAllocatedStorageGiB: inst.MaxAllocatedStorage,
      ...(pending !== undefined ? { pendingAllocatedStorageGiB: pending } : {}),
    },
  };
  if ((inst.Engine ?? '').startsWith('aurora'))
    actual.blocked = `${inst.DBInstanceIdentifier} is Aurora: its storage grows by itself`;
  else if (capacityState(status) === 'broken' || capacityState(status) === 'gone')
    actual.blocked = `${inst.DBInstanceIdentifier} is ${status}: Headroom changes nothing until it is available`;
  else if (status !== 'available' && status !== 'storage-optimization') actual.busy = `instance is ${status}`;
  else {
    const hold = storageHold(inst, now);
    if (hold) actual.busy = hold;
  }
  return actual;
}

/**
 * `rds-storage`: grows an RDS instance's AllocatedStorage with ModifyDBInstance
 * (ApplyImmediately) by the RDS rules: +10 % at least, not while a storage change is pending or
 * optimised, not within 6 hours of the last (tagged `headroom:storage-modified-at`), never
 * down. With `maxAllocatedStorageGiB`, or when storage autoscaling is on, MaxAllocatedStorage
 * is raised with it (never lowered) so autoscaling keeps room above the new size.
 */
export class RdsStorageActuator implements Actuator<RdsStorageNeeds> {
  private readonly rds: RdsApi;
  private readonly clock: Clock;
  constructor(deps: { rds: RdsApi; clock: Clock }) {
    this.rds = deps.rds;
    this.clock = deps.clock;
  }

  async read(target: Target<RdsStorageNeeds>): Promise<Actual> {
    return view(await describeInstance(this.rds, target.spec.identifier), this.clock.now().getTime());
  }

  async apply(target: Target<RdsStorageNeeds>, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    const id = target.spec.identifier;
    const inst = await describeInstance(this.rds, id);
    const actual = view(inst, ctx.now.getTime());
    const allocated = inst.AllocatedStorage ?? 0;
    const before: Record<string, unknown> = {
      allocatedStorageGiB: allocated,
      maxAllocatedStorageGiB: inst.MaxAllocatedStorage,
    };
    if (desired === actual.value) return { status: 'no-op', before, after: before };
    if (desired < actual.value)
      return {
        status: 'no-op',
        before,
        after: before,
        message: `${id} keeps ${actual.value} GiB: RDS cannot shrink allocated storage`,
      };
    if (actual.blocked) return { status: 'blocked', before, after: before, message: actual.blocked };
    if (actual.busy) return { status: 'in-progress', before, after: before, message: actual.busy };
    const to = Math.max(desired, tenPercentMore(allocated));
    if (to > target.bounds.max)
      return {
        status: 'blocked',
        before,
        after: before,
        message: `${id}: +10 % (RDS's smallest growth) is ${to} GiB, above bounds max ${target.bounds.max}`,
      };
    const ceiling = maxAllocated(inst.MaxAllocatedStorage, target.spec.maxAllocatedStorageGiB, to);
    await call(`ModifyDBInstance ${id}`, () =>
      this.rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: id,
          AllocatedStorage: to,
          ApplyImmediately: true,
          ...(ceiling !== inst.MaxAllocatedStorage ? { MaxAllocatedStorage: ceiling } : {}),
        }),
      ),
    );
    const after: Record<string, unknown> = { allocatedStorageGiB: to, maxAllocatedStorageGiB: ceiling };
    await tagStorageChange(this.rds, inst, ctx.now, after);
    return {
      status: 'applied',
      before,
      after,
      message: `ModifyDBInstance ${id} AllocatedStorage ${allocated} -> ${to} GiB${ceiling !== inst.MaxAllocatedStorage ? `, MaxAllocatedStorage ${inst.MaxAllocatedStorage ?? 'off'} -> ${ceiling}` : ''} (ApplyImmediately; the next storage change in 6 h at the earliest)`,
    };
  }
}

/**
 * Storage autoscaling's ceiling after growing to `to` GiB: unchanged when autoscaling is off
 * and not configured, else the highest of the current ceiling, the configured one and 26 %
 * above the new size (RDS refuses a ceiling under +10 % and warns under +26 %).
 */
function maxAllocated(current: number | undefined, configured: number | undefined, to: number) {
  if (current === undefined && configured === undefined) return undefined;
  return Math.max(current ?? 0, configured ?? 0, Math.ceil(to * AUTOSCALING_HEADROOM));
}
