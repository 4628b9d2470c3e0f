import {
  DecreaseReplicaCountCommand,
  DescribeReplicationGroupsCommand,
  IncreaseReplicaCountCommand,
  ModifyReplicationGroupCommand,
  ModifyReplicationGroupShardConfigurationCommand,
  type ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import { ActuatorError } from '../../domain/errors.ts';
import type { Actual, Target } from '../../domain/types.ts';
import { fieldOf } from '../../domain/units.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { ElastiCacheApi } from './clients.ts';
import { call, isAwsError } from './errors.ts';

/**
 * What the actuator reads from an `elasticache-replication-group` target's spec; `dimension`
 * is set by validation (replicas, shards or nodeType).
 */
export type ReplicationGroupNeeds = { replicationGroupId: string; dimension?: string };

type Dimension = 'replicas' | 'shards' | 'nodeType';

const BROKEN = new Set(['create-failed', 'deleting', 'incompatible-network']);

function dimensionOf(target: Target<ReplicationGroupNeeds>): Dimension {
  const d = target.spec.dimension;
  return d === 'shards' || d === 'nodeType' ? d : 'replicas';
}

/** Replicas per shard: the smallest shard decides (capacity is as good as its weakest shard). */
function replicasPerShard(g: ReplicationGroup): number {
  const counts = (g.NodeGroups ?? []).map((ng) => Math.max(0, (ng.NodeGroupMembers ?? []).length - 1));
  return counts.length ? Math.min(...counts) : 0;
}

function steeredValue(target: Target<ReplicationGroupNeeds>, g: ReplicationGroup): number {
  switch (dimensionOf(target)) {
    case 'replicas':
      return replicasPerShard(g);
    case 'shards':
      return (g.NodeGroups ?? []).length;
    case 'nodeType':
      return (target.tiers ?? []).indexOf(g.CacheNodeType ?? '');
  }
}

function view(target: Target<ReplicationGroupNeeds>, g: ReplicationGroup): Actual {
  const status = g.Status ?? 'unknown';
  const value = steeredValue(target, g);
  const actual: Actual = {
    value,
    details: {
      replicationGroupId: g.ReplicationGroupId,
      status,
      cacheNodeType: g.CacheNodeType,
      shards: (g.NodeGroups ?? []).length,
      replicasPerShard: replicasPerShard(g),
      clusterMode: g.ClusterEnabled === true,
      multiAZ: g.MultiAZ,
    },
  };
  const resharding = g.PendingModifiedValues?.Resharding?.SlotMigration?.ProgressPercentage;
  if (BROKEN.has(status))
    actual.blocked = `replication group ${g.ReplicationGroupId} is ${status}: Headroom changes nothing`;
  else if (dimensionOf(target) === 'shards' && g.ClusterEnabled !== true)
    actual.blocked = `replication group ${g.ReplicationGroupId} has cluster mode disabled: its shard count cannot change`;
  else if (value < 0)
    actual.blocked = `node type ${g.CacheNodeType} is not on the ladder of ${target.id} (${(target.tiers ?? []).join(', ')}): Headroom leaves it alone`;
  else if (status !== 'available')
    actual.busy = `replication group is ${status}${resharding !== undefined ? ` (resharding ${resharding}%)` : ''}`;
  // While it changes, what is ready is not known from the group alone: report only settled capacity.
  if (!actual.busy && !actual.blocked) actual.ready = value;
  return actual;
}

/**
 * `elasticache-replication-group`: one dimension of a Valkey/Redis OSS replication group,
 * chosen in the config: replicas per shard (Increase/DecreaseReplicaCount), shard count
 * (ModifyReplicationGroupShardConfiguration, cluster mode only) or node type on a ladder
 * (ModifyReplicationGroup CacheNodeType). All apply immediately and only while `available`.
 */
export class ElastiCacheReplicationGroupActuator implements Actuator<ReplicationGroupNeeds> {
  private readonly ec: ElastiCacheApi;
  constructor(deps: { elasticache: ElastiCacheApi }) {
    this.ec = deps.elasticache;
  }

  private async group(target: Target<ReplicationGroupNeeds>): Promise<ReplicationGroup> {
    const id = target.spec.replicationGroupId;
    const out = await call(`DescribeReplicationGroups ${id}`, () =>
      this.ec.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id })),
    );
    const g = out.ReplicationGroups?.[0];
    if (!g)
      throw new ActuatorError('not-found', `DescribeReplicationGroups ${id}: no such replication group`);
    return g;
  }

  async read(target: Target<ReplicationGroupNeeds>): Promise<Actual> {
    return view(target, await this.group(target));
  }

  async apply(
    target: Target<ReplicationGroupNeeds>,
    desired: number,
    _ctx: ApplyContext,
  ): Promise<ApplyResult> {
    const g = await this.group(target);
    const actual = view(target, g);
    const field = fieldOf(target);
    const show = (v: number) => (dimensionOf(target) === 'nodeType' ? (target.tiers?.[v] ?? v) : v);
    const before = { [field]: show(actual.value) };
    if (desired === actual.value) return { status: 'no-op', before, after: before };
    if (actual.blocked) return { status: 'blocked', before, after: before, message: actual.blocked };
    if (actual.busy) return { status: 'in-progress', before, after: before, message: actual.busy };
    const id = target.spec.replicationGroupId;
    const what = await this.change(target, g, id, actual.value, desired);
    if (what === 'no-op') return { status: 'no-op', before, after: before };
    return { status: 'applied', before, after: { [field]: show(desired) }, message: what };
  }

  private async change(
    target: Target<ReplicationGroupNeeds>,
    g: ReplicationGroup,
    id: string,
    from: number,
    to: number,
  ): Promise<string> {
    try {
      switch (dimensionOf(target)) {
        case 'replicas': {
          if (to < 1 && g.AutomaticFailover === 'enabled')
            throw new ActuatorError(
              'invalid-request',
              `${id}: automatic failover needs at least one replica per shard (lower bounds.min to 0 only with failover off)`,
              { retryable: false },
            );
          const Command = to > from ? IncreaseReplicaCountCommand : DecreaseReplicaCountCommand;
          const name = to > from ? 'IncreaseReplicaCount' : 'DecreaseReplicaCount';
          await call(`${name} ${id}`, () =>
            this.ec.send(
              new Command({ ReplicationGroupId: id, NewReplicaCount: to, ApplyImmediately: true }),
            ),
          );
          return `${name} ${id}: ${from} -> ${to} replicas per shard`;
        }
        case 'shards': {
          // Scaling in must name the shards to remove: the newest (highest ids) go first.
          const ids = (g.NodeGroups ?? []).map((ng) => ng.NodeGroupId ?? '').sort();
          const remove = to < from ? ids.slice(to) : undefined;
          await call(`ModifyReplicationGroupShardConfiguration ${id}`, () =>
            this.ec.send(
              new ModifyReplicationGroupShardConfigurationCommand({
                ReplicationGroupId: id,
                NodeGroupCount: to,
                ApplyImmediately: true,
                ...(remove ? { NodeGroupsToRemove: remove } : {}),
              }),
            ),
          );
          return `resharding ${id}: ${from} -> ${to} shards${remove ? ` (removing ${remove.join(', ')})` : ''}`;
        }
        case 'nodeType': {
          const type = target.tiers?.[to];
          if (!type)
            throw new ActuatorError('invalid-request', `${target.id}: tier ${to} is not on the ladder`, {
              retryable: false,
            });
          await call(`ModifyReplicationGroup ${id}`, () =>
            this.ec.send(
              new ModifyReplicationGroupCommand({
                ReplicationGroupId: id,
                CacheNodeType: type,
                ApplyImmediately: true,
              }),
            ),
          );
          return `ModifyReplicationGroup ${id}: ${g.CacheNodeType} -> ${type}`;
        }
      }
    } catch (err) {
      // ElastiCache answers NoOperation when the group already has what was asked.
      if (err instanceof ActuatorError && isAwsError(err.cause, 'NoOperation')) return 'no-op';
      throw err;
    }
  }
}
