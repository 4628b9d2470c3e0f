import { afterEach, describe, expect, it } from 'vitest';
import { awsActuators } from '../../shared/app/actuators.ts';
import { Brain } from '../../shared/app/brain.ts';
import type { AuditEntry } from '../../shared/domain/types.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { CurveDemandProvider } from '../../shared/sim/demand.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';
import { exampleConfig } from '../helpers/example.ts';
import { MIN } from './fake-base.ts';
import { FakeElastiCache } from './fake-elasticache.ts';
import { FakeRds } from './fake-rds.ts';

const START = Date.parse('2026-11-27T19:55:00Z');
const END = START + 3 * 3600_000;
const DATA_TIER = new Set(['db', 'db-readers', 'cache']);

/**
 * The example config's brain with `db`, `db-readers` and `cache` on the real data-tier
 * actuators over the stateful RDS and ElastiCache fakes, and every other target on the
 * simulated cloud; one ManualClock drives the brain, the fakes and the simulator.
 */
function dataTierBrain(at: string, opts: { singleAz?: boolean } = {}) {
  const config = exampleConfig();
  const clock = new ManualClock(at);
  const sim = new SimCloud(config, { clock });
  const rds = new FakeRds(clock).install();
  const ec = new FakeElastiCache(clock).install();
  rds.addInstance({ id: 'kaireon-prod', multiAZ: !opts.singleAz, securityGroups: ['sg-0db1'] });
  // Made by a person for the analytics team: it counts, and must survive every scale-down.
  rds.addInstance({ id: 'kaireon-prod-analytics', source: 'kaireon-prod', az: 'eu-central-1b' });
  ec.addGroup({ id: 'kaireon-redis', shards: [1] });
  const real = awsActuators(config, clock);
  const store = new MemoryStateStore();
  const repo = new Repo(store);
  const brain = new Brain({
    config,
    repo,
    actuators: (t) => (DATA_TIER.has(t.id) ? real(t) : sim.registry(t)),
    clock,
    notifier: new MemoryNotifier(),
    demand: new CurveDemandProvider(sim),
    owner: 'test',
  });
  return { config, clock, sim, rds, ec, repo, brain };
}

async function run(
  env: ReturnType<typeof dataTierBrain>,
  until: string,
  each?: (t: number) => Promise<void>,
) {
  for (let t = env.clock.now().getTime(); t <= Date.parse(until); t += 30_000) {
    env.clock.set(t);
    await env.brain.reconcile();
    await each?.(t);
  }
}

const audited = async (env: ReturnType<typeof dataTierBrain>, target: string, action = 'step-executed') =>
  (await env.repo.store.listAudit())
    .reverse()
    .filter((e: AuditEntry) => e.target === target && e.action === action);

describe('Function: the black-friday-tv campaign through the RDS and ElastiCache actuators', () => {
  let env: ReturnType<typeof dataTierBrain>;
  afterEach(() => {
    env.rds.restore();
    env.ec.restore();
  });

  it('raises db-readers and cache ahead by their lead times, holds them, and reverts only what Headroom made', async () => {
    env = dataTierBrain('2026-11-27T18:00:00Z');
    const { rds, ec } = env;
    // The first create is throttled (after the SDK's own retries): audited, retried next tick.
    rds.throttle(1, 'CreateDBInstanceReadReplica');
    const floors = new Map<string, number>();
    const samples: { t: number; available: number; cacheReplicas: number; cacheStatus: string }[] = [];
    await run(env, '2026-11-28T02:00:00Z', async (t) => {
      const replicas = rds.replicasOf('kaireon-prod');
      const g = ec.group('kaireon-redis');
      samples.push({
        t,
        available: replicas.filter((r) => r.status === 'available').length,
        cacheReplicas: g.shards[0]!,
        cacheStatus: g.status,
      });
      if (t === START - 60_000)
        for (const p of (await env.brain.plan()).targets)
          if (p.id === 'db-readers' || p.id === 'cache') floors.set(p.id, Number(p.desired));
    });

    // The floors the campaign holds: more readers than the one hand-made, cache at bounds max.
    const readersFloor = floors.get('db-readers')!;
    expect(readersFloor).toBeGreaterThan(1);
    expect(floors.get('cache')).toBe(5);

    // Raised ahead by lead time: the first create is at least 40 min (its lead time) before
    // the start, and the replicas and the cache are ready capacity before the start.
    const creates = rds.callsOf('CreateDBInstanceReadReplica');
    expect(creates[0]!.at).toBeLessThanOrEqual(START - 40 * MIN);
    // One replica per missing unit, named deterministically; the first name twice (throttled, retried).
    const names = Array.from({ length: readersFloor - 1 }, (_, i) => `kaireon-prod-headroom-${i + 1}`);
    expect(creates.map((c) => c.input.DBInstanceIdentifier)).toEqual([names[0], ...names]);
    const increases = ec.callsOf('IncreaseReplicaCount');
    expect(increases[0]!.at).toBeLessThanOrEqual(START - 20 * MIN);
    expect(increases.map((c) => c.input.NewReplicaCount)).toEqual([3, 5]);
    const atStart = samples.filter((s) => s.t < START).at(-1)!;
    expect(atStart.available).toBeGreaterThanOrEqual(readersFloor);
    expect(atStart).toMatchObject({ cacheReplicas: 5, cacheStatus: 'available' });

    // The throttled create was audited as a failure that changed nothing, then retried.
    const failed = await audited(env, 'db-readers', 'step-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toMatch(
      /^throttled: CreateDBInstanceReadReplica kaireon-prod-headroom-1: Throttling: Rate exceeded/,
    );
    expect(creates[1]!.at - creates[0]!.at).toBe(30_000);

    // Held through the campaign and the 15 min scale-down delay: nothing deleted or decreased.
    const releases = [...rds.callsOf('DeleteDBInstance'), ...ec.callsOf('DecreaseReplicaCount')];
    expect(Math.min(...releases.map((c) => c.at))).toBeGreaterThanOrEqual(END + 15 * MIN);
    const during = samples.filter((s) => s.t >= START && s.t < END + 15 * MIN);
    expect(Math.min(...during.map((s) => s.available))).toBeGreaterThanOrEqual(readersFloor);
    expect(Math.min(...during.map((s) => s.cacheReplicas))).toBe(5);

    // Reverted by 02:00: only Headroom's replicas were deleted; the hand-made one is there.
    expect(rds.replicasOf('kaireon-prod').map((r) => r.id)).toEqual(['kaireon-prod-analytics']);
    for (const c of rds.callsOf('DeleteDBInstance'))
      expect(c.input.DBInstanceIdentifier).toMatch(/^kaireon-prod-headroom-\d+$/);
    expect(ec.group('kaireon-redis')).toMatchObject({ shards: [1], status: 'available' });
    // db is not a campaign target: never touched.
    expect(rds.callsOf('ModifyDBInstance')).toEqual([]);

    // The audit log explains each change with before, after and the reason.
    const readerSteps = await audited(env, 'db-readers');
    expect(readerSteps[0]).toMatchObject({
      before: { replicas: 1 },
      after: { replicas: readersFloor, created: expect.arrayContaining(['kaireon-prod-headroom-1']) },
      reason: expect.stringContaining('campaign black-friday-tv'),
    });
    // The revert deletes exactly the readers the raise created, and only those.
    const created = readerSteps.flatMap(
      (e) => ((e.after as { created?: string[] }).created ?? []) as string[],
    );
    expect(readerSteps.at(-1)).toMatchObject({ before: { replicas: readersFloor }, after: { replicas: 1 } });
    expect([...(readerSteps.at(-1)!.after as { deleted: string[] }).deleted].sort()).toEqual(created.sort());
    const cacheSteps = await audited(env, 'cache');
    expect(cacheSteps.map((e) => [e.before, e.after])).toEqual([
      [{ replicasPerShard: 1 }, { replicasPerShard: 3 }],
      [{ replicasPerShard: 3 }, { replicasPerShard: 5 }],
      [{ replicasPerShard: 5 }, { replicasPerShard: 2 }],
      [{ replicasPerShard: 2 }, { replicasPerShard: 1 }],
    ]);
  });
});

describe('Function: db (rds-instance, approval required) through an approved campaign', () => {
  let env: ReturnType<typeof dataTierBrain>;
  afterEach(() => {
    env.rds.restore();
    env.ec.restore();
  });

  const launch = {
    name: 'launch',
    start: '2026-11-28T10:00:00Z',
    duration: 7200,
    multiplier: 4,
    targets: ['db'],
  };

  it('raises the class before the start on the campaign approval; the revert waits for a person', async () => {
    env = dataTierBrain('2026-11-28T08:00:00Z');
    await env.brain.addCampaign({ ...launch, approved: true }, 'U024BE7LH');
    await run(env, '2026-11-28T13:00:00Z');

    const modifies = env.rds.callsOf('ModifyDBInstance');
    expect(modifies).toHaveLength(1);
    expect(modifies[0]!.input).toEqual({
      DBInstanceIdentifier: 'kaireon-prod',
      DBInstanceClass: 'db.r6g.2xlarge',
      ApplyImmediately: true,
    });
    // 30 min lead time + 3 min margin ahead: ready (available) before 10:00.
    expect(modifies[0]!.at).toBe(Date.parse('2026-11-28T09:27:00Z'));
    const up = (await audited(env, 'db'))[0]!;
    expect(up).toMatchObject({
      before: { instanceClass: 'db.r6g.large' },
      after: { instanceClass: 'db.r6g.2xlarge' },
    });
    expect(up.reason).toMatch(/approved with campaign launch/);

    // After the campaign the step down needs a person: requested, not applied.
    expect(env.rds.instance('kaireon-prod')).toMatchObject({
      instanceClass: 'db.r6g.2xlarge',
      status: 'available',
    });
    const [request] = await audited(env, 'db', 'approval-requested');
    expect(request!.after).toEqual({ instanceClass: 'db.r6g.large' });

    await env.brain.decide(request!.stepId!, 'approved', 'U024BE7LH');
    expect(env.rds.callsOf('ModifyDBInstance')).toHaveLength(2);
    env.clock.advance(20 * MIN);
    expect(env.rds.instance('kaireon-prod')!.instanceClass).toBe('db.r6g.large');
    expect((await audited(env, 'db')).at(-1)).toMatchObject({
      before: { instanceClass: 'db.r6g.2xlarge' },
      after: { instanceClass: 'db.r6g.large' },
    });
  });

  it('never changes the class of a Single-AZ instance without an approval record', async () => {
    env = dataTierBrain('2026-11-28T08:00:00Z', { singleAz: true });
    await env.brain.addCampaign(launch, 'U024BE7LH');
    await run(env, '2026-11-28T13:00:00Z');
    expect(env.rds.callsOf('ModifyDBInstance')).toEqual([]);
    expect(env.rds.instance('kaireon-prod')!.instanceClass).toBe('db.r6g.large');
    const requests = await audited(env, 'db', 'approval-requested');
    expect(requests.length).toBeGreaterThan(0);
    const plan = await env.brain.plan(new Date('2026-11-28T09:30:00Z'));
    const db = plan.targets.find((t) => t.id === 'db')!;
    expect(db.decision).toBe('needs-approval');
    expect(db.reasons.join(' ')).toMatch(/Single-AZ instance: a class change restarts the database/);
  });
});
