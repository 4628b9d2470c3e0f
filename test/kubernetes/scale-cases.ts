import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeConnection } from '../../shared/adapters/kubernetes/connection.ts';
import type { Actuator } from '../../shared/ports/actuator.ts';
import type { KObject } from './fake-api-server.ts';
import { ctx, fakeCluster, target } from './helpers.ts';

/**
 * The behaviour both scale-subresource kinds share, run once per kind from its own test file:
 * raise, restore, idempotence, conflicts, missing objects and RBAC.
 */
export function scaleSubresourceCases(o: {
  kind: 'k8s-deployment' | 'k8s-statefulset';
  resource: 'deployments' | 'statefulsets';
  make: (conn: KubeConnection) => Actuator;
  object: (namespace: string, name: string, replicas: number) => KObject;
  podResources: { cpuMillis: number; memoryBytes: number };
}) {
  let cluster: Awaited<ReturnType<typeof fakeCluster>>;
  const subject = target(o.kind, {
    namespace: 'kaireon',
    name: 'kaireon-pgbouncer',
    bounds: { min: 2, max: 12 },
  });
  const live = () => cluster.api.get(o.resource, 'kaireon', 'kaireon-pgbouncer')!;
  const actuator = () => o.make(cluster.conn);

  beforeEach(async () => {
    cluster = await fakeCluster();
    cluster.api.put(o.object('kaireon', 'kaireon-pgbouncer', 2));
  });
  afterEach(() => cluster.api.close());

  describe(`Actuator: ${o.kind}`, () => {
    it('reads replicas, ready replicas and the pod requests from the workload', async () => {
      const a = await actuator().read(subject);
      expect(a).toMatchObject({ value: 2, ready: 2, details: { replicas: 2, readyReplicas: 2 } });
      expect(a.podResources).toEqual(o.podResources);
    });

    it('raises and restores spec.replicas through the scale subresource only', async () => {
      const readVersion = live().metadata.resourceVersion;
      const up = await actuator().apply(subject, 6, ctx());
      expect(up).toMatchObject({ status: 'applied', before: { replicas: 2 }, after: { replicas: 6 } });
      expect(live().spec.replicas).toBe(6);
      expect(cluster.api.pods('kaireon', 'kaireon-pgbouncer')).toHaveLength(6);
      const down = await actuator().apply(subject, 2, ctx());
      expect(down).toMatchObject({ status: 'applied', before: { replicas: 6 }, after: { replicas: 2 } });
      expect(live().spec.replicas).toBe(2);
      const patches = cluster.api.calls('PATCH');
      expect(patches.map((p) => p.path)).toEqual([
        `/apis/apps/v1/namespaces/kaireon/${o.resource}/kaireon-pgbouncer/scale`,
        `/apis/apps/v1/namespaces/kaireon/${o.resource}/kaireon-pgbouncer/scale`,
      ]);
      expect(patches[0]!.contentType).toBe('application/merge-patch+json');
      expect(patches[0]!.body).toMatchObject({
        spec: { replicas: 6 },
        // Optimistic concurrency: the write is conditional on the version it read.
        metadata: { resourceVersion: readVersion },
      });
    });

    it('sends no PATCH when the replicas are already there', async () => {
      const r = await actuator().apply(subject, 2, ctx());
      expect(r).toMatchObject({ status: 'no-op', before: { replicas: 2 }, after: { replicas: 2 } });
      expect(cluster.api.calls('PATCH')).toHaveLength(0);
    });

    it('retries when the workload changed between the read and the patch', async () => {
      cluster.api.concurrentWrites(o.resource, 'kaireon', 'kaireon-pgbouncer', 1);
      expect((await actuator().apply(subject, 4, ctx())).status).toBe('applied');
      expect(cluster.api.calls('PATCH').map((p) => p.status)).toEqual([409, 200]);
      expect(live().spec.replicas).toBe(4);
    });

    it('re-decides after a conflict: someone else already scaled to the value', async () => {
      cluster.api.concurrentWrites(o.resource, 'kaireon', 'kaireon-pgbouncer', 1, (w) => {
        w.spec.replicas = 4;
      });
      expect((await actuator().apply(subject, 4, ctx())).status).toBe('no-op');
      expect(cluster.api.calls('PATCH').map((p) => p.status)).toEqual([409]);
    });

    it('says the workload is missing', async () => {
      const missing = target(o.kind, { namespace: 'kaireon', name: 'ghost', bounds: { min: 1, max: 3 } });
      await expect(actuator().read(missing)).rejects.toMatchObject({
        code: 'not-found',
        message: expect.stringContaining(`${o.resource}.apps "ghost" in namespace kaireon`),
      });
      await expect(actuator().apply(missing, 2, ctx())).rejects.toMatchObject({ code: 'not-found' });
    });

    it('names the RBAC rule on the scale subresource when it is missing', async () => {
      cluster.api.put(o.object('ledger', 'ledger-db', 1));
      const other = target(o.kind, { namespace: 'ledger', name: 'ledger-db', bounds: { min: 1, max: 3 } });
      await expect(actuator().apply(other, 3, ctx())).rejects.toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining(`resources: ["${o.resource}/scale"], verbs: ["get"]`),
      });
      expect(cluster.api.get(o.resource, 'ledger', 'ledger-db')!.spec.replicas).toBe(1);
    });
  });
}
