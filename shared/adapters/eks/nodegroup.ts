import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  type EKSClient,
  ListUpdatesCommand,
  type Nodegroup,
  type Update,
  UpdateNodegroupConfigCommand,
  type UpdateNodegroupConfigRequest,
  type WarmPoolState,
} from '@aws-sdk/client-eks';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import { toActuatorError } from '../aws/errors.ts';

interface Scaling {
  minSize: number;
  desiredSize: number;
  maxSize: number;
}

/** How many recent updates of a node group are looked at to find one still in progress. */
const RECENT_UPDATES = 5;

/** What the actuator reads from an `eks-nodegroup` target's spec; `warmPool` steers the warm pool. */
export type NodegroupNeeds = {
  nodegroup: string;
  warmPool?: { poolState?: WarmPoolState; maxGroupPreparedCapacity?: number; reuseOnScaleIn?: boolean };
};

type Config = Pick<UpdateNodegroupConfigRequest, 'scalingConfig' | 'warmPoolConfig'>;
type Done = Pick<ApplyResult, 'after' | 'remember' | 'forget'>;

/**
 * `eks-nodegroup`: the floor is the managed node group's `minSize`. A raise lifts `desiredSize`
 * with it (and `maxSize` when the floor exceeds it, remembered for the revert); a release lowers
 * `desiredSize` only by what the floor gave, so nodes a cluster autoscaler added for real load
 * stay. With `warmPool`, the floor is the warm pool's `minSize` (EKS warmPoolConfig, April
 * 2026): the pool is enabled when Headroom first raises it and disabled again when it comes
 * back to zero, if it was Headroom that enabled it. EKS runs one update at a time per node
 * group: an update in progress makes the target busy and is never issued twice (the step id
 * is the idempotency token).
 */
export class EksNodegroupActuator implements Actuator<NodegroupNeeds> {
  private readonly eks: EKSClient;
  private readonly clusterName: string;
  /** The update this process issued last, per node group: checked first on the next read. */
  private readonly issued = new Map<string, string>();

  constructor(opts: { eks: EKSClient; clusterName: string }) {
    this.eks = opts.eks;
    this.clusterName = opts.clusterName;
  }

  async read(target: Target<NodegroupNeeds>): Promise<Actual> {
    const ng = await this.describe(target);
    const s = scalingOf(ng);
    const update = await this.updateInProgress(target, ng);
    const actual: Actual = {
      value: target.spec.warmPool ? warmOf(ng).warmPoolMinSize : s.minSize,
      details: {
        ...s,
        ...(ng.warmPoolConfig ? { warmPool: ng.warmPoolConfig } : {}),
        status: ng.status,
        ...(ng.health?.issues?.length
          ? { healthIssues: ng.health.issues.map((i) => `${i.code}: ${i.message}`) }
          : {}),
        ...(update
          ? { updateInProgress: { id: update.id, type: update.type, since: update.createdAt?.toISOString() } }
          : {}),
      },
    };
    if (update)
      actual.busy = `node group update ${update.id} (${update.type}) in progress since ${update.createdAt?.toISOString()}`;
    else if (ng.status === 'UPDATING') actual.busy = 'node group is UPDATING';
    else if (ng.status === 'CREATING' || ng.status === 'DELETING') actual.busy = `node group is ${ng.status}`;
    if (ng.status === 'DELETING' || ng.status === 'CREATE_FAILED' || ng.status === 'DELETE_FAILED')
      actual.blocked = `node group ${this.name(target)} is ${ng.status}`;
    return actual;
  }

  async apply(target: Target<NodegroupNeeds>, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    const ng = await this.describe(target);
    return target.spec.warmPool
      ? this.applyWarmPool(target, ng, desired, ctx)
      : this.applyScaling(target, ng, desired, ctx);
  }

  private async applyWarmPool(
    target: Target<NodegroupNeeds>,
    ng: Nodegroup,
    desired: number,
    ctx: ApplyContext,
  ): Promise<ApplyResult> {
    const before = warmOf(ng);
    // Headroom enabled the pool (it remembered it was off): back at zero, it is turned off again.
    const disable = desired === 0 && ctx.remembered.warmPoolEnabled === false;
    if (before.warmPoolMinSize === desired && !(disable && before.warmPoolEnabled))
      return { status: 'no-op', before, after: before };
    const w = target.spec.warmPool!;
    const warmPoolConfig = disable
      ? { enabled: false }
      : {
          enabled: true,
          minSize: desired,
          ...(w.poolState ? { poolState: w.poolState } : {}),
          ...(w.maxGroupPreparedCapacity === undefined
            ? {}
            : { maxGroupPreparedCapacity: w.maxGroupPreparedCapacity }),
          ...(w.reuseOnScaleIn === undefined ? {} : { reuseOnScaleIn: w.reuseOnScaleIn }),
        };
    const enables = !before.warmPoolEnabled && !disable && ctx.remembered.warmPoolEnabled === undefined;
    return this.issue(target, ng, before, { warmPoolConfig }, ctx, {
      after: { warmPoolMinSize: disable ? 0 : desired, warmPoolEnabled: !disable },
      ...(enables ? { remember: { warmPoolEnabled: false } } : {}),
      ...(disable ? { forget: ['warmPoolEnabled'] } : {}),
    });
  }

  private async applyScaling(
    target: Target<NodegroupNeeds>,
    ng: Nodegroup,
    desired: number,
    ctx: ApplyContext,
  ): Promise<ApplyResult> {
    const cur = scalingOf(ng);
    const before = { ...cur };
    if (cur.minSize === desired) return { status: 'no-op', before, after: before };
    const next: Scaling = { ...cur, minSize: desired };
    let remember: Record<string, unknown> | undefined;
    let forget: string[] | undefined;
    const originalMax = typeof ctx.remembered.maxSize === 'number' ? ctx.remembered.maxSize : undefined;
    if (desired > cur.maxSize) {
      next.maxSize = desired;
      remember = { maxSize: cur.maxSize };
    } else if (originalMax !== undefined && desired <= originalMax) {
      // The floor is back within the size Headroom found: its max goes back too.
      next.maxSize = Math.min(cur.maxSize, Math.max(originalMax, 1));
      forget = ['maxSize'];
    }
    next.desiredSize =
      desired > cur.minSize
        ? Math.max(cur.desiredSize, desired)
        : Math.max(desired, cur.desiredSize - (cur.minSize - desired));
    next.desiredSize = Math.min(next.desiredSize, next.maxSize);
    return this.issue(target, ng, before, { scalingConfig: next }, ctx, {
      after: { ...next },
      ...(remember ? { remember } : {}),
      ...(forget ? { forget } : {}),
    });
  }

  /** Issues one UpdateNodegroupConfig, unless an update of the node group is still running. */
  private async issue(
    target: Target<NodegroupNeeds>,
    ng: Nodegroup,
    before: Record<string, unknown>,
    config: Config,
    ctx: ApplyContext,
    done: Done,
  ): Promise<ApplyResult> {
    const update = await this.updateInProgress(target, ng);
    if (update || ng.status === 'UPDATING')
      return {
        status: 'in-progress',
        before,
        after: before,
        message: `node group update ${update?.id ?? ''} in progress: not issued again`,
      };
    const ref = this.name(target);
    let issued: Update | undefined;
    try {
      issued = (
        await this.eks.send(
          new UpdateNodegroupConfigCommand({
            clusterName: this.clusterName,
            nodegroupName: ref,
            ...config,
            // The same step retried returns the same update instead of a second one.
            clientRequestToken: ctx.stepId,
          }),
        )
      ).update;
    } catch (err) {
      const e = toActuatorError(
        `eks:UpdateNodegroupConfig on node group ${this.clusterName}/${ref}`,
        err,
        'eks:UpdateNodegroupConfig',
      );
      if (e.code === 'invalid-state')
        return { status: 'in-progress', before, after: before, message: e.message };
      throw e;
    }
    if (issued?.id) this.issued.set(ref, issued.id);
    return {
      status: 'applied',
      before,
      ...done,
      message: issued?.id ? `update ${issued.id} ${issued.status}` : undefined,
    };
  }

  private name(target: Target<NodegroupNeeds>): string {
    return target.spec.nodegroup;
  }

  private async describe(target: Target<NodegroupNeeds>): Promise<Nodegroup> {
    const name = this.name(target);
    try {
      const ng = (
        await this.eks.send(
          new DescribeNodegroupCommand({ clusterName: this.clusterName, nodegroupName: name }),
        )
      ).nodegroup;
      if (!ng) throw new Error('DescribeNodegroup returned no node group');
      return ng;
    } catch (err) {
      throw toActuatorError(
        `eks:DescribeNodegroup on node group ${this.clusterName}/${name}`,
        err,
        'eks:DescribeNodegroup',
      );
    }
  }

  /** The update of this node group still in progress, if any: ours first, then recent ones. */
  private async updateInProgress(target: Target<NodegroupNeeds>, ng: Nodegroup): Promise<Update | undefined> {
    const name = this.name(target);
    const ours = this.issued.get(name);
    if (ours) {
      const u = await this.describeUpdate(name, ours);
      if (u?.status === 'InProgress') return u;
      this.issued.delete(name);
    }
    if (ng.status !== 'UPDATING') return undefined;
    let ids: string[];
    try {
      ids =
        (
          await this.eks.send(
            new ListUpdatesCommand({
              name: this.clusterName,
              nodegroupName: name,
              maxResults: RECENT_UPDATES,
            }),
          )
        ).updateIds ?? [];
    } catch (err) {
      throw toActuatorError(
        `eks:ListUpdates on node group ${this.clusterName}/${name}`,
        err,
        'eks:ListUpdates',
      );
    }
    for (const id of ids.filter((i) => i !== ours).slice(0, RECENT_UPDATES)) {
      const u = await this.describeUpdate(name, id);
      if (u?.status === 'InProgress') return u;
    }
    return undefined;
  }

  private async describeUpdate(nodegroup: string, updateId: string): Promise<Update | undefined> {
    try {
      return (
        await this.eks.send(
          new DescribeUpdateCommand({ name: this.clusterName, nodegroupName: nodegroup, updateId }),
        )
      ).update;
    } catch (err) {
      throw toActuatorError(
        `eks:DescribeUpdate on node group ${this.clusterName}/${nodegroup}`,
        err,
        'eks:DescribeUpdate',
      );
    }
  }
}

/** The warm pool as Headroom counts it: its minSize while enabled, else none. */
function warmOf(ng: Nodegroup): { warmPoolMinSize: number; warmPoolEnabled: boolean } {
  const w = ng.warmPoolConfig;
  return { warmPoolMinSize: w?.enabled ? (w.minSize ?? 0) : 0, warmPoolEnabled: w?.enabled === true };
}

function scalingOf(ng: Nodegroup): Scaling {
  const s = ng.scalingConfig ?? {};
  return { minSize: s.minSize ?? 0, desiredSize: s.desiredSize ?? 0, maxSize: s.maxSize ?? 0 };
}
