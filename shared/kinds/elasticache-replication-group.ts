import * as z from 'zod';
import { isCacheNodeType } from '../config/catalog.ts';
import { common, countBounds, tierBounds } from '../config/fields.ts';
import { elasticacheArn } from '../iam/arns.ts';
import { lowerName } from '../iam/grants.ts';
import { type KindDefinition, ladderShape, minutes } from './kind.ts';

const schema = z.strictObject({
  ...common,
  replicationGroupId: z.string(),
  replicas: countBounds.optional(),
  shards: countBounds.optional(),
  tiers: z.array(z.string()).min(1).optional(),
  bounds: tierBounds.optional(),
});
export type ElastiCacheReplicationGroupSpec = z.infer<typeof schema>;

const FIELDS: Record<string, string> = {
  replicas: 'replicasPerShard',
  shards: 'shards',
  nodeType: 'cacheNodeType',
};

/**
 * An ElastiCache (Redis OSS / Valkey) replication group, steered in one dimension per target:
 * replicas per shard, shards (online resharding) or the node type.
 */
export const elastiCacheReplicationGroup: KindDefinition<ElastiCacheReplicationGroupSpec> = {
  name: 'elasticache-replication-group',
  description: 'an ElastiCache replication group: replicas per shard, shards or node type',
  schema,
  field: (shape) => FIELDS[shape.dimension ?? 'replicas']!,
  granularity: 1,
  leadTime: { seconds: minutes(20), source: 'adding a replica copies the data set: ~15-20 minutes' },
  // A node type change or resharding migrates every slot (~30 min for a few GiB, longer with more data).
  leadTimeByDimension: {
    replicas: { seconds: minutes(20), source: 'adding a replica copies the data set: ~15-20 minutes' },
    shards: { seconds: minutes(30), source: 'online resharding migrates slots: ~30 minutes for a few GiB' },
    nodeType: { seconds: minutes(30), source: 'a node type change replaces every node: ~30 minutes' },
  },
  shape: (spec, problems) => {
    const dims = (['replicas', 'shards', 'tiers'] as const).filter((d) => spec[d] !== undefined);
    if (dims.length !== 1) {
      problems.add([], 'needs exactly one of replicas, shards or tiers (declare one target per dimension)');
      return undefined;
    }
    if (spec.tiers)
      return {
        ...ladderShape(spec.tiers, spec.bounds, isCacheNodeType, 'ElastiCache node type', problems),
        dimension: 'nodeType',
      };
    const dimension = dims[0]!;
    const bounds = spec[dimension as 'replicas' | 'shards']!;
    if (dimension === 'replicas' && bounds.max > 5)
      problems.add(['replicas', 'max'], 'ElastiCache allows at most 5 replicas per shard');
    if (dimension === 'shards' && (bounds.min < 1 || bounds.max > 500))
      problems.add(['shards'], 'a cluster-mode group has 1 to 500 shards');
    return { scale: 'count', bounds, dimension };
  },
  isWorkload: false,
  isNodeCapacity: false,
  exclusive: true,
  iam: (t, names) => {
    const id = lowerName(names, `${t.path}.replicationGroupId`, t.spec.replicationGroupId);
    const group = elasticacheArn(t.scope, 'replicationgroup', id);
    // Member nodes are cache clusters `<group>-<nnn>[-<nnn>]`, created and deleted by the changes.
    const nodes = elasticacheArn(t.scope, 'cluster', `${id}-*`);
    return [
      {
        purpose: 'ReplicationGroup',
        actions: ['elasticache:DescribeReplicationGroups', 'elasticache:ListAllowedNodeTypeModifications'],
        resources: [group],
      },
      {
        purpose: 'ChangeReplicationGroup',
        actions: [
          'elasticache:IncreaseReplicaCount',
          'elasticache:DecreaseReplicaCount',
          'elasticache:ModifyReplicationGroupShardConfiguration',
          'elasticache:ModifyReplicationGroup',
        ],
        resources: [group, nodes],
      },
      { purpose: 'Nodes', actions: ['elasticache:DescribeCacheClusters'], resources: [nodes] },
    ];
  },
  actuator: async () => (await import('../adapters/aws/index.ts')).elastiCacheReplicationGroupActuators,
  world: { role: 'managed' },
};
