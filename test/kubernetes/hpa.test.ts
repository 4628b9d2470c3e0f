import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeConnection } from '../../shared/adapters/kubernetes/connection.ts';
import { HpaActuator } from '../../shared/adapters/kubernetes/hpa.ts';
import { KubeconfigSource } from '../../shared/adapters/kubernetes/sources.ts';
import { ActuatorError } from '../../shared/domain/errors.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import type { FakeKubeApi } from './fake-api-server.ts';
import { ctx, deployment, fakeCluster, hpa, target } from './helpers.ts';

const api = () => cluster.api;
let cluster: Awaited<ReturnType<typeof fakeCluster>>;
const subject = target('k8s-hpa', {
  namespace: 'kaireon',
  name: 'kaireon-api-hpa',
  bounds: { min: 3, max: 60 },
});

function spec(a: FakeKubeApi) {
  return a.get('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa')!;
}

beforeEach(async () => {
  cluster = await fakeCluster();
  cluster.api.put(deployment('kaireon', 'kaireon-api', 3, { cpu: '750m', memory: '1536Mi' }));
  cluster.api.put(hpa('kaireon', 'kaireon-api-hpa', 3, 20));
});
afterEach(() => cluster.api.close());

describe('Actuator: k8s-hpa', () => {
  it('reads minReplicas, current replicas, ScalingLimited and the pod requests of the scale target', async () => {
    const a = await new HpaActuator(cluster.conn).read(subject);
    expect(a.value).toBe(3);
    expect(a.ready).toBe(3);
    expect(a.details).toMatchObject({
      minReplicas: 3,
      maxReplicas: 20,
      currentReplicas: 3,
      scaleTargetRef: 'Deployment/kaireon-api',
      scalingLimited: { status: 'True', reason: 'TooFewReplicas' },
    });
    expect(a.podResources).toEqual({ cpuMillis: 750, memoryBytes: 1536 * 1024 ** 2 });
  });

  it('reads the pod requests of the scale target once per 10 minutes, not on every reconcile', async () => {
    const clock = new ManualClock('2026-11-27T12:00:00Z');
    const conn = new KubeConnection(
      'test',
      new KubeconfigSource({ context: 'fake', path: cluster.kubeconfig }),
      {
        clock,
      },
    );
    const hpaActuator = new HpaActuator(conn);
    const gets = () => api().calls('GET', '/deployments/kaireon-api').length;
    await Promise.all([hpaActuator.read(subject), hpaActuator.read(subject)]);
    clock.advance(9 * 60_000);
    expect((await hpaActuator.read(subject)).podResources).toEqual({
      cpuMillis: 750,
      memoryBytes: 1536 * 1024 ** 2,
    });
    expect(gets()).toBe(1);
    // A deploy changed the requests: seen once the ten minutes are over.
    api().put(deployment('kaireon', 'kaireon-api', 3, { cpu: '1', memory: '2Gi' }));
    clock.advance(2 * 60_000);
    expect((await hpaActuator.read(subject)).podResources).toEqual({
      cpuMillis: 1000,
      memoryBytes: 2 * 1024 ** 3,
    });
    expect(gets()).toBe(2);
  });

  it('raises minReplicas with one merge patch carrying the resourceVersion read', async () => {
    const rv = spec(api()).metadata.resourceVersion;
    const r = await new HpaActuator(cluster.conn).apply(subject, 9, ctx());
    expect(r).toMatchObject({ status: 'applied', before: { minReplicas: 3 }, after: { minReplicas: 9 } });
    expect(spec(api()).spec.minReplicas).toBe(9);
    expect(spec(api()).spec.maxReplicas).toBe(20);
    const [patch] = api().calls('PATCH');
    expect(patch!.contentType).toBe('application/merge-patch+json');
    expect(patch!.body).toEqual({ spec: { minReplicas: 9 }, metadata: { resourceVersion: rv } });
    expect(r.remember).toBeUndefined();
  });

  it('lifts maxReplicas when the floor exceeds it, and restores it when the floor comes back', async () => {
    const actuator = new HpaActuator(cluster.conn);
    const up = await actuator.apply(subject, 24, ctx());
    expect(up.after).toEqual({ minReplicas: 24, maxReplicas: 24 });
    expect(up.remember).toEqual({ maxReplicas: 20 });
    const raised = spec(api());
    expect(raised.spec).toMatchObject({ minReplicas: 24, maxReplicas: 24 });
    expect(JSON.parse(raised.metadata.annotations['headroom.dev/replaced'])).toEqual({
      maxReplicas: { from: 20, to: 24 },
    });

    const down = await actuator.apply(subject, 3, ctx({ remembered: { maxReplicas: 20 } }));
    expect(down).toMatchObject({
      status: 'applied',
      after: { minReplicas: 3, maxReplicas: 20 },
      forget: ['maxReplicas'],
    });
    const restored = spec(api());
    expect(restored.spec).toMatchObject({ minReplicas: 3, maxReplicas: 20 });
    expect(restored.metadata.annotations?.['headroom.dev/replaced']).toBeUndefined();
  });

  it('keeps a maxReplicas someone else changed while the floor was raised', async () => {
    const actuator = new HpaActuator(cluster.conn);
    await actuator.apply(subject, 24, ctx());
    const o = spec(api());
    o.spec.maxReplicas = 40;
    api().put(o);
    await actuator.apply(subject, 3, ctx({ remembered: { maxReplicas: 20 } }));
    expect(spec(api()).spec).toMatchObject({ minReplicas: 3, maxReplicas: 40 });
  });

  it('restores from the annotation when the state store lost the remembered value', async () => {
    const actuator = new HpaActuator(cluster.conn);
    await actuator.apply(subject, 30, ctx());
    await actuator.apply(subject, 5, ctx({ remembered: {} }));
    expect(spec(api()).spec).toMatchObject({ minReplicas: 5, maxReplicas: 20 });
  });

  it('sends no PATCH when the floor is already there', async () => {
    const actuator = new HpaActuator(cluster.conn);
    await actuator.apply(subject, 9, ctx());
    const patches = api().calls('PATCH').length;
    const again = await actuator.apply(subject, 9, ctx());
    expect(again).toMatchObject({ status: 'no-op', before: { minReplicas: 9 }, after: { minReplicas: 9 } });
    expect(api().calls('PATCH')).toHaveLength(patches);
  });

  it('retries on 409 when someone else writes between the read and the patch, deciding again from the new object', async () => {
    api().concurrentWrites('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa', 2, (o) => {
      o.spec.maxReplicas = 30; // e.g. a GitOps sync bumped the ceiling meanwhile
    });
    const r = await new HpaActuator(cluster.conn).apply(subject, 24, ctx());
    expect(r.status).toBe('applied');
    expect(
      api()
        .calls('PATCH')
        .map((p) => p.status),
    ).toEqual([409, 409, 200]);
    // Decided again from the latest read: 24 fits under 30, no ceiling change, nothing to remember.
    expect(spec(api()).spec).toMatchObject({ minReplicas: 24, maxReplicas: 30 });
    expect(r.remember).toBeUndefined();
  });

  it('reports a conflict after repeated 409s and leaves the object as the other writer left it', async () => {
    api().concurrentWrites('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa', 10);
    const err = await new HpaActuator(cluster.conn).apply(subject, 9, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActuatorError);
    expect(err).toMatchObject({ code: 'conflict', retryable: true });
    expect((err as Error).message).toMatch(/still modified by someone else after 4 attempts/);
    expect(spec(api()).spec.minReplicas).toBe(3);
  });

  it('says the HPA is missing when it is not there', async () => {
    const missing = target('k8s-hpa', { namespace: 'kaireon', name: 'nope', bounds: { min: 1, max: 5 } });
    const err = await new HpaActuator(cluster.conn).read(missing).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'not-found', retryable: false });
    expect((err as Error).message).toContain(
      'horizontalpodautoscalers.autoscaling "nope" in namespace kaireon',
    );
    expect((err as Error).message).toContain('not found');
  });

  it('names the missing RBAC rule when the namespace is not bound to Headroom, and changes nothing', async () => {
    api().put(hpa('payments', 'payments-hpa', 2, 10));
    const other = target('k8s-hpa', {
      namespace: 'payments',
      name: 'payments-hpa',
      bounds: { min: 2, max: 10 },
    });
    const err = await new HpaActuator(cluster.conn).apply(other, 5, ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'forbidden', retryable: false });
    expect((err as Error).message).toContain(
      'grant the Headroom group the RBAC rule {apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["get"]} in a Role or RoleBinding in namespace payments',
    );
    expect(api().get('horizontalpodautoscalers', 'payments', 'payments-hpa')!.spec.minReplicas).toBe(2);
  });

  it('rejects a floor the API refuses (0 without HPAScaleToZero) with the API message', async () => {
    const err = await new HpaActuator(cluster.conn).apply(subject, 0, ctx()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid-request' });
    expect((err as Error).message).toContain(
      'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
    );
    expect(spec(api()).spec.minReplicas).toBe(3);
  });
});

describe('Actuator: k8s-hpa, who changed the floor', () => {
  it('reads the field manager of a person who changed minReplicas, and not Headroom as one', async () => {
    const actuator = new HpaActuator(cluster.conn);
    await actuator.apply(subject, 9, ctx());
    expect((await actuator.read(subject)).changedBy).toBeUndefined();
    expect(api().calls('PATCH')[0]!.path).toContain('kaireon-api-hpa');

    api().edit('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa', (o) => {
      o.spec.minReplicas = 30;
    });
    const read = await actuator.read(subject);
    expect(read.value).toBe(30);
    expect(read.changedBy).toMatch(/^kubectl-edit \(at \d{4}-\d\d-\d\dT/);

    // A change of another field by someone else does not make the floor theirs.
    await actuator.apply(subject, 12, ctx());
    api().edit('horizontalpodautoscalers', 'kaireon', 'kaireon-api-hpa', (o) => {
      o.spec.maxReplicas = 40;
    });
    expect((await actuator.read(subject)).changedBy).toBeUndefined();
  });
});
