import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { poolIni } from '../../shared/adapters/kubernetes/pgbouncer.ts';
import { awsActuators } from '../../shared/app/actuators.ts';
import { Brain } from '../../shared/app/brain.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { ActuatorRegistry } from '../../shared/ports/actuator.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';
import { deployment, fakeCluster, hpa } from './helpers.ts';

/**
 * A connection budget keeps the HPA's maxReplicas within what PostgreSQL can hold, through the
 * planner and the executor, against the fake Kubernetes API server (the shipped RBAC and the
 * API's validation): the HPA's own max is 100, 4 client connections a pod; a db.t3.micro
 * (max_connections 112, 12 reserved) holds 4 PgBouncer pools of 25, 160 clients: 40 pods.
 */
const NS = 'kaireon';

let cluster: Awaited<ReturnType<typeof fakeCluster>>;
beforeEach(async () => {
  cluster = await fakeCluster();
  cluster.api.put(deployment(NS, 'api', 3));
  cluster.api.put(hpa(NS, 'api-hpa', 3, 100, 'api'));
  cluster.api.put(deployment(NS, 'kaireon-pgbouncer', 1));
  cluster.api.put({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kaireon-pgbouncer-pool', namespace: NS },
    data: { 'headroom.ini': poolIni(25, 'shop-db') },
  });
});
afterEach(() => cluster.api.close());

const apiHpa = () => cluster.api.get('horizontalpodautoscalers', NS, 'api-hpa')!;

function budgetConfig() {
  return parseConfig(`
version: 1
timezone: UTC
clusters:
  prod: { kubeconfig: { context: fake, path: ${JSON.stringify(cluster.kubeconfig)} } }
targets:
  api: { kind: k8s-hpa, cluster: prod, namespace: ${NS}, name: api-hpa, bounds: { min: 3, max: 60 } }
  pgbouncer:
    kind: pgbouncer
    cluster: prod
    namespace: ${NS}
    name: kaireon-pgbouncer
    poolConfig: { configMap: kaireon-pgbouncer-pool }
    bounds: { min: 1, max: 10 }
  db:
    kind: rds-instance
    identifier: shop
    region: eu-central-1
    tiers: [db.t3.micro, db.t3.small, db.t3.medium]
    bounds: { min: db.t3.micro, max: db.t3.medium }
    approval: required
constraints:
  - name: shop-db
    connections:
      database: db
      reserved: 12
      pgbouncer: { target: pgbouncer, maxClientConnections: 40, pool: { min: 25, step: 5 } }
      clients: [{ target: api, poolPerPod: 4 }]
`);
}

/** A brain on the fake cluster; the database class is what `dbClass()` says (the RDS actuator has its own tests). */
function brainOn(dbClass: () => number) {
  const config = budgetConfig();
  const clock = new ManualClock('2026-12-07T10:00:00Z');
  const real = awsActuators(config, clock);
  const actuators: ActuatorRegistry = (t) =>
    t.id === 'db'
      ? {
          read: async () => ({ value: dbClass(), ready: dbClass() }),
          apply: async () => {
            throw new Error('not in this test');
          },
        }
      : real(t);
  const brain = new Brain({
    config,
    repo: new Repo(new MemoryStateStore()),
    actuators,
    clock,
    notifier: new MemoryNotifier(),
    owner: 'test-budget',
  });
  return { brain, clock };
}

describe('Connection budgets: the reactive autoscaler is capped always', () => {
  it('caps maxReplicas 100 at 40 with the reason, raises it to what fits and restores 100 as the class grows', async () => {
    let dbClass = 0;
    const { brain, clock } = brainOn(() => dbClass);

    await brain.reconcile();
    expect(apiHpa().spec).toMatchObject({ minReplicas: 3, maxReplicas: 40 });
    const capped = (await brain.plan()).targets.find((t) => t.id === 'api')!;
    expect(capped.decision).toBe('no-op');
    expect(capped.reasons.join('\n')).toContain(
      'maxReplicas capped at 40 (a ceiling; its own 100) under connection budget shop-db, so the autoscaler cannot exceed it: at their max the clients open 400 client connections (api 100 x 4), the budget holds 160 (4 PgBouncer instances of 40, pools of 25 within max_connections 112 - 12 reserved on db.t3.micro)',
    );

    // db.t3.small: 225 - 12 holds 8 pools, 320 clients: 80 pods.
    dbClass = 1;
    clock.set('2026-12-07T10:05:00Z');
    await brain.reconcile();
    expect(apiHpa().spec.maxReplicas).toBe(80);

    // db.t3.medium: 450 - 12 holds all 10 PgBouncers, 400 clients: the HPA's own 100 is restored.
    dbClass = 2;
    clock.set('2026-12-07T10:10:00Z');
    await brain.reconcile();
    expect(apiHpa().spec).toMatchObject({ minReplicas: 3, maxReplicas: 100 });
    expect(apiHpa().metadata.annotations?.['headroom.dev/replaced']).toBeUndefined();
  });

  it('writes a pool change without a replica change as a step of its own', async () => {
    // 10 API pods x 4 = 40 clients: still one PgBouncer, whose pool should be 40, not 25.
    cluster.api.put(hpa(NS, 'api-hpa', 10, 40, 'api'));
    const { brain } = brainOn(() => 0);
    const before = (await brain.plan()).targets.find((t) => t.id === 'pgbouncer')!;
    expect(before.steps).toMatchObject([{ from: 1, to: 1, pool: 40, set: { replicas: 1, pool: 40 } }]);
    await brain.reconcile();
    const cm = cluster.api.get('configmaps', NS, 'kaireon-pgbouncer-pool')!;
    expect(cm.data['headroom.ini']).toContain('max_db_connections = 40');
    expect(cluster.api.get('deployments', NS, 'kaireon-pgbouncer')!.spec.replicas).toBe(1);
    const after = (await brain.plan()).targets.find((t) => t.id === 'pgbouncer')!;
    expect(after).toMatchObject({ decision: 'no-op', steps: [] });
  });
});
