import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PgBouncerActuator,
  type PgBouncerNeeds,
  POOL_ANNOTATION,
  poolIni,
  STEP_ANNOTATION,
} from '../../shared/adapters/kubernetes/pgbouncer.ts';
import { ActuatorError } from '../../shared/domain/errors.ts';
import { ctx, deployment, fakeCluster, target } from './helpers.ts';

const NS = 'kaireon';
const subject = target<PgBouncerNeeds>('pgbouncer', {
  namespace: NS,
  name: 'kaireon-pgbouncer',
  poolConfig: { configMap: 'kaireon-pgbouncer-pool' },
  bounds: { min: 1, max: 6 },
});

/** The ConfigMap the PgBouncer pods mount and include, as the user's manifest creates it. */
const poolConfigMap = (text: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kaireon-pgbouncer-pool', namespace: NS },
  data: { 'headroom.ini': text },
});

describe('Actuator: pgbouncer', () => {
  let cluster: Awaited<ReturnType<typeof fakeCluster>>;
  const actuator = () => new PgBouncerActuator(cluster.conn);
  const live = () => cluster.api.get('configmaps', NS, 'kaireon-pgbouncer-pool')!;
  beforeEach(async () => {
    cluster = await fakeCluster();
    cluster.api.put(deployment(NS, 'kaireon-pgbouncer', 2));
    cluster.api.put(poolConfigMap(poolIni(25, 'shop-db')));
  });
  afterEach(() => cluster.api.close());

  it('reads the replicas and the pool Headroom wrote', async () => {
    expect(await actuator().read(subject)).toMatchObject({ value: 2, ready: 2, details: { pool: 25 } });
  });

  it('writes the pool into the ConfigMap before the replicas, with Headroom RBAC and nothing that rolls out', async () => {
    const r = await actuator().apply(
      subject,
      3,
      ctx({ stepId: 'pgbouncer-1a2b3c', connections: { pool: 30, budget: 'shop-db' } }),
    );
    expect(r).toMatchObject({
      status: 'applied',
      before: { replicas: 2, pool: 25 },
      after: { replicas: 3, pool: 30 },
    });
    const patches = cluster.api.calls('PATCH');
    expect(patches.map((p) => p.path)).toEqual([
      `/api/v1/namespaces/${NS}/configmaps/kaireon-pgbouncer-pool`,
      `/apis/apps/v1/namespaces/${NS}/deployments/kaireon-pgbouncer/scale`,
    ]);
    expect(patches[0]!.contentType).toBe('application/merge-patch+json');
    expect(patches[0]!.body).toMatchObject({
      data: { 'headroom.ini': poolIni(30, 'shop-db') },
      metadata: { annotations: { [POOL_ANNOTATION]: '30', [STEP_ANNOTATION]: 'pgbouncer-1a2b3c' } },
    });
    expect(live().data['headroom.ini']).toContain('default_pool_size = 30\nmax_db_connections = 30\n');
    // No rollout: the Deployment's pod template is untouched, only its scale changed.
    const d = cluster.api.get('deployments', NS, 'kaireon-pgbouncer')!;
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.metadata.annotations).toBeUndefined();
    expect((await actuator().read(subject)).details).toMatchObject({ pool: 30 });
  });

  it('sends no ConfigMap patch when the pool is already there, and none without a budget', async () => {
    await actuator().apply(subject, 4, ctx({ connections: { pool: 25, budget: 'shop-db' } }));
    await actuator().apply(subject, 5, ctx());
    expect(cluster.api.calls('PATCH').map((p) => p.path)).toEqual([
      `/apis/apps/v1/namespaces/${NS}/deployments/kaireon-pgbouncer/scale`,
      `/apis/apps/v1/namespaces/${NS}/deployments/kaireon-pgbouncer/scale`,
    ]);
  });

  it('still reads the replicas when the ConfigMap is missing, and refuses to size the pool without it', async () => {
    const other = target<PgBouncerNeeds>('pgbouncer', {
      namespace: NS,
      name: 'kaireon-pgbouncer',
      poolConfig: { configMap: 'not-there' },
      bounds: { min: 1, max: 6 },
    });
    const a = await actuator().read(other);
    expect(a.value).toBe(2);
    expect(String(a.details?.poolConfigError)).toContain('not-there');
    const err = await actuator()
      .apply(other, 3, ctx({ connections: { pool: 30, budget: 'shop-db' } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActuatorError);
    expect((err as ActuatorError).code).toBe('not-found');
    // The replicas are not raised when the pool could not be written first.
    expect(cluster.api.get('deployments', NS, 'kaireon-pgbouncer')!.spec.replicas).toBe(2);
  });
});
