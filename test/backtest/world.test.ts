import { describe, expect, it } from 'vitest';
import { worldActuators } from '../../shared/backtest/world/actuators.ts';
import { World } from '../../shared/backtest/world/world.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { resolveSimSettings } from '../../shared/config/sim-settings.ts';
import type { Target } from '../../shared/domain/types.ts';
import type { ApplyContext } from '../../shared/ports/actuator.ts';
import { ManualClock } from '../../shared/ports/clock.ts';

const T0 = Date.parse('2026-01-05T10:00:00Z');
const TICK = 5000;

function config(extra = '', backtest = '', cluster = '{ kubeconfig: { context: c } }') {
  return parseConfig(`version: 1
clusters: { c: ${cluster} }
signals: { traffic: { source: sim } }
targets:
  api:
    kind: k8s-hpa
    cluster: c
    namespace: default
    name: api
    bounds: { min: 2, max: 400 }
    capacity: { signal: traffic, perUnit: 1, targetUtilization: 0.7 }
    pod: { cpu: 500m, memory: 1Gi }
${extra}
${backtest}`);
}

/** A world on a scripted demand, stepped every 5 s; `onTick` sees each tick after the step. */
function run(world: World, from: number, to: number, onTick: (t: number) => void = () => {}): void {
  for (let t = from; t <= to; t += TICK) {
    world.step(t);
    onTick(t);
  }
}

function ctx(now: number, extra: Partial<ApplyContext> = {}): ApplyContext {
  return {
    stepId: 's',
    reason: 'test',
    now: new Date(now),
    remembered: {},
    approved: false,
    campaignActive: false,
    ...extra,
  };
}

describe('Function: World (simulated cluster under the reactive autoscalers)', () => {
  it('reacts to a step in demand one metrics delay late, and new pods serve after their start-up', () => {
    const c = config('', 'backtest: { nodes: { provisioner: none } }');
    const demand = (t: number) => (t < T0 ? 7 : 21);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'traffic',
      demand,
      start: T0 - 600_000,
    });
    const api = world.workloads.get('api')!.workload;
    run(world, T0 - 600_000, T0 - TICK);
    expect(api.replicas).toBe(10);
    let firstScale = 0;
    let firstReady = 0;
    run(world, T0, T0 + 300_000, (t) => {
      if (!firstScale && api.replicas > 10) firstScale = t;
      if (!firstReady && api.ready > 10) firstReady = t;
    });
    // metrics-server's sample is 60 s old: the first HPA sync that sees the step is at T0 + 60 s.
    expect(firstScale - T0).toBe(60_000);
    expect(firstReady - firstScale).toBe(30_000);
    expect(api.ready).toBe(30);
  });

  it('leaves pods that do not fit pending until Karpenter has launched a node (batch 1 s, node ready 45 s later)', () => {
    const c = config();
    const demand = (t: number) => (t < T0 ? 7 : 21);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'traffic',
      demand,
      start: T0 - 600_000,
    });
    const api = world.workloads.get('api')!.workload;
    const cluster = world.clusters.get('c')!;
    run(world, T0 - 600_000, T0 - TICK);
    // 10 pods of 500m fill 2 nodes of 3920m (7 + 3): 4 pods of room.
    expect(cluster.nodes.length).toBe(2);
    let scaledAt = 0;
    let nodeLaunched = 0;
    const readyAt: number[] = [];
    run(world, T0, T0 + 200_000, (t) => {
      if (!scaledAt && api.replicas > 10) {
        scaledAt = t;
        expect(api.pending).toBeGreaterThan(0);
      }
      if (!nodeLaunched && cluster.nodes.length > 2) nodeLaunched = t;
      if (api.ready > (readyAt.length ? readyAt.at(-1)! : 10)) readyAt.push(api.ready);
    });
    expect(nodeLaunched - scaledAt).toBe(5000); // the batch closes 1 s after the pods: next tick
    expect(cluster.nodes.every((n) => n.ready)).toBe(true);
    expect(cluster.nodes.map((n) => n.readyAt - n.launchedAt).filter((d) => d > 0)).toContain(45_000);
    expect(world.actions().nodesLaunched).toBeGreaterThan(0);
    expect(api.ready).toBe(30);
    expect(api.pending).toBe(0);
  });

  it('starts real pods in place of preempted placeholder pods, and Karpenter replaces the spare nodes', async () => {
    const c = config(`  nodes:
    kind: karpenter-headroom
    cluster: c
    namespace: headroom
    nodePool: default
    placeholder: { cpu: 3500m, memory: 12Gi }
    bounds: { min: 0, max: 10 }
    baseline: 2`);
    const clock = new ManualClock(T0);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'traffic',
      demand: () => 7,
      start: T0 - 300_000,
    });
    run(world, T0 - 300_000, T0 - TICK);
    const cluster = world.clusters.get('c')!;
    const nodesBefore = cluster.nodes.length;
    const placeholders = world.placeholders.get('nodes')!.workload;
    expect(placeholders.ready).toBe(2);
    // Headroom raises the HPA floor to 24: 14 more pods, two spare nodes' worth.
    const api = c.targets.find((t) => t.id === 'api') as Target;
    const registry = worldActuators(world, clock);
    const res = await registry(api).apply(api, 24, ctx(T0));
    expect(res).toMatchObject({ status: 'applied', before: { minReplicas: 2 }, after: { minReplicas: 24 } });
    const w = world.workloads.get('api')!.workload;
    let allReady = 0;
    run(world, T0, T0 + 120_000, (t) => {
      if (!allReady && w.ready >= 24) allReady = t;
    });
    expect(cluster.preemptions).toBeGreaterThanOrEqual(2);
    // HPA sync at T0 + 15 s at the latest, 5 s preemption grace, 30 s start-up: no node to wait for.
    expect(allReady - T0).toBeLessThanOrEqual(15_000 + 5000 + 30_000);
    // The evicted placeholders went pending and got new nodes: the spare capacity is back.
    expect(placeholders.ready).toBe(2);
    expect(cluster.nodes.length).toBe(nodesBefore + 2);
  });

  it('consolidates empty nodes after consolidateAfter plus validation, and not while the budget is 0', async () => {
    const make = () => {
      const c = config(`  nodes:
    kind: karpenter-headroom
    cluster: c
    namespace: headroom
    nodePool: default
    placeholder: { cpu: 3500m, memory: 12Gi }
    bounds: { min: 0, max: 10 }`);
      const demand = (t: number) => (t < T0 ? 140 : 7);
      const world = new World({
        config: c,
        settings: resolveSimSettings(c.backtest),
        signal: 'traffic',
        demand,
        start: T0 - 300_000,
      });
      run(world, T0 - 300_000, T0 - TICK);
      return { c, world, cluster: world.clusters.get('c')! };
    };
    const a = make();
    const b = make();
    expect(a.cluster.nodes.length).toBe(29); // 200 pods, 7 per node
    // A campaign holds a spare node on `nodes`: Headroom's actuator sets the NodePool budget to 0 in b.
    const nodes = b.c.targets.find((t) => t.id === 'nodes')!;
    const res = await worldActuators(
      b.world,
      new ManualClock(T0),
    )(nodes).apply(nodes, 1, ctx(T0, { campaignActive: true }));
    expect(res.after).toMatchObject({ disruptionBudget: '0' });
    expect(res.remember).toEqual({ disruptionBudget: 'default' });
    // After the campaign the executor passes back what was remembered: the budget is restored.
    const restore = await worldActuators(
      b.world,
      new ManualClock(T0),
    )(nodes).apply(nodes, 0, ctx(T0, { remembered: { disruptionBudget: 'default' } }));
    expect(restore).toMatchObject({ after: { disruptionBudget: 'default' }, forget: ['disruptionBudget'] });
    await worldActuators(
      b.world,
      new ManualClock(T0),
    )(nodes).apply(nodes, 1, ctx(T0, { campaignActive: true }));
    let emptyAt = 0;
    run(a.world, T0, T0 + 900_000, (t) => {
      if (!emptyAt && a.world.workloads.get('api')!.workload.replicas <= 10) emptyAt = t;
    });
    run(b.world, T0, T0 + 900_000);
    // The load fell 20x: 5 minutes of stabilization, then 10 pods on 2 nodes; the rest go.
    expect(emptyAt - T0).toBeGreaterThanOrEqual(300_000);
    expect(a.cluster.nodes.length).toBe(2);
    expect(a.world.actions().nodesRemoved).toBe(27);
    // b keeps every node, and the one Karpenter launched for the spare node's placeholder.
    expect(b.cluster.nodes.length).toBe(30);
  });

  it('provisions a managed node group through the Cluster Autoscaler, minutes slower than Karpenter', () => {
    const c = config(
      `  group:
    kind: eks-nodegroup
    cluster: c
    nodegroup: workers
    bounds: { min: 1, max: 50 }`,
      '',
      '{ eksCluster: prod, region: eu-central-1 }',
    );
    const demand = (t: number) => (t < T0 ? 7 : 21);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'traffic',
      demand,
      start: T0 - 600_000,
    });
    const api = world.workloads.get('api')!.workload;
    run(world, T0 - 600_000, T0 - TICK);
    let allReady = 0;
    run(world, T0, T0 + 900_000, (t) => {
      if (!allReady && api.ready >= 30) allReady = t;
    });
    // Seen at T0 + 60 s, CA scan within 10 s, instance joins after 6 minutes, pods start in 30 s.
    expect(allReady - T0).toBeGreaterThanOrEqual(60_000 + 360_000 + 30_000);
    expect(allReady - T0).toBeLessThanOrEqual(60_000 + 15_000 + 10_000 + 360_000 + 30_000 + TICK);
    expect(world.nodegroups.get('group')!.launched).toBeGreaterThan(0);
  });

  it('keeps a static NodePool at its replicas whatever the pods ask, and never consolidates its empty nodes', async () => {
    const c = config(`  reserved:
    kind: karpenter-static-nodepool
    cluster: c
    nodePool: reserved
    bounds: { min: 2, max: 10 }`);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'traffic',
      demand: () => 7,
      start: T0,
    });
    const target = c.targets.find((t) => t.id === 'reserved')!;
    const clock = new ManualClock(T0);
    const pool = worldActuators(world, clock)(target);
    run(world, T0, T0 + TICK);
    expect(await pool.read(target)).toMatchObject({ value: 2, ready: 2 });
    expect(await pool.apply(target, 5, ctx(T0))).toMatchObject({
      before: { replicas: 2 },
      after: { replicas: 5 },
    });
    // Launched on the next tick (T0 + 10 s), ready a node start-up (45 s) later; empty, and
    // still there 20 minutes on.
    run(world, T0 + 2 * TICK, T0 + 50_000);
    expect(world.readyUnits('reserved', T0 + 50_000)).toBe(2);
    expect(world.provisionedUnits('reserved')).toBe(5);
    run(world, T0 + 55_000, T0 + 20 * 60_000);
    expect(world.readyUnits('reserved', T0 + 20 * 60_000)).toBe(5);
    expect(world.staticPools.get('reserved')!.launched).toBe(3);
    await pool.apply(target, 2, ctx(T0 + 20 * 60_000));
    run(world, T0 + 20 * 60_000 + TICK, T0 + 21 * 60_000);
    expect(world.provisionedUnits('reserved')).toBe(2);
  });

  it('scales a node group out from its warm pool in about a minute and a half instead of six', async () => {
    const eks = '{ eksCluster: prod, region: eu-central-1 }';
    const group = `  group:
    kind: eks-nodegroup
    cluster: c
    nodegroup: workers
    bounds: { min: 1, max: 50 }`;
    const c = config(
      `${group}
  warm:
    kind: eks-nodegroup
    cluster: c
    nodegroup: workers
    warmPool: { poolState: STOPPED }
    bounds: { min: 0, max: 10 }`,
      '',
      eks,
    );
    const demand = (t: number) => (t < T0 ? 7 : 21);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'traffic',
      demand,
      start: T0 - 900_000,
    });
    const warm = c.targets.find((t) => t.id === 'warm')!;
    const clock = new ManualClock(T0 - 900_000);
    // Headroom sizes the warm pool for the event a quarter of an hour ahead: prepared in ~6 min.
    const r = await worldActuators(world, clock)(warm).apply(warm, 5, ctx(T0 - 900_000));
    expect(r).toMatchObject({ before: { warmPoolMinSize: 0 }, after: { warmPoolMinSize: 5 } });
    run(world, T0 - 900_000, T0 - TICK);
    expect(world.readyUnits('warm', T0 - TICK)).toBe(5);
    const api = world.workloads.get('api')!.workload;
    let allReady = 0;
    run(world, T0, T0 + 900_000, (t) => {
      if (!allReady && api.ready >= 30) allReady = t;
    });
    // Seen at T0 + 60 s, CA scan within 10 s, a warm instance joins after 90 s, pods start in 30 s.
    expect(allReady - T0).toBeLessThanOrEqual(60_000 + 15_000 + 10_000 + 90_000 + 30_000 + TICK);
    expect(allReady - T0).toBeLessThan(60_000 + 360_000);
    // The pool refills behind the scale-out.
    expect(world.readyUnits('warm', T0 + 900_000)).toBe(5);
  });

  it('plays a capacity-buffer as chunks of spare room Karpenter keeps nodes for', () => {
    const c = config(`  buffer:
    kind: capacity-buffer
    cluster: c
    namespace: headroom
    placeholder: { cpu: 3500m, memory: 12Gi }
    bounds: { min: 2, max: 10 }`);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'traffic',
      demand: () => 7,
      start: T0,
    });
    run(world, T0, T0 + 120_000);
    expect(world.placeholders.get('buffer')!.workload.ready).toBe(2);
    expect(world.readyUnits('buffer', T0 + 120_000)).toBe(2);
  });

  it('raises the HPA maximum when a floor needs it, and restores it when the floor comes down', async () => {
    const c = config();
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'traffic',
      demand: () => 7,
      start: T0,
    });
    const api = c.targets[0]!;
    const a = worldActuators(world, new ManualClock(T0))(api);
    const up = await a.apply(api, 450, ctx(T0));
    expect(up).toMatchObject({
      before: { minReplicas: 2, maxReplicas: 400 },
      after: { minReplicas: 450, maxReplicas: 450 },
    });
    expect(up.remember).toEqual({ maxReplicas: 400 });
    expect(await a.read(api)).toMatchObject({ value: 450, details: { desiredReplicas: 10 } });
    const down = await a.apply(api, 2, ctx(T0 + 60_000, { remembered: { maxReplicas: 400 } }));
    expect(down).toMatchObject({ after: { minReplicas: 2, maxReplicas: 400 }, forget: ['maxReplicas'] });
    expect((await a.apply(api, 2, ctx(T0 + 120_000))).status).toBe('no-op');
  });

  it('applies pod start-up overrides from the backtest section', () => {
    const c = config('', 'backtest: { nodes: { provisioner: none }, pods: { startup: 90s } }');
    const demand = (t: number) => (t < T0 ? 7 : 21);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'traffic',
      demand,
      start: T0 - 600_000,
    });
    const api = world.workloads.get('api')!.workload;
    run(world, T0 - 600_000, T0 - TICK);
    let scaled = 0;
    let ready = 0;
    run(world, T0, T0 + 300_000, (t) => {
      if (!scaled && api.replicas > 10) scaled = t;
      if (!ready && api.ready > 10) ready = t;
    });
    expect(ready - scaled).toBe(90_000);
  });
});

describe('Function: worldActuators on AWS-managed targets', () => {
  const c = parseConfig(`version: 1
targets:
  readers: { kind: rds-read-replicas, source: db, instanceClass: db.r6g.large, bounds: { min: 1, max: 5 } }
  db: { kind: rds-instance, identifier: db, tiers: [db.r6g.large, db.r6g.xlarge, db.r6g.2xlarge] }
  cache: { kind: elasticache-replication-group, replicationGroupId: r, replicas: { min: 1, max: 5 } }
backtest: { singleAz: [db] }
`);
  const byId = (id: string) => c.targets.find((t) => t.id === id)!;

  it('brings new replicas online after the kind default lead time (RDS read replica: 40 min)', async () => {
    const clock = new ManualClock(T0);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'x',
      demand: () => 0,
      start: T0,
    });
    const a = worldActuators(world, clock)(byId('readers'));
    expect(await a.read(byId('readers'))).toMatchObject({ value: 1, ready: 1 });
    const res = await a.apply(byId('readers'), 3, ctx(T0));
    expect(res).toMatchObject({ status: 'applied', before: { replicas: 1 }, after: { replicas: 3 } });
    clock.set(T0 + 39 * 60_000);
    expect(await a.read(byId('readers'))).toMatchObject({ value: 3, ready: 1 });
    clock.set(T0 + 40 * 60_000);
    expect(await a.read(byId('readers'))).toMatchObject({ value: 3, ready: 3 });
    // Deleting replicas removes their capacity at once.
    await a.apply(byId('readers'), 2, ctx(T0 + 41 * 60_000));
    expect(await a.read(byId('readers'))).toMatchObject({ value: 2, ready: 2 });
  });

  it('refuses a second ElastiCache change while one is under way, and Single-AZ class changes without approval', async () => {
    const clock = new ManualClock(T0);
    const world = new World({
      config: c,
      settings: resolveSimSettings(c.backtest),
      signal: 'x',
      demand: () => 0,
      start: T0,
    });
    const reg = worldActuators(world, clock);
    const cache = reg(byId('cache'));
    expect((await cache.apply(byId('cache'), 2, ctx(T0))).status).toBe('applied');
    expect((await cache.read(byId('cache'))).busy).toMatch(/^modifying to 2 until/);
    expect((await cache.apply(byId('cache'), 3, ctx(T0 + 60_000))).status).toBe('in-progress');
    const db = reg(byId('db'));
    expect((await db.read(byId('db'))).risk).toMatch(/Single-AZ/);
    const refused = await db.apply(byId('db'), 1, ctx(T0));
    expect(refused.status).toBe('blocked');
    expect((await db.read(byId('db'))).value).toBe(0);
    expect((await db.apply(byId('db'), 1, ctx(T0, { approved: true }))).status).toBe('applied');
    clock.set(T0 + 29 * 60_000);
    expect((await db.read(byId('db'))).ready).toBe(0);
    clock.set(T0 + 30 * 60_000);
    expect((await db.read(byId('db'))).ready).toBe(1);
  });
});
