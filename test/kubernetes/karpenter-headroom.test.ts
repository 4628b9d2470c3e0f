import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KarpenterHeadroomActuator } from '../../shared/adapters/kubernetes/karpenter-headroom.ts';
import type { HeadroomNeeds } from '../../shared/adapters/kubernetes/placeholder.ts';
import { ctx, fakeCluster, nodePool, target } from './helpers.ts';

let cluster: Awaited<ReturnType<typeof fakeCluster>>;
const subject = target<HeadroomNeeds>(
  'karpenter-headroom',
  {
    namespace: 'headroom',
    nodePool: 'default',
    placeholder: { cpu: '3500m', memory: '14Gi' },
    bounds: { min: 0, max: 20 },
  },
  'nodes',
);
const PLACEHOLDER = 'headroom-placeholder-nodes';
const actuator = () => new KarpenterHeadroomActuator(cluster.conn);
const pool = () => cluster.api.get('nodepools', undefined, 'default')!;
const placeholders = () => cluster.api.get('deployments', 'headroom', PLACEHOLDER);
const pods = () => cluster.api.pods('headroom', PLACEHOLDER);

beforeEach(async () => {
  cluster = await fakeCluster();
  cluster.api.put(nodePool('default'));
});
afterEach(() => cluster.api.close());

describe('Actuator: karpenter-headroom', () => {
  it('reads zero spare nodes before any placeholder exists, and the pool it protects', async () => {
    const a = await actuator().read(subject);
    expect(a.value).toBe(0);
    expect(a.details).toMatchObject({
      placeholders: 0,
      placeholderDeployment: `headroom/${PLACEHOLDER} (not created yet)`,
      nodePool: {
        name: 'default',
        limits: { cpu: '64', memory: '256Gi' },
        disruptionBudgets: [{ nodes: '10%' }],
      },
    });
  });

  it('creates the negative PriorityClass and one placeholder pod per spare node, pinned to the pool', async () => {
    const r = await actuator().apply(subject, 3, ctx());
    expect(r).toMatchObject({ status: 'applied', before: { spareNodes: 0 }, after: { spareNodes: 3 } });
    const pc = cluster.api.get('priorityclasses', undefined, 'headroom-placeholder')!;
    expect(pc.value).toBeLessThan(0);
    expect(pc.preemptionPolicy).toBe('Never');
    expect(pc.globalDefault).toBe(false);

    const running = pods();
    expect(running).toHaveLength(3);
    for (const p of running) {
      expect(p.spec.priorityClassName).toBe('headroom-placeholder');
      expect(p.spec.priority).toBe(-10);
      expect(p.spec.nodeSelector).toEqual({ 'karpenter.sh/nodepool': 'default' });
      expect(p.spec.tolerations).toEqual([
        { key: 'workload', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
      ]);
      expect(p.spec.containers[0].resources.requests).toEqual({ cpu: '3500m', memory: '14Gi' });
      expect(
        p.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey,
      ).toBe('kubernetes.io/hostname');
    }
    expect((await actuator().read(subject)).value).toBe(3);
    // Outside a campaign the pool is left alone.
    expect(pool().spec.disruption.budgets).toEqual([{ nodes: '10%' }]);
    expect(cluster.api.calls('PATCH', '/nodepools/')).toHaveLength(0);
  });

  it('protects the pool during a campaign and restores it, deleting the placeholders (replicas 0), afterwards', async () => {
    const up = await actuator().apply(subject, 8, ctx({ campaignActive: true }));
    // 12 nodes of 4 CPU / 16Gi today (48, 192Gi), plus 8 spare and 8 more for the placeholders
    // real pods displace: 48 + 16 x 4 = 112 CPU, 192 + 16 x 16 = 448Gi.
    expect(pool().spec.limits).toEqual({ cpu: '112', memory: '448Gi' });
    expect(pool().spec.disruption.budgets).toEqual([{ nodes: '0' }]);
    expect(pool().spec.disruption.consolidationPolicy).toBe('WhenEmptyOrUnderutilized');
    expect(up.remember).toEqual({
      nodePool: {
        disruptionBudgets: { from: [{ nodes: '10%' }], to: [{ nodes: '0' }] },
        limits: { from: { cpu: '64', memory: '256Gi' }, to: { cpu: '112', memory: '448Gi' } },
      },
    });
    expect(up.after).toMatchObject({
      spareNodes: 8,
      nodePool: { disruptionBudgets: [{ nodes: '0' }], limits: { cpu: '112', memory: '448Gi' } },
    });
    expect(pods()).toHaveLength(8);

    const down = await actuator().apply(subject, 0, ctx({ campaignActive: false, remembered: up.remember! }));
    expect(down).toMatchObject({
      status: 'applied',
      before: { spareNodes: 8 },
      after: { spareNodes: 0 },
      forget: ['nodePool'],
    });
    expect(pool().spec.limits).toEqual({ cpu: '64', memory: '256Gi' });
    expect(pool().spec.disruption.budgets).toEqual([{ nodes: '10%' }]);
    expect(pool().metadata.annotations?.['headroom.dev/replaced']).toBeUndefined();
    expect(placeholders()!.spec.replicas).toBe(0);
    expect(pods()).toHaveLength(0);
  });

  it('keeps the first recorded values across staged raises, and restores those', async () => {
    await actuator().apply(subject, 2, ctx({ campaignActive: true }));
    await actuator().apply(subject, 6, ctx({ campaignActive: true }));
    await actuator().apply(subject, 18, ctx({ campaignActive: true }));
    expect(Number(pool().spec.limits.cpu)).toBeGreaterThan(64);
    await actuator().apply(subject, 0, ctx({ campaignActive: false }));
    expect(pool().spec.limits).toEqual({ cpu: '64', memory: '256Gi' });
    expect(pool().spec.disruption.budgets).toEqual([{ nodes: '10%' }]);
  });

  it('leaves a limit the operator changed during the campaign, restores the rest', async () => {
    await actuator().apply(subject, 8, ctx({ campaignActive: true }));
    const np = pool();
    np.spec.limits.cpu = '200';
    cluster.api.put(np);
    await actuator().apply(subject, 0, ctx());
    expect(pool().spec.limits).toEqual({ cpu: '200', memory: '256Gi' });
    expect(pool().spec.disruption.budgets).toEqual([{ nodes: '10%' }]);
  });

  it('removes budgets it added to a pool that had none', async () => {
    const np = nodePool('default');
    delete np.spec.disruption.budgets;
    delete np.spec.limits;
    cluster.api.put(np);
    await actuator().apply(subject, 2, ctx({ campaignActive: true }));
    expect(pool().spec.disruption.budgets).toEqual([{ nodes: '0' }]);
    expect(pool().spec.limits).toBeUndefined();
    await actuator().apply(subject, 0, ctx());
    expect(pool().spec.disruption.budgets).toBeUndefined();
  });

  it('sends no PATCH and creates nothing when the headroom is already there', async () => {
    await actuator().apply(subject, 4, ctx({ campaignActive: true }));
    const writes = cluster.api.requests.filter((r) => r.method !== 'GET').length;
    const again = await actuator().apply(subject, 4, ctx({ campaignActive: true }));
    expect(again.status).toBe('no-op');
    expect(cluster.api.requests.filter((r) => r.method !== 'GET')).toHaveLength(writes);
  });

  it('refuses an existing PriorityClass that is not negative, creating no placeholders', async () => {
    cluster.api.put({
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'headroom-placeholder' },
      value: 1000,
    });
    await expect(actuator().apply(subject, 3, ctx())).rejects.toMatchObject({
      code: 'invalid-state',
      message: expect.stringContaining('placeholder pods need a negative priority'),
    });
    expect(placeholders()).toBeUndefined();
  });

  it('retries when Karpenter updates the NodePool between the read and the patch', async () => {
    cluster.api.concurrentWrites('nodepools', undefined, 'default', 1, (np) => {
      np.status.resources.nodes = '13';
    });
    await actuator().apply(subject, 2, ctx({ campaignActive: true }));
    expect(cluster.api.calls('PATCH', '/nodepools/').map((p) => p.status)).toEqual([409, 200]);
    expect(pool().spec.disruption.budgets).toEqual([{ nodes: '0' }]);
  });

  it('retries when the placeholder Deployment changed between the read and the patch', async () => {
    await actuator().apply(subject, 2, ctx());
    cluster.api.concurrentWrites('deployments', 'headroom', PLACEHOLDER, 1);
    expect((await actuator().apply(subject, 5, ctx())).status).toBe('applied');
    expect(cluster.api.calls('PATCH', `/deployments/${PLACEHOLDER}`).map((p) => p.status)).toEqual([
      409, 200,
    ]);
    expect(pods()).toHaveLength(5);
  });

  it('re-rolls the placeholder template when the configured size changes', async () => {
    await actuator().apply(subject, 2, ctx());
    const bigger = target<HeadroomNeeds>(
      'karpenter-headroom',
      {
        namespace: 'headroom',
        nodePool: 'default',
        placeholder: { cpu: '7', memory: '28Gi' },
        bounds: { min: 0, max: 20 },
      },
      'nodes',
    );
    const r = await new KarpenterHeadroomActuator(cluster.conn).apply(bigger, 2, ctx());
    expect(r.status).toBe('applied');
    expect(placeholders()!.spec.template.spec.containers[0].resources.requests).toEqual({
      cpu: '7',
      memory: '28Gi',
    });
    expect(placeholders()!.spec.replicas).toBe(2);
  });

  it('says the NodePool is missing (karpenter.sh/v1), and creates nothing', async () => {
    const other = target<HeadroomNeeds>(
      'karpenter-headroom',
      {
        namespace: 'headroom',
        nodePool: 'gpu',
        placeholder: { cpu: 1, memory: '1Gi' },
        bounds: { min: 0, max: 2 },
      },
      'gpu-nodes',
    );
    await expect(actuator().apply(other, 1, ctx())).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('nodepools.karpenter.sh "gpu"'),
    });
    expect(cluster.api.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('names the RBAC rule when placeholders live in a namespace Headroom has no Role in', async () => {
    const elsewhere = target<HeadroomNeeds>(
      'karpenter-headroom',
      {
        namespace: 'kube-system',
        nodePool: 'default',
        placeholder: { cpu: 1, memory: '1Gi' },
        bounds: { min: 0, max: 2 },
      },
      'sys',
    );
    await expect(actuator().apply(elsewhere, 1, ctx())).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining(
        '{apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"]} in a Role or RoleBinding in namespace kube-system',
      ),
    });
  });
});
