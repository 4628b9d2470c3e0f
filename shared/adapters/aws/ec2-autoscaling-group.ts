import {
  type AutoScalingGroup,
  DeleteWarmPoolCommand,
  PutWarmPoolCommand,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
  type WarmPoolConfiguration,
} from '@aws-sdk/client-auto-scaling';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import {
  ceilingInForce,
  ceilingRecordOf,
  ceilingSizes,
  REPLACED_TAG,
  writeCeilingRecord,
} from './autoscaling-group-ceiling.ts';
import {
  busyOf,
  describeGroup,
  type GroupSizes,
  holdOf,
  inService,
  sizesOf,
  warmupOf,
} from './autoscaling-group-read.ts';
import type { AutoScalingApi } from './clients.ts';
import { call, toActuatorError } from './errors.ts';

/** What the actuator reads from an `ec2-autoscaling-group` target's spec. */
export type AutoScalingGroupNeeds = {
  autoScalingGroupName: string;
  warmPool?: { minSize?: number; maxGroupPreparedCapacity?: number };
};

type Unchanged = (status: ApplyResult['status'], message?: string) => ApplyResult;

/** A warm pool as found before a raise (`none`: the group had none), restored by the revert. */
type FoundPool = { MinSize?: number; MaxGroupPreparedCapacity?: number } | 'none';

/**
 * `ec2-autoscaling-group`: the floor is the group's MinSize. A raise lifts DesiredCapacity when
 * it is below the new floor (the group's scaling policies keep steering above it); MaxSize is
 * the group owner's ceiling and never raised: a floor above it is clamped to it, and refused
 * once MinSize is there. A release lowers DesiredCapacity only while the floor was holding it,
 * back to what it was before the raise; above the floor it is left to the scaling policies. With
 * `warmPool`, the first raise sizes the warm pool for the event and the revert restores (or
 * deletes) the pool found. A ceiling (docs/ceilings.md) lowers MaxSize over its window, MinSize and
 * DesiredCapacity with it, and its lift puts them back (autoscaling-group-ceiling.ts). Suspended Launch or AlterDesiredCapacity processes block the target,
 * an instance refresh or a scaling activity under way makes it busy.
 */
export class Ec2AutoScalingGroupActuator implements Actuator<AutoScalingGroupNeeds> {
  private readonly api: AutoScalingApi;

  constructor(opts: { autoscaling: AutoScalingApi }) {
    this.api = opts.autoscaling;
  }

  async read(target: Target<AutoScalingGroupNeeds>): Promise<Actual> {
    const name = target.spec.autoScalingGroupName;
    const g = await describeGroup(this.api, name);
    const s = sizesOf(g);
    const warmup = warmupOf(g);
    const actual: Actual = {
      value: s.minSize,
      ready: Math.min(s.minSize, inService(g)),
      details: {
        ...s,
        inService: inService(g),
        ...(warmup ? { instanceWarmupSeconds: warmup.seconds, instanceWarmupFrom: warmup.from } : {}),
        ...(g.SuspendedProcesses?.length
          ? { suspendedProcesses: g.SuspendedProcesses.map((p) => p.ProcessName) }
          : {}),
        ...(g.WarmPoolConfiguration
          ? { warmPool: poolOf(g.WarmPoolConfiguration), warmPoolSize: g.WarmPoolSize }
          : {}),
      },
    };
    const ceiling = ceilingInForce(g);
    if (ceiling !== undefined) actual.ceiling = ceiling;
    const held = holdOf(g);
    if (held) actual.blocked = held;
    const busy = await busyOf(this.api, name);
    if (busy) actual.busy = busy;
    return actual;
  }

  async apply(
    target: Target<AutoScalingGroupNeeds>,
    desired: number,
    ctx: ApplyContext,
  ): Promise<ApplyResult> {
    const name = target.spec.autoScalingGroupName;
    const g = await describeGroup(this.api, name);
    const cur = sizesOf(g);
    const before: Record<string, unknown> = { ...cur };
    const unchanged: Unchanged = (status, message) => ({
      status,
      before,
      after: before,
      ...(message ? { message } : {}),
    });
    if (ctx.ceiling !== undefined) return this.applyCeiling(g, desired, ctx.ceiling, unchanged);
    if (desired === cur.minSize) return unchanged('no-op');
    const stop = await this.stopped(g, unchanged);
    if (stop) return stop;

    const up = desired > cur.minSize;
    let clamp: string | undefined;
    let floor = desired;
    if (floor > cur.maxSize) {
      if (cur.minSize >= cur.maxSize)
        return unchanged(
          'blocked',
          `MinSize ${cur.minSize} is already the group's MaxSize ${cur.maxSize}: Headroom never raises MaxSize (raise it on ${name} or lower bounds.max to ${cur.maxSize})`,
        );
      clamp = `clamped to the group's MaxSize ${cur.maxSize} (asked ${desired}; Headroom never raises MaxSize)`;
      floor = cur.maxSize;
    }
    const next: GroupSizes = {
      ...cur,
      minSize: floor,
      desiredCapacity: nextDesired(cur, floor, ctx.remembered),
    };
    const found = typeof ctx.remembered.minSize === 'number' ? ctx.remembered.minSize : undefined;
    const remember: Record<string, unknown> = {};
    const forget: string[] = [];
    if (up && found === undefined)
      Object.assign(remember, { minSize: cur.minSize, desiredCapacity: cur.desiredCapacity });
    const releasing = !up && found !== undefined && floor <= found;
    if (releasing) forget.push('minSize', 'desiredCapacity');

    // The release puts the pool back first (idempotent: a retry does it again); the raise sizes
    // it after the floor, so a pool Headroom could not size never stops the floor.
    let restored: string | undefined;
    if (releasing && ctx.remembered.warmPool !== undefined) {
      restored = await this.restorePool(g, ctx.remembered.warmPool as FoundPool);
      forget.push('warmPool');
    }
    const refused = await this.update({
      AutoScalingGroupName: name,
      MinSize: next.minSize,
      ...(next.desiredCapacity !== cur.desiredCapacity ? { DesiredCapacity: next.desiredCapacity } : {}),
    });
    if (refused) return unchanged('in-progress', refused);
    const after: Record<string, unknown> = { ...next };
    const notes = [clamp, restored];
    const pool = target.spec.warmPool;
    if (pool && up && ctx.remembered.warmPool === undefined) {
      try {
        await this.putPool(g, {
          MinSize: pool.minSize,
          MaxGroupPreparedCapacity: pool.maxGroupPreparedCapacity,
        });
        remember.warmPool = g.WarmPoolConfiguration ? poolOf(g.WarmPoolConfiguration) : 'none';
        after.warmPool = describePool(pool);
        notes.push(`warm pool sized for the event (${describePool(pool)})`);
      } catch (err) {
        notes.push(`warm pool not sized: ${(err as Error).message}`);
      }
    }
    const message = notes.filter(Boolean).join('; ');
    return {
      status: 'applied',
      before,
      after,
      ...(Object.keys(remember).length ? { remember } : {}),
      ...(forget.length ? { forget } : {}),
      ...(message ? { message } : {}),
    };
  }

  /**
   * A ceiling (docs/ceilings.md): MaxSize at `ceiling`, MinSize (`desired`, the planner lowered it)
   * and DesiredCapacity down to it; the values replaced go in the `headroom:replaced` tag first.
   * A lift (null) puts back MaxSize and DesiredCapacity from the tag, then deletes it.
   */
  private async applyCeiling(
    g: AutoScalingGroup,
    desired: number,
    ceiling: number | null,
    unchanged: Unchanged,
  ): Promise<ApplyResult> {
    const name = g.AutoScalingGroupName!;
    const cur = sizesOf(g);
    const { next, record } = ceilingSizes(cur, desired, ceiling, g);
    const tagged = ceilingRecordOf(g) !== undefined;
    const same =
      next.minSize === cur.minSize &&
      next.maxSize === cur.maxSize &&
      next.desiredCapacity === cur.desiredCapacity;
    if (same && (ceiling === null ? !tagged : ceilingInForce(g) === ceiling)) return unchanged('no-op');
    const stop = await this.stopped(g, unchanged);
    if (stop) return stop;
    if (record) await writeCeilingRecord(this.api, name, record);
    if (!same) {
      const refused = await this.update({
        AutoScalingGroupName: name,
        MinSize: next.minSize,
        MaxSize: next.maxSize,
        DesiredCapacity: next.desiredCapacity,
      });
      if (refused) return unchanged('in-progress', refused);
    }
    if (ceiling === null && tagged) await writeCeilingRecord(this.api, name, undefined);
    return {
      status: 'applied',
      before: { ...cur },
      after: { ...next },
      message:
        ceiling === null
          ? `ceiling lifted: MaxSize ${next.maxSize}, DesiredCapacity ${next.desiredCapacity} as before it`
          : `ceiling ${ceiling} on MaxSize; the values it replaced are in the tag ${REPLACED_TAG}`,
    };
  }

  /** Suspended processes block the group; an instance refresh or scaling activity makes it busy. */
  private async stopped(g: AutoScalingGroup, unchanged: Unchanged): Promise<ApplyResult | undefined> {
    const held = holdOf(g);
    if (held) return unchanged('blocked', held);
    const busy = await busyOf(this.api, g.AutoScalingGroupName!);
    if (busy) return unchanged('in-progress', `${busy}: not changed while it runs`);
    return undefined;
  }

  /** UpdateAutoScalingGroup; the message when Auto Scaling refuses it for now (a scaling activity). */
  private async update(input: UpdateAutoScalingGroupCommandInput): Promise<string | undefined> {
    const name = input.AutoScalingGroupName;
    try {
      await this.api.send(new UpdateAutoScalingGroupCommand(input));
      return undefined;
    } catch (err) {
      const e = toActuatorError(`UpdateAutoScalingGroup ${name}`, err, 'autoscaling:UpdateAutoScalingGroup');
      if (e.code === 'invalid-state') return e.message;
      throw e;
    }
  }

  private async putPool(g: AutoScalingGroup, sizes: { MinSize?: number; MaxGroupPreparedCapacity?: number }) {
    const name = g.AutoScalingGroupName!;
    const keep = g.WarmPoolConfiguration;
    await call(
      `PutWarmPool ${name}`,
      () =>
        this.api.send(
          new PutWarmPoolCommand({
            AutoScalingGroupName: name,
            // The pool's other settings (state, reuse policy) stay as the owner set them.
            ...(keep?.PoolState ? { PoolState: keep.PoolState } : {}),
            ...(keep?.InstanceReusePolicy ? { InstanceReusePolicy: keep.InstanceReusePolicy } : {}),
            ...sizes,
          }),
        ),
      'autoscaling:PutWarmPool',
    );
  }

  /** Puts back the warm pool found before the raise; one Headroom created is deleted. */
  private async restorePool(g: AutoScalingGroup, found: FoundPool): Promise<string> {
    const name = g.AutoScalingGroupName!;
    if (found !== 'none') {
      await this.putPool(g, found);
      return `warm pool restored (${describePool({ minSize: found.MinSize, maxGroupPreparedCapacity: found.MaxGroupPreparedCapacity })})`;
    }
    if (!g.WarmPoolConfiguration) return 'warm pool already gone';
    await call(
      `DeleteWarmPool ${name}`,
      () => this.api.send(new DeleteWarmPoolCommand({ AutoScalingGroupName: name })),
      'autoscaling:DeleteWarmPool',
    );
    return 'warm pool Headroom created deleted';
  }
}

/**
 * DesiredCapacity for a new floor: at least the floor on a raise; on a release, back towards
 * what it was before the raise only while the floor was what held it (desired == old MinSize),
 * else the group's scaling policies own it.
 */
function nextDesired(cur: GroupSizes, floor: number, remembered: Record<string, unknown>): number {
  if (floor > cur.minSize) return Math.max(cur.desiredCapacity, floor);
  if (cur.desiredCapacity > cur.minSize) return cur.desiredCapacity;
  const original = typeof remembered.desiredCapacity === 'number' ? remembered.desiredCapacity : floor;
  return Math.min(cur.desiredCapacity, Math.max(floor, original));
}

function poolOf(w: WarmPoolConfiguration): { MinSize?: number; MaxGroupPreparedCapacity?: number } {
  return {
    ...(w.MinSize !== undefined ? { MinSize: w.MinSize } : {}),
    ...(w.MaxGroupPreparedCapacity !== undefined
      ? { MaxGroupPreparedCapacity: w.MaxGroupPreparedCapacity }
      : {}),
  };
}

function describePool(p: { minSize?: number; maxGroupPreparedCapacity?: number }): string {
  return [
    p.minSize !== undefined ? `MinSize ${p.minSize}` : undefined,
    p.maxGroupPreparedCapacity !== undefined
      ? `MaxGroupPreparedCapacity ${p.maxGroupPreparedCapacity}`
      : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}
