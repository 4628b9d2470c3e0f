import { type DBInstance, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { ActuatorError } from '../../domain/errors.ts';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { CloudWatchApi, RdsApi } from './clients.ts';
import { call, codeOf } from './errors.ts';
import { applyBlueGreen, blueGreenView, findDeployment } from './rds-blue-green.ts';
import { capacityState, describeInstance } from './rds-common.ts';
import type { ParameterReader } from './rds-parameters.ts';
import {
  freeStorageBytes,
  planStorage,
  type StoragePlan,
  type StoragePolicy,
  tagStorageChange,
} from './rds-storage.ts';

/** What the actuator reads from an `rds-instance` target's spec. */
export type RdsInstanceNeeds = {
  identifier: string;
  storage?: StoragePolicy;
  method?: 'modify' | 'blue-green';
};

/** Statuses in which RDS accepts a class change (storage-optimization only blocks storage changes). */
const MODIFIABLE = new Set(['available', 'storage-optimization']);

export const SINGLE_AZ_RISK =
  'Single-AZ instance: a class change restarts the database with downtime (no standby to fail over to)';

interface View {
  actual: Actual;
  instanceClass: string;
}

/** What DescribeDBInstances says, in units of the target's ladder. */
function view(target: Target<RdsInstanceNeeds>, inst: DBInstance): View {
  const tiers = target.tiers ?? [];
  const status = inst.DBInstanceStatus ?? 'unknown';
  const current = inst.DBInstanceClass ?? 'unknown';
  const pending = inst.PendingModifiedValues?.DBInstanceClass;
  // While RDS applies a change the class it moves to is the value Headroom steers; ready
  // capacity is still the old class until the modification completes.
  const applying = status === 'modifying' && pending !== undefined;
  const steered = applying ? pending : current;
  const value = tiers.indexOf(steered);
  const actual: Actual = {
    value,
    details: {
      instanceClass: current,
      status,
      multiAZ: inst.MultiAZ === true,
      engine: inst.Engine,
      allocatedStorageGiB: inst.AllocatedStorage,
      ...(pending ? { pendingInstanceClass: pending } : {}),
    },
  };
  if (tiers.includes(current)) actual.ready = tiers.indexOf(current);
  const waiting = Object.entries(inst.PendingModifiedValues ?? {})
    .filter(([, v]) => v !== undefined && v !== null && (typeof v !== 'object' || Object.keys(v).length > 0))
    .map(([k]) => k);

  if (capacityState(status) === 'broken' || capacityState(status) === 'gone')
    actual.blocked = `${inst.DBInstanceIdentifier} is ${status}: Headroom changes nothing until it is available`;
  else if (value < 0)
    actual.blocked = `instance class ${steered} is not on the ladder of ${target.id} (${tiers.join(', ')}): Headroom leaves it alone`;
  else if (!MODIFIABLE.has(status))
    actual.busy = applying ? `${status}: ${current} -> ${pending}` : `instance is ${status}`;
  else if (waiting.length > 0)
    actual.busy = `modifications pending for the maintenance window (${waiting.join(', ')}): apply or cancel them first`;
  if (inst.MultiAZ !== true) actual.risk = SINGLE_AZ_RISK;
  return { actual, instanceClass: current };
}

export interface RdsInstanceDeps {
  rds: RdsApi;
  /** For storage growth: FreeStorageSpace. */
  cloudwatch?: CloudWatchApi;
  /** max_connections of the parameter group, for connection budgets (planner/constraints.ts). */
  parameters?: ParameterReader;
}

/**
 * `rds-instance`: moves an RDS instance along the target's instance class ladder with
 * ModifyDBInstance (ApplyImmediately), only while the instance is available with nothing
 * pending, never on a Single-AZ instance without an approval, and optionally grows its storage
 * in the same modification.
 */
export class RdsInstanceActuator implements Actuator<RdsInstanceNeeds> {
  private readonly deps: RdsInstanceDeps;
  constructor(deps: RdsInstanceDeps) {
    this.deps = deps;
  }

  async read(target: Target<RdsInstanceNeeds>): Promise<Actual> {
    const inst = await describeInstance(this.deps.rds, identifierOf(target));
    const { actual } = view(target, inst);
    const maxConnections = await this.deps.parameters?.maxConnections(this.deps.rds, inst);
    if (maxConnections !== undefined)
      actual.details = { ...actual.details, maxConnectionsParameter: maxConnections };
    if (target.spec.method !== 'blue-green') return actual;
    return blueGreenView(
      actual,
      await findDeployment(this.deps.rds, identifierOf(target)),
      target.tiers ?? [],
    );
  }

  async apply(target: Target<RdsInstanceNeeds>, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    const tiers = target.tiers ?? [];
    const to = tiers[desired];
    if (!Number.isInteger(desired) || to === undefined)
      throw new ActuatorError(
        'invalid-request',
        `${target.id}: tier ${desired} is not on the ladder (${tiers.join(', ')})`,
        {
          retryable: false,
        },
      );
    const id = identifierOf(target);
    const inst = await describeInstance(this.deps.rds, id);
    const { actual, instanceClass } = view(target, inst);
    const bg = target.spec.method === 'blue-green' ? await findDeployment(this.deps.rds, id) : undefined;
    if (target.spec.method === 'blue-green') blueGreenView(actual, bg, tiers);
    const before: Record<string, unknown> = { instanceClass };
    if (actual.value === desired) return { status: 'no-op', before, after: before };
    if (actual.blocked) return { status: 'blocked', before, after: before, message: actual.blocked };
    if (actual.busy) return { status: 'in-progress', before, after: before, message: actual.busy };
    if (target.spec.method === 'blue-green') return applyBlueGreen(this.deps.rds, inst, bg, to, ctx, before);
    if (actual.risk && !ctx.approved)
      return {
        status: 'blocked',
        before,
        after: before,
        message: `refused ${instanceClass} -> ${to} on ${id}: ${actual.risk}; it needs an approval (/headroom approve) or an approved campaign`,
      };

    const storage = await this.storagePlan(target, inst, ctx.now);
    const after: Record<string, unknown> = { instanceClass: to };
    const modify = (allocated?: number) =>
      call(`ModifyDBInstance ${id}`, () =>
        this.deps.rds.send(
          new ModifyDBInstanceCommand({
            DBInstanceIdentifier: id,
            DBInstanceClass: to,
            ApplyImmediately: true,
            ...(allocated ? { AllocatedStorage: allocated } : {}),
          }),
        ),
      );

    if (storage?.kind === 'grow') {
      try {
        await modify(storage.toGiB);
        before.allocatedStorageGiB = storage.fromGiB;
        after.allocatedStorageGiB = storage.toGiB;
        await tagStorageChange(this.deps.rds, inst, ctx.now, after);
      } catch (err) {
        // RDS refused the storage part (a change by someone else within 6 h, a storage quota):
        // the class change matters more, so it goes alone.
        const code = err instanceof ActuatorError ? err.code : codeOf(err);
        if (code !== 'invalid-request' && code !== 'quota-exceeded') throw err;
        await modify();
        after.storage = `not grown (${storage.freePercent}% free): ${(err as Error).message}`;
      }
    } else {
      await modify();
      if (storage?.kind === 'skip') after.storage = `not grown: ${storage.why}`;
    }
    return {
      status: 'applied',
      before,
      after,
      message: `ModifyDBInstance ${id} ${instanceClass} -> ${to} (ApplyImmediately)`,
    };
  }

  /** Storage growth rides on a class change, so a raise also leaves room for the surge's writes. */
  private async storagePlan(
    target: Target<RdsInstanceNeeds>,
    inst: DBInstance,
    now: Date,
  ): Promise<StoragePlan | undefined> {
    const policy = target.spec.storage;
    if (!policy) return undefined;
    if (!this.deps.cloudwatch) return { kind: 'skip', why: 'no CloudWatch client to read FreeStorageSpace' };
    let free: number | undefined;
    try {
      free = await freeStorageBytes(this.deps.cloudwatch, identifierOf(target), now);
    } catch (err) {
      return { kind: 'skip', why: `FreeStorageSpace unreadable: ${(err as Error).message}` };
    }
    return planStorage(policy, inst, free, now.getTime());
  }
}

function identifierOf(target: Target<RdsInstanceNeeds>): string {
  return target.spec.identifier;
}
