import { afterEach, describe, expect, it } from 'vitest';
import {
  type BufferNeeds,
  CapacityBufferActuator,
} from '../../shared/adapters/kubernetes/capacity-buffer.ts';
import { ActuatorError } from '../../shared/domain/errors.ts';
import { ctx, fakeCluster, nodePool, target } from './helpers.ts';

let cluster: Awaited<ReturnType<typeof fakeCluster>> | undefined;
afterEach(() => cluster?.api.close());

const spec = {
  namespace: 'headroom',
  nodePool: 'default',
  placeholder: { cpu: '3500m', memory: '14Gi' },
  bounds: { min: 0, max: 20 },
};
const subject = target<BufferNeeds>('capacity-buffer', spec, 'spare');
const NAME = 'headroom-buffer-spare';

async function start(capacityBuffers?: string[]) {
  cluster = await fakeCluster({ capacityBuffers });
  cluster.api.put(nodePool('default'));
  return { api: cluster.api, actuator: new CapacityBufferActuator(cluster.conn) };
}

describe('Actuator: capacity-buffer', () => {
  it('creates a CapacityBuffer (v1beta1, as the Cluster Autoscaler serves it) over a PodTemplate shaped like one chunk', async () => {
    const { api, actuator } = await start(['v1beta1']);
    const r = await actuator.apply(subject, 3, ctx());
    expect(r).toMatchObject({ status: 'applied', before: { replicas: 0 }, after: { replicas: 3 } });
    expect(r.message).toBe(`CapacityBuffer autoscaling.x-k8s.io/v1beta1 headroom/${NAME}`);

    const cb = api.get('capacitybuffers', 'headroom', NAME)!;
    expect(cb.apiVersion).toBe('autoscaling.x-k8s.io/v1beta1');
    expect(cb.spec).toEqual({ podTemplateRef: { name: NAME }, replicas: 3 });
    const pt = api.get('podtemplates', 'headroom', NAME)!;
    const pod = pt.template.spec;
    expect(pod.containers[0].resources.requests).toEqual({ cpu: '3500m', memory: '14Gi' });
    expect(pod.nodeSelector).toEqual({ 'karpenter.sh/nodepool': 'default' });
    expect(pod.tolerations).toEqual([
      { key: 'workload', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
    ]);
    // Virtual pods preempt nothing: no placeholder priority, no placeholder Deployment.
    expect(pod.priorityClassName).toBeUndefined();
    expect(api.calls('POST', '/deployments')).toHaveLength(0);

    const a = await actuator.read(subject);
    expect(a).toMatchObject({
      value: 3,
      ready: 3,
      details: {
        mechanism: 'CapacityBuffer autoscaling.x-k8s.io/v1beta1',
        capacityBuffer: `headroom/${NAME}`,
        readyForProvisioning: 'True: Resolved',
      },
    });
  });

  it('sizes the buffer down to zero chunks and leaves its template, and sends nothing when nothing changes', async () => {
    const { api, actuator } = await start(['v1beta1']);
    await actuator.apply(subject, 5, ctx());
    const down = await actuator.apply(subject, 0, ctx());
    expect(down).toMatchObject({ status: 'applied', before: { replicas: 5 }, after: { replicas: 0 } });
    expect(api.get('capacitybuffers', 'headroom', NAME)!.spec.replicas).toBe(0);
    const patches = api.calls('PATCH').length;
    expect((await actuator.apply(subject, 0, ctx())).status).toBe('no-op');
    expect(api.calls('PATCH')).toHaveLength(patches);
  });

  it("writes Karpenter's v1alpha1 when that is the only version served", async () => {
    const { api, actuator } = await start(['v1alpha1']);
    await actuator.apply(subject, 2, ctx());
    expect(api.get('capacitybuffers', 'headroom', NAME)!.apiVersion).toBe('autoscaling.x-k8s.io/v1alpha1');
    expect((await actuator.read(subject)).details?.mechanism).toBe(
      'CapacityBuffer autoscaling.x-k8s.io/v1alpha1',
    );
  });

  it('re-shapes the PodTemplate when the chunk size in the config changes', async () => {
    const { api, actuator } = await start(['v1beta1']);
    await actuator.apply(subject, 2, ctx());
    const bigger = target<BufferNeeds>(
      'capacity-buffer',
      { ...spec, placeholder: { cpu: '7', memory: '28Gi' } },
      'spare',
    );
    await actuator.apply(bigger, 2, ctx());
    const pt = api.get('podtemplates', 'headroom', NAME)!;
    expect(pt.template.spec.containers[0].resources.requests).toEqual({ cpu: '7', memory: '28Gi' });
  });

  it('falls back to placeholder pods when the cluster does not serve the API, and says so', async () => {
    const { api, actuator } = await start();
    const r = await actuator.apply(subject, 3, ctx());
    expect(r).toMatchObject({ status: 'applied', before: { replicas: 0 }, after: { replicas: 3 } });
    expect(r.message).toContain(
      'placeholder pods: cluster test does not serve autoscaling.x-k8s.io CapacityBuffers',
    );
    expect(api.pods('headroom', 'headroom-placeholder-spare')).toHaveLength(3);
    const a = await actuator.read(subject);
    expect(a.value).toBe(3);
    expect(String(a.details?.mechanism)).toMatch(/^placeholder pods/);
  });

  it('refuses, naming the field, when the API is not served and there is no NodePool for placeholders', async () => {
    const { actuator } = await start();
    const noPool = target<BufferNeeds>('capacity-buffer', { ...spec, nodePool: undefined }, 'spare');
    const err = await actuator.apply(noPool, 3, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActuatorError);
    expect((err as ActuatorError).message).toContain('targets.spare.nodePool is not set');
  });

  it('works without a NodePool where the API is served (Cluster Autoscaler clusters)', async () => {
    const { api, actuator } = await start(['v1beta1']);
    const noPool = target<BufferNeeds>('capacity-buffer', { ...spec, nodePool: undefined }, 'spare');
    await actuator.apply(noPool, 4, ctx());
    expect(api.get('capacitybuffers', 'headroom', NAME)!.spec.replicas).toBe(4);
    expect(api.get('podtemplates', 'headroom', NAME)!.template.spec.nodeSelector).toBeUndefined();
  });

  it('releases the fallback placeholders once the cluster serves the API, so the room is not held twice', async () => {
    const first = await start();
    const held = await first.actuator.apply(subject, 3, ctx({ campaignActive: true }));
    expect(held.remember).toHaveProperty('nodePool');
    const deployment = first.api.get('deployments', 'headroom', 'headroom-placeholder-spare')!;
    const priority = first.api.get('priorityclasses', undefined, 'headroom-placeholder')!;
    const protectedPool = first.api.get('nodepools', undefined, 'default')!;
    await first.api.close();
    // The same cluster after the CRD is installed: the placeholders are still there.
    const { api, actuator } = await start(['v1beta1']);
    api.put(priority);
    api.put(deployment);
    api.put(protectedPool);
    expect(api.pods('headroom', 'headroom-placeholder-spare')).toHaveLength(3);
    const r = await actuator.apply(subject, 3, ctx({ campaignActive: true, remembered: held.remember! }));
    expect(api.get('deployments', 'headroom', 'headroom-placeholder-spare')!.spec.replicas).toBe(0);
    expect(api.get('capacitybuffers', 'headroom', NAME)!.spec.replicas).toBe(3);
    // The pool the fallback protected is restored with its placeholders, and forgotten.
    expect(api.get('nodepools', undefined, 'default')!.spec.disruption.budgets).toEqual([{ nodes: '10%' }]);
    expect(r.forget).toEqual(['nodePool']);
  });
});
