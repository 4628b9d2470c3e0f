import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/ports/clock.ts';
import { CACHE_DELAYS, FakeElastiCache } from './fake-elasticache.ts';
import { applyCtx, configWith, realActuator, rejection, T0 } from './helpers.ts';

const base = {
  kind: 'elasticache-replication-group',
  replicationGroupId: 'kaireon-redis',
  region: 'eu-central-1',
};

describe('Actuator: elasticache-replication-group', () => {
  let clock: ManualClock;
  let ec: FakeElastiCache;
  beforeEach(() => {
    clock = new ManualClock(T0);
    ec = new FakeElastiCache(clock).install();
  });
  afterEach(() => ec.restore());

  describe('replicas per shard', () => {
    const TARGET = { cache: { ...base, replicas: { min: 1, max: 5 } } };

    it('raises with IncreaseReplicaCount, waits while modifying, lowers with DecreaseReplicaCount', async () => {
      ec.addGroup({ id: 'kaireon-redis', clusterEnabled: true, shards: [1, 1, 1] });
      const { target, actuator } = realActuator(TARGET, 'cache', clock);
      expect(target.leadTimeSeconds).toBe(20 * 60);
      expect(await actuator.read(target)).toMatchObject({ value: 1, ready: 1 });

      const up = await actuator.apply(target, 3, applyCtx(clock));
      expect(up).toMatchObject({
        status: 'applied',
        before: { replicasPerShard: 1 },
        after: { replicasPerShard: 3 },
      });
      expect(ec.callsOf('IncreaseReplicaCount')[0]!.input).toEqual({
        ReplicationGroupId: 'kaireon-redis',
        NewReplicaCount: 3,
        ApplyImmediately: true,
      });
      const during = await actuator.read(target);
      expect(during.busy).toBe('replication group is modifying');
      expect(during.ready).toBeUndefined();
      expect(await actuator.apply(target, 4, applyCtx(clock))).toMatchObject({ status: 'in-progress' });

      clock.advance(CACHE_DELAYS.replicaAdd);
      expect(await actuator.read(target)).toMatchObject({ value: 3, ready: 3 });
      expect(await actuator.apply(target, 3, applyCtx(clock))).toMatchObject({ status: 'no-op' });

      expect(await actuator.apply(target, 1, applyCtx(clock))).toMatchObject({ status: 'applied' });
      expect(ec.callsOf('DecreaseReplicaCount')[0]!.input).toMatchObject({ NewReplicaCount: 1 });
      clock.advance(CACHE_DELAYS.replicaRemove);
      expect(ec.group('kaireon-redis')).toMatchObject({ status: 'available', shards: [1, 1, 1] });
      expect(ec.changes()).toHaveLength(2);
    });

    it('counts the weakest shard and refuses zero replicas while automatic failover is on', async () => {
      ec.addGroup({ id: 'kaireon-redis', clusterEnabled: true, shards: [2, 1, 2] });
      const { target, actuator } = realActuator(
        { cache: { ...base, replicas: { min: 0, max: 5 } } },
        'cache',
        clock,
      );
      expect((await actuator.read(target)).value).toBe(1);
      const err = await rejection(actuator.apply(target, 0, applyCtx(clock)));
      expect(err.code).toBe('invalid-request');
      expect(err.message).toMatch(/automatic failover needs at least one replica/);
      expect(ec.changes()).toEqual([]);
    });

    it('a modify that loses a race gets InvalidReplicationGroupState, mapped to invalid-state', async () => {
      const g = ec.addGroup({ id: 'kaireon-redis' });
      const { target, actuator } = realActuator(TARGET, 'cache', clock);
      ec.beforeNext('IncreaseReplicaCount', () => {
        g.status = 'snapshotting';
      });
      const err = await rejection(actuator.apply(target, 2, applyCtx(clock)));
      expect(err.code).toBe('invalid-state');
      expect(err.message).toContain(
        'IncreaseReplicaCount kaireon-redis: InvalidReplicationGroupStateFault: Replication group kaireon-redis must be in available state',
      );
      expect(ec.group('kaireon-redis').shards).toEqual([1]);
    });

    it('an unknown group is not-found with the AWS message', async () => {
      const { target, actuator } = realActuator(TARGET, 'cache', clock);
      const err = await rejection(actuator.read(target));
      expect(err.code).toBe('not-found');
      expect(err.message).toContain(
        'ReplicationGroupNotFoundFault: ReplicationGroup kaireon-redis not found.',
      );
    });

    it('the config caps replicas per shard at 5, as ElastiCache does', () => {
      expect(() => configWith({ cache: { ...base, replicas: { min: 1, max: 6 } } })).toThrow(
        /targets.cache.replicas.max: ElastiCache allows at most 5 replicas per shard/,
      );
    });
  });

  describe('shards', () => {
    const TARGET = { cache: { ...base, shards: { min: 2, max: 8 } } };

    it('reshards out and in (removing the newest shards), reporting progress while it runs', async () => {
      ec.addGroup({ id: 'kaireon-redis', clusterEnabled: true, shards: [1, 1] });
      const { target, actuator } = realActuator(TARGET, 'cache', clock);
      expect(target.leadTimeSeconds).toBe(30 * 60);
      expect(await actuator.apply(target, 4, applyCtx(clock))).toMatchObject({
        status: 'applied',
        after: { shards: 4 },
      });
      expect(ec.callsOf('ModifyReplicationGroupShardConfiguration')[0]!.input).toEqual({
        ReplicationGroupId: 'kaireon-redis',
        NodeGroupCount: 4,
        ApplyImmediately: true,
      });
      clock.advance(CACHE_DELAYS.reshard / 2);
      expect((await actuator.read(target)).busy).toBe('replication group is modifying (resharding 50%)');
      clock.advance(CACHE_DELAYS.reshard / 2);
      expect(await actuator.read(target)).toMatchObject({ value: 4, ready: 4 });

      await actuator.apply(target, 2, applyCtx(clock));
      expect(ec.callsOf('ModifyReplicationGroupShardConfiguration')[1]!.input).toMatchObject({
        NodeGroupCount: 2,
        NodeGroupsToRemove: ['0003', '0004'],
      });
      clock.advance(CACHE_DELAYS.reshard);
      expect(ec.group('kaireon-redis').shards).toHaveLength(2);
    });

    it('is blocked on a group with cluster mode disabled', async () => {
      ec.addGroup({ id: 'kaireon-redis', clusterEnabled: false });
      const { target, actuator } = realActuator(TARGET, 'cache', clock);
      expect((await actuator.read(target)).blocked).toMatch(/cluster mode disabled/);
      expect(await actuator.apply(target, 3, applyCtx(clock))).toMatchObject({ status: 'blocked' });
      expect(ec.changes()).toEqual([]);
    });
  });

  describe('node type ladder', () => {
    const TARGET = {
      cache: {
        ...base,
        tiers: ['cache.r7g.large', 'cache.r7g.xlarge', 'cache.r7g.2xlarge'],
        bounds: { min: 'cache.r7g.large', max: 'cache.r7g.2xlarge' },
      },
    };

    it('changes the node type with ModifyReplicationGroup and shows tier names', async () => {
      ec.addGroup({ id: 'kaireon-redis' });
      const { target, actuator } = realActuator(TARGET, 'cache', clock);
      expect(target.scale).toBe('ladder');
      expect(target.leadTimeSeconds).toBe(30 * 60);
      const r = await actuator.apply(target, 2, applyCtx(clock));
      expect(r).toMatchObject({
        status: 'applied',
        before: { cacheNodeType: 'cache.r7g.large' },
        after: { cacheNodeType: 'cache.r7g.2xlarge' },
      });
      expect(ec.callsOf('ModifyReplicationGroup')[0]!.input).toEqual({
        ReplicationGroupId: 'kaireon-redis',
        CacheNodeType: 'cache.r7g.2xlarge',
        ApplyImmediately: true,
      });
      clock.advance(CACHE_DELAYS.nodeType);
      expect(await actuator.read(target)).toMatchObject({ value: 2, ready: 2 });
    });

    it('leaves a node type that is not on the ladder alone', async () => {
      ec.addGroup({ id: 'kaireon-redis', nodeType: 'cache.m7g.large' });
      const { target, actuator } = realActuator(TARGET, 'cache', clock);
      expect((await actuator.read(target)).blocked).toMatch(/cache.m7g.large is not on the ladder/);
      expect(await actuator.apply(target, 1, applyCtx(clock))).toMatchObject({ status: 'blocked' });
    });
  });
});
