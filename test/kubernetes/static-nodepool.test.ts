import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  StaticNodePoolActuator,
  type StaticNodePoolNeeds,
} from '../../shared/adapters/kubernetes/static-nodepool.ts';
import { awsActuators } from '../../shared/app/actuators.ts';
import { Brain } from '../../shared/app/brain.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';
import { ctx, fakeCluster, nodePool, target } from './helpers.ts';

let cluster: Awaited<ReturnType<typeof fakeCluster>>;
const subject = target<StaticNodePoolNeeds>(
  'karpenter-static-nodepool',
  { nodePool: 'reserved', bounds: { min: 2, max: 30 } },
  'reserved-nodes',
);
const actuator = () => new StaticNodePoolActuator(cluster.conn);
const pool = () => cluster.api.get('nodepools', undefined, 'reserved')!;

/** A static pool of 4 nodes, at most 6 during drift replacement. */
function staticPool(replicas: number, limitNodes: string | number = '6') {
  const np = nodePool('reserved');
  np.spec.replicas = replicas;
  np.spec.limits = { nodes: limitNodes };
  return np;
}

beforeEach(async () => {
  cluster = await fakeCluster();
  cluster.api.put(staticPool(4));
});
afterEach(() => cluster.api.close());

describe('Actuator: karpenter-static-nodepool', () => {
  it('reads the replicas and the nodes Karpenter runs for them', async () => {
    const a = await actuator().read(subject);
    expect(a).toMatchObject({ value: 4, ready: 4, details: { replicas: 4, nodes: 4, limitsNodes: '6' } });
    expect(a.blocked).toBeUndefined();
  });

  it('raises the replicas within limits.nodes and touches nothing else', async () => {
    const r = await actuator().apply(subject, 6, ctx());
    expect(r).toMatchObject({ status: 'applied', before: { replicas: 4 }, after: { replicas: 6 } });
    expect(r.remember).toBeUndefined();
    expect(pool().spec.replicas).toBe(6);
    expect(pool().spec.limits).toEqual({ nodes: '6' });
    expect(pool().spec.disruption.budgets).toEqual([{ nodes: '10%' }]);
    expect((await actuator().apply(subject, 6, ctx())).status).toBe('no-op');
  });

  it('raises limits.nodes when it would cap the count, and restores it on the way back', async () => {
    const up = await actuator().apply(subject, 12, ctx());
    expect(up).toMatchObject({ after: { replicas: 12, limitsNodes: '12' }, remember: { limitsNodes: '6' } });
    expect(pool().status.nodes).toBe(12);
    const higher = await actuator().apply(subject, 20, ctx({ remembered: up.remember! }));
    expect(higher.remember).toBeUndefined();
    expect(pool().spec.limits.nodes).toBe('20');

    const down = await actuator().apply(subject, 4, ctx({ remembered: up.remember! }));
    expect(down).toMatchObject({
      status: 'applied',
      after: { replicas: 4, limitsNodes: '6' },
      forget: ['limitsNodes'],
    });
    expect(pool().spec).toMatchObject({ replicas: 4, limits: { nodes: '6' } });
  });

  it('reads a numeric limits.nodes as the quantity it is', async () => {
    cluster.api.put(staticPool(4, 6));
    const up = await actuator().apply(subject, 8, ctx());
    expect(up.remember).toEqual({ limitsNodes: '6' });
  });

  it('refuses a dynamic NodePool: Karpenter cannot switch it to static', async () => {
    cluster.api.put(nodePool('reserved'));
    const a = await actuator().read(subject);
    expect(a.blocked).toContain('NodePool reserved is dynamic (no spec.replicas)');
    const r = await actuator().apply(subject, 6, ctx());
    expect(r.status).toBe('blocked');
    expect(pool().spec.replicas).toBeUndefined();
    expect(cluster.api.calls('PATCH', '/nodepools/')).toHaveLength(0);
  });

  it('retries on a concurrent write instead of overwriting it', async () => {
    cluster.api.concurrentWrites('nodepools', undefined, 'reserved', 1, (o) => {
      o.spec.limits.nodes = '50';
    });
    await actuator().apply(subject, 12, ctx());
    expect(pool().spec.replicas).toBe(12);
    expect(pool().spec.limits.nodes).toBe('50');
  });
});

describe('Ceilings: a static NodePool at night', () => {
  it('takes the pool to 0 nodes at 20:00 Berlin and back to its 4 by 08:00 (Monday 7 December 2026)', async () => {
    const config = parseConfig(`
version: 1
timezone: Europe/Berlin
clusters:
  staging: { kubeconfig: { context: fake, path: ${JSON.stringify(cluster.kubeconfig)} } }
targets:
  reserved-nodes: { kind: karpenter-static-nodepool, cluster: staging, nodePool: reserved, bounds: { min: 2, max: 30 } }
schedules:
  - { name: nodes-night, targets: [reserved-nodes], ceiling: 0, cron: "0 20 * * 1-5", duration: 12h }
`);
    const clock = new ManualClock('2026-12-07T19:00:00Z');
    const store = new MemoryStateStore();
    const brain = new Brain({
      config,
      repo: new Repo(store),
      actuators: awsActuators(config, clock),
      clock,
      notifier: new MemoryNotifier(),
      owner: 'test',
    });
    await brain.reconcile();
    expect(pool().spec.replicas).toBe(0);
    expect(pool().spec.limits).toEqual({ nodes: '6' });
    // Back by 08:00: a lead time (2 min) and the margin (1 min) early.
    clock.set('2026-12-08T06:56:00Z');
    await brain.reconcile();
    expect(pool().spec.replicas).toBe(0);
    clock.set('2026-12-08T06:57:00Z');
    await brain.reconcile();
    expect(pool().spec.replicas).toBe(4);
    const state = await new Repo(store).plannerState(clock.now());
    expect(state.targets['reserved-nodes']?.original).toBeUndefined();
    expect(state.targets['reserved-nodes']?.ceiling).toBeUndefined();
  });
});
