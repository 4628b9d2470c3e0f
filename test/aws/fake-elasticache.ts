import {
  DecreaseReplicaCountCommand,
  type DecreaseReplicaCountCommandInput,
  DescribeReplicationGroupsCommand,
  type DescribeReplicationGroupsCommandInput,
  DescribeServerlessCachesCommand,
  type DescribeServerlessCachesCommandInput,
  ElastiCacheClient,
  ElastiCacheServiceException,
  IncreaseReplicaCountCommand,
  type IncreaseReplicaCountCommandInput,
  InvalidParameterCombinationException,
  InvalidParameterValueException,
  InvalidReplicationGroupStateFault,
  InvalidServerlessCacheStateFault,
  ModifyReplicationGroupCommand,
  type ModifyReplicationGroupCommandInput,
  ModifyReplicationGroupShardConfigurationCommand,
  type ModifyReplicationGroupShardConfigurationCommandInput,
  ModifyServerlessCacheCommand,
  type ModifyServerlessCacheCommandInput,
  type ReplicationGroup,
  ReplicationGroupNotFoundFault,
  type ServerlessCache,
  ServerlessCacheNotFoundFault,
} from '@aws-sdk/client-elasticache';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../shared/ports/clock.ts';
import { FakeApi, MIN, metadata } from './fake-base.ts';

/** ElastiCache timings in this model, each below the default lead time of the dimension. */
export const CACHE_DELAYS = {
  replicaAdd: 15 * MIN,
  replicaRemove: 5 * MIN,
  reshard: 25 * MIN,
  nodeType: 25 * MIN,
  serverlessModify: 2 * MIN,
};

export interface FakeGroup {
  id: string;
  status: string;
  nodeType: string;
  clusterEnabled: boolean;
  automaticFailover: 'enabled' | 'disabled';
  /** Replicas per shard, one entry per shard (shard ids 0001, 0002...). */
  shards: number[];
  resharding?: number;
}

export interface FakeServerless {
  name: string;
  status: string;
  ecpuMin?: number;
  ecpuMax?: number;
  storageMin?: number;
  storageMax?: number;
}

const invalidValue = (message: string) =>
  new InvalidParameterValueException({ message, $metadata: metadata(400) });

/**
 * A stateful ElastiCache behind aws-sdk-client-mock: replication groups whose replicas,
 * shards and node type change after clock-driven delays while `modifying`, and serverless
 * caches with usage limits, answering with the real error classes and messages.
 */
export class FakeElastiCache extends FakeApi {
  readonly groups = new Map<string, FakeGroup>();
  readonly serverless = new Map<string, FakeServerless>();
  private mock?: { restore(): void };

  constructor(clock: Clock) {
    super(
      clock,
      () =>
        new ElastiCacheServiceException({
          name: 'Throttling',
          $fault: 'client',
          message: 'Rate exceeded',
          $metadata: metadata(400),
        }),
    );
  }

  addGroup(p: Partial<FakeGroup> & { id: string }): FakeGroup {
    const g: FakeGroup = {
      status: 'available',
      nodeType: 'cache.r7g.large',
      clusterEnabled: false,
      automaticFailover: 'enabled',
      shards: [1],
      ...p,
    };
    this.groups.set(g.id, g);
    return g;
  }

  addServerless(p: Partial<FakeServerless> & { name: string }): FakeServerless {
    const c: FakeServerless = { status: 'available', ...p };
    this.serverless.set(c.name, c);
    return c;
  }

  group(id: string): FakeGroup {
    this.settle();
    return this.groups.get(id)!;
  }

  serverlessCache(name: string): FakeServerless {
    this.settle();
    return this.serverless.get(name)!;
  }

  install(): this {
    const ec = mockClient(ElastiCacheClient);
    const on = <I extends object>(cmd: unknown, name: string, fn: (input: I) => unknown) =>
      ec.on(cmd as never).callsFake(async (input: I) => this.handle(name, input, () => fn(input)));
    on(
      DescribeReplicationGroupsCommand,
      'DescribeReplicationGroups',
      (i: DescribeReplicationGroupsCommandInput) => ({
        ReplicationGroups: [this.groupApi(this.getGroup(i.ReplicationGroupId))],
      }),
    );
    on(IncreaseReplicaCountCommand, 'IncreaseReplicaCount', (i: IncreaseReplicaCountCommandInput) =>
      this.replicas(i, 'up'),
    );
    on(DecreaseReplicaCountCommand, 'DecreaseReplicaCount', (i: DecreaseReplicaCountCommandInput) =>
      this.replicas(i, 'down'),
    );
    on(
      ModifyReplicationGroupShardConfigurationCommand,
      'ModifyReplicationGroupShardConfiguration',
      (i: ModifyReplicationGroupShardConfigurationCommandInput) => this.reshard(i),
    );
    on(ModifyReplicationGroupCommand, 'ModifyReplicationGroup', (i: ModifyReplicationGroupCommandInput) =>
      this.nodeType(i),
    );
    on(
      DescribeServerlessCachesCommand,
      'DescribeServerlessCaches',
      (i: DescribeServerlessCachesCommandInput) => ({
        ServerlessCaches: [this.serverlessApi(this.getServerless(i.ServerlessCacheName))],
      }),
    );
    on(ModifyServerlessCacheCommand, 'ModifyServerlessCache', (i: ModifyServerlessCacheCommandInput) =>
      this.modifyServerless(i),
    );
    this.mock = ec;
    return this;
  }

  restore(): void {
    this.mock?.restore();
  }

  private getGroup(id: string | undefined): FakeGroup {
    const g = this.groups.get(id ?? '');
    if (!g)
      throw new ReplicationGroupNotFoundFault({
        message: `ReplicationGroup ${id} not found.`,
        $metadata: metadata(404),
      });
    return g;
  }

  private available(g: FakeGroup): void {
    if (g.status !== 'available')
      throw new InvalidReplicationGroupStateFault({
        message: `Replication group ${g.id} must be in available state to modify, but is ${g.status}.`,
        $metadata: metadata(400),
      });
  }

  private groupApi(g: FakeGroup): ReplicationGroup {
    return {
      ReplicationGroupId: g.id,
      Status: g.status,
      CacheNodeType: g.nodeType,
      ClusterEnabled: g.clusterEnabled,
      AutomaticFailover: g.automaticFailover,
      MultiAZ: g.automaticFailover === 'enabled' ? 'enabled' : 'disabled',
      NodeGroups: g.shards.map((replicas, s) => {
        const shard = String(s + 1).padStart(4, '0');
        return {
          NodeGroupId: shard,
          Status: g.status === 'available' ? 'available' : 'modifying',
          NodeGroupMembers: Array.from({ length: replicas + 1 }, (_, n) => ({
            CacheClusterId: `${g.id}-${shard}-${String(n + 1).padStart(3, '0')}`,
            CacheNodeId: '0001',
            ...(g.clusterEnabled ? {} : { CurrentRole: n === 0 ? 'primary' : 'replica' }),
          })),
        };
      }),
      PendingModifiedValues:
        g.resharding !== undefined
          ? { Resharding: { SlotMigration: { ProgressPercentage: g.resharding } } }
          : {},
    };
  }

  private replicas(
    input: IncreaseReplicaCountCommandInput | DecreaseReplicaCountCommandInput,
    dir: 'up' | 'down',
  ) {
    const g = this.getGroup(input.ReplicationGroupId);
    this.available(g);
    const to = input.NewReplicaCount as number;
    const now = Math.min(...g.shards);
    if (input.ApplyImmediately !== true) throw invalidValue('ApplyImmediately must be true.');
    if (dir === 'up' && to <= now)
      throw invalidValue(`NewReplicaCount ${to} must be greater than the current ${now}.`);
    if (dir === 'down' && to >= now)
      throw invalidValue(`NewReplicaCount ${to} must be less than the current ${now}.`);
    if (to > 5) throw invalidValue('A shard can have at most 5 replicas.');
    if (to < 1 && g.automaticFailover === 'enabled')
      throw new InvalidParameterCombinationException({
        message: 'Automatic failover requires at least one replica per shard.',
        $metadata: metadata(400),
      });
    g.status = 'modifying';
    // New replicas are members at once (creating); removed ones leave at once (deleting).
    g.shards = g.shards.map(() => to);
    this.later(dir === 'up' ? CACHE_DELAYS.replicaAdd : CACHE_DELAYS.replicaRemove, () => {
      g.status = 'available';
    });
    return { ReplicationGroup: this.groupApi(g) };
  }

  private reshard(input: ModifyReplicationGroupShardConfigurationCommandInput) {
    const g = this.getGroup(input.ReplicationGroupId);
    this.available(g);
    if (!g.clusterEnabled)
      throw new InvalidParameterCombinationException({
        message: 'Cluster mode must be enabled to modify the shard configuration.',
        $metadata: metadata(400),
      });
    const to = input.NodeGroupCount as number;
    if (to < g.shards.length && !(input.NodeGroupsToRemove?.length || input.NodeGroupsToRetain?.length))
      throw invalidValue('Either NodeGroupsToRemove or NodeGroupsToRetain is required when reducing shards.');
    g.status = 'modifying';
    g.resharding = 0;
    this.later(CACHE_DELAYS.reshard / 2, () => {
      g.resharding = 50;
    });
    this.later(CACHE_DELAYS.reshard, () => {
      const r = g.shards[0] ?? 1;
      g.shards = Array.from({ length: to }, () => r);
      g.resharding = undefined;
      g.status = 'available';
    });
    return { ReplicationGroup: this.groupApi(g) };
  }

  private nodeType(input: ModifyReplicationGroupCommandInput) {
    const g = this.getGroup(input.ReplicationGroupId);
    this.available(g);
    if (input.CacheNodeType === g.nodeType)
      throw invalidValue(`The replication group already has node type ${g.nodeType}.`);
    g.status = 'modifying';
    this.later(CACHE_DELAYS.nodeType, () => {
      g.nodeType = input.CacheNodeType ?? g.nodeType;
      g.status = 'available';
    });
    return { ReplicationGroup: this.groupApi(g) };
  }

  private getServerless(name: string | undefined): FakeServerless {
    const c = this.serverless.get(name ?? '');
    if (!c)
      throw new ServerlessCacheNotFoundFault({
        message: `Serverless cache ${name} not found.`,
        $metadata: metadata(404),
      });
    return c;
  }

  private serverlessApi(c: FakeServerless): ServerlessCache {
    const ecpu = c.ecpuMin !== undefined || c.ecpuMax !== undefined;
    const storage = c.storageMin !== undefined || c.storageMax !== undefined;
    return {
      ServerlessCacheName: c.name,
      Status: c.status,
      Engine: 'valkey',
      CacheUsageLimits: {
        ...(ecpu ? { ECPUPerSecond: { Minimum: c.ecpuMin, Maximum: c.ecpuMax } } : {}),
        ...(storage ? { DataStorage: { Minimum: c.storageMin, Maximum: c.storageMax, Unit: 'GB' } } : {}),
      },
    };
  }

  private modifyServerless(input: ModifyServerlessCacheCommandInput) {
    const c = this.getServerless(input.ServerlessCacheName);
    if (c.status !== 'available')
      throw new InvalidServerlessCacheStateFault({
        message: `Serverless cache ${c.name} is not in available state.`,
        $metadata: metadata(400),
      });
    const u = input.CacheUsageLimits ?? {};
    const e = u.ECPUPerSecond ?? {};
    const d = u.DataStorage;
    for (const v of [e.Minimum, e.Maximum])
      if (v !== undefined && (v < 1000 || v > 15_000_000))
        throw invalidValue(`ECPUPerSecond must be between 1000 and 15000000, got ${v}.`);
    if (e.Minimum !== undefined && e.Maximum !== undefined && e.Minimum > e.Maximum)
      throw new InvalidParameterCombinationException({
        message: 'ECPUPerSecond Minimum cannot be greater than Maximum.',
        $metadata: metadata(400),
      });
    if (d && d.Unit !== 'GB') throw invalidValue('DataStorage Unit must be GB.');
    for (const v of [d?.Minimum, d?.Maximum])
      if (v !== undefined && (v < 1 || v > 5000 || !Number.isInteger(v)))
        throw invalidValue(`DataStorage must be between 1 and 5000 GB, got ${v}.`);
    if (d?.Minimum !== undefined && d.Maximum !== undefined && d.Minimum > d.Maximum)
      throw new InvalidParameterCombinationException({
        message: 'DataStorage Minimum cannot be greater than Maximum.',
        $metadata: metadata(400),
      });
    // The usage limits are replaced as a whole: a field left out is no longer set.
    c.ecpuMin = e.Minimum;
    c.ecpuMax = e.Maximum;
    c.storageMin = d?.Minimum;
    c.storageMax = d?.Maximum;
    c.status = 'modifying';
    this.later(CACHE_DELAYS.serverlessModify, () => {
      c.status = 'available';
    });
    return { ServerlessCache: this.serverlessApi(c) };
  }
}
