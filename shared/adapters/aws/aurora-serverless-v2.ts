import { ModifyDBClusterCommand } from '@aws-sdk/client-rds';
import { ActuatorError } from '../../domain/errors.ts';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import { describeCluster } from './aurora-readers.ts';
import type { RdsApi } from './clients.ts';
import { call } from './errors.ts';
import { capacityState } from './rds-common.ts';

/** What the actuator reads from an `aurora-serverless-v2` target's spec. */
export type ServerlessV2Needs = { clusterIdentifier: string; maxCapacity?: number };

/** Keys Headroom remembers when it had to raise MaxCapacity, so the revert restores it. */
const MAX_KEY = 'maxCapacity';
const RAISED_FROM_KEY = 'maxCapacityRaisedAtMin';

/**
 * `aurora-serverless-v2`: the cluster's `MinCapacity` in ACUs (0.5 steps) through ModifyDBCluster
 * `ServerlessV2ScalingConfiguration`. When a new minimum is above `MaxCapacity`, the maximum is
 * raised too (to `maxCapacity` from the config, else to the minimum) and restored on the way back.
 */
export class AuroraServerlessV2Actuator implements Actuator<ServerlessV2Needs> {
  private readonly rds: RdsApi;
  constructor(deps: { rds: RdsApi }) {
    this.rds = deps.rds;
  }

  async read(target: Target<ServerlessV2Needs>): Promise<Actual> {
    const id = target.spec.clusterIdentifier;
    const c = await describeCluster(this.rds, id);
    const scaling = c.ServerlessV2ScalingConfiguration;
    const actual: Actual = {
      value: scaling?.MinCapacity ?? 0,
      details: {
        cluster: id,
        status: c.Status,
        minCapacity: scaling?.MinCapacity,
        maxCapacity: scaling?.MaxCapacity,
      },
    };
    const state = capacityState(c.Status);
    if (!scaling)
      actual.blocked = `cluster ${id} has no Serverless v2 scaling configuration (no db.serverless instances)`;
    else if (state === 'broken' || state === 'gone')
      actual.blocked = `cluster ${id} is ${c.Status}: Headroom changes nothing until it is available`;
    else if (c.Status !== 'available') actual.busy = `cluster is ${c.Status}`;
    return actual;
  }

  async apply(target: Target<ServerlessV2Needs>, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    if (!(desired >= 0) || Math.abs(desired * 2 - Math.round(desired * 2)) > 1e-9)
      throw new ActuatorError('invalid-request', `${target.id}: ${desired} ACU is not a multiple of 0.5`, {
        retryable: false,
      });
    const id = target.spec.clusterIdentifier;
    const actual = await this.read(target);
    const min = actual.value;
    const max = Number(actual.details?.maxCapacity ?? desired);
    const before = { minCapacity: min, maxCapacity: max };
    if (desired === min) return { status: 'no-op', before, after: before };
    if (actual.blocked) return { status: 'blocked', before, after: before, message: actual.blocked };
    if (actual.busy) return { status: 'in-progress', before, after: before, message: actual.busy };

    let newMax = max;
    let remember: Record<string, unknown> | undefined;
    let forget: string[] | undefined;
    const replacedMax = ctx.remembered[MAX_KEY] as number | undefined;
    const raisedAt = ctx.remembered[RAISED_FROM_KEY] as number | undefined;
    if (desired > max) {
      newMax = Math.max(desired, target.spec.maxCapacity ?? desired);
      remember = { [MAX_KEY]: max, [RAISED_FROM_KEY]: min };
    } else if (replacedMax !== undefined && raisedAt !== undefined && desired <= raisedAt) {
      // Back to where the minimum was when Headroom raised the maximum: restore that maximum.
      newMax = Math.max(replacedMax, desired);
      forget = [MAX_KEY, RAISED_FROM_KEY];
    }
    await call(`ModifyDBCluster ${id}`, () =>
      this.rds.send(
        new ModifyDBClusterCommand({
          DBClusterIdentifier: id,
          ApplyImmediately: true,
          ServerlessV2ScalingConfiguration: { MinCapacity: desired, MaxCapacity: newMax },
        }),
      ),
    );
    return {
      status: 'applied',
      before,
      after: { minCapacity: desired, maxCapacity: newMax },
      remember,
      forget,
      message: `MinCapacity ${min} -> ${desired} ACU${newMax !== max ? `, MaxCapacity ${max} -> ${newMax}` : ''}`,
    };
  }
}
