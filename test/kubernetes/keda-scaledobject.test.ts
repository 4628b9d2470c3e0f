import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KedaScaledObjectActuator } from '../../shared/adapters/kubernetes/keda-scaledobject.ts';
import { ctx, deployment, fakeCluster, scaledObject, target } from './helpers.ts';

let cluster: Awaited<ReturnType<typeof fakeCluster>>;
const subject = target('keda-scaledobject', {
  namespace: 'kaireon',
  name: 'kaireon-worker-scaler',
  bounds: { min: 2, max: 150 },
});
const so = () => cluster.api.get('scaledobjects', 'kaireon', 'kaireon-worker-scaler')!;
const actuator = () => new KedaScaledObjectActuator(cluster.conn);

beforeEach(async () => {
  cluster = await fakeCluster();
  cluster.api.put(deployment('kaireon', 'kaireon-worker', 2, { cpu: '1', memory: '2Gi' }));
  cluster.api.put(scaledObject('kaireon', 'kaireon-worker-scaler', 2, 50));
});
afterEach(() => cluster.api.close());

describe('Actuator: keda-scaledobject', () => {
  it('reads minReplicaCount, the conditions and the pod requests of the scale target', async () => {
    const a = await actuator().read(subject);
    expect(a.value).toBe(2);
    expect(a.blocked).toBeUndefined();
    expect(a.details).toMatchObject({
      minReplicaCount: 2,
      maxReplicaCount: 50,
      conditions: { Ready: true, Active: false },
      hpaName: 'keda-hpa-kaireon-worker-scaler',
    });
    expect(a.podResources).toEqual({ cpuMillis: 1000, memoryBytes: 2 * 1024 ** 3 });
  });

  it('raises and restores minReplicaCount with merge patches', async () => {
    const up = await actuator().apply(subject, 20, ctx());
    expect(up).toMatchObject({
      status: 'applied',
      before: { minReplicaCount: 2 },
      after: { minReplicaCount: 20 },
    });
    expect(so().spec.minReplicaCount).toBe(20);
    const down = await actuator().apply(subject, 2, ctx());
    expect(down).toMatchObject({ status: 'applied', after: { minReplicaCount: 2 } });
    expect(so().spec.minReplicaCount).toBe(2);
    expect(cluster.api.calls('PATCH').every((p) => p.contentType === 'application/merge-patch+json')).toBe(
      true,
    );
  });

  it("lifts KEDA's default ceiling of 100 and removes the field again afterwards", async () => {
    cluster.api.put(scaledObject('kaireon', 'kaireon-worker-scaler', 2));
    const up = await actuator().apply(subject, 120, ctx());
    expect(up.after).toEqual({ minReplicaCount: 120, maxReplicaCount: 120 });
    expect(up.remember).toEqual({ maxReplicaCount: null });
    expect(so().spec.maxReplicaCount).toBe(120);
    await actuator().apply(subject, 2, ctx({ remembered: { maxReplicaCount: null } }));
    expect(so().spec.minReplicaCount).toBe(2);
    expect('maxReplicaCount' in so().spec).toBe(false);
  });

  it('sends no PATCH when the floor is already there', async () => {
    await actuator().apply(subject, 8, ctx());
    const n = cluster.api.calls('PATCH').length;
    expect((await actuator().apply(subject, 8, ctx())).status).toBe('no-op');
    expect(cluster.api.calls('PATCH')).toHaveLength(n);
  });

  it('respects a paused-replicas annotation set by someone else: blocked, nothing patched, never removed', async () => {
    cluster.api.put(
      scaledObject('kaireon', 'kaireon-worker-scaler', 2, 50, { 'autoscaling.keda.sh/paused-replicas': '0' }),
    );
    const a = await actuator().read(subject);
    expect(a.blocked).toContain('autoscaling.keda.sh/paused-replicas=0');
    const r = await actuator().apply(subject, 20, ctx());
    expect(r.status).toBe('blocked');
    expect(r.message).toContain('never removes it');
    expect(cluster.api.calls('PATCH')).toHaveLength(0);
    expect(so().metadata.annotations['autoscaling.keda.sh/paused-replicas']).toBe('0');
    expect(so().spec.minReplicaCount).toBe(2);
  });

  it('sees a pause set between its read and its write (the 409 re-read decides again)', async () => {
    cluster.api.concurrentWrites('scaledobjects', 'kaireon', 'kaireon-worker-scaler', 1, (o) => {
      o.metadata.annotations = { 'autoscaling.keda.sh/paused': 'true' };
    });
    const r = await actuator().apply(subject, 20, ctx());
    expect(r.status).toBe('blocked');
    expect(cluster.api.calls('PATCH').map((p) => p.status)).toEqual([409]);
    expect(so().spec.minReplicaCount).toBe(2);
  });

  it('retries on 409 and then applies', async () => {
    cluster.api.concurrentWrites('scaledobjects', 'kaireon', 'kaireon-worker-scaler', 1);
    expect((await actuator().apply(subject, 20, ctx())).status).toBe('applied');
    expect(cluster.api.calls('PATCH').map((p) => p.status)).toEqual([409, 200]);
    expect(so().spec.minReplicaCount).toBe(20);
  });

  it('says the ScaledObject is missing', async () => {
    const missing = target('keda-scaledobject', {
      namespace: 'kaireon',
      name: 'gone',
      bounds: { min: 0, max: 5 },
    });
    await expect(actuator().apply(missing, 3, ctx())).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('scaledobjects.keda.sh "gone" in namespace kaireon'),
    });
  });

  it('names the missing RBAC rule for a namespace Headroom is not bound in', async () => {
    cluster.api.put(scaledObject('billing', 'billing-scaler', 1, 10));
    const other = target('keda-scaledobject', {
      namespace: 'billing',
      name: 'billing-scaler',
      bounds: { min: 1, max: 10 },
    });
    await expect(actuator().apply(other, 4, ctx())).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining(
        '{apiGroups: ["keda.sh"], resources: ["scaledobjects"], verbs: ["get"]}',
      ),
    });
    expect(cluster.api.get('scaledobjects', 'billing', 'billing-scaler')!.spec.minReplicaCount).toBe(1);
  });

  it('reports an admission webhook refusal as a bad request, not as missing RBAC', async () => {
    cluster.api.failNext(
      { method: 'PATCH', resource: 'scaledobjects' },
      403,
      'Forbidden',
      1,
      'admission webhook "vscaledobject.kb.io" denied the request: Trigger=aws-sqs-queue is not supported',
    );
    const err = await actuator()
      .apply(subject, 20, ctx())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid-request', retryable: false });
    expect((err as Error).message).toContain('refused by an admission webhook');
    expect((err as Error).message).not.toContain('RBAC');
    expect(so().spec.minReplicaCount).toBe(2);
  });
});
