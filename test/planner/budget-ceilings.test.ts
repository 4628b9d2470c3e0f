import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import type { Actual, Intent, PlannerState } from '../../shared/domain/types.ts';
import { plan } from '../../shared/planner/plan.ts';

const T0 = Date.parse('2030-03-04T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/**
 * An API under an HPA whose own maxReplicas is 100, 4 client connections a pod; PgBouncer takes
 * 40 clients an instance, up to 10 instances, pools of at least 25; PostgreSQL keeps 12 of its
 * max_connections (RDS default formula): db.t3.micro 112 holds 4 pools (160 clients, 40 pods),
 * db.t3.small 225 holds 8 (320, 80 pods), db.t3.medium 450 holds all 10 (400, 100 pods).
 */
const config = parseConfig(`version: 1
timezone: UTC
clusters: { prod: { eksCluster: shop-prod, region: eu-central-1 } }
targets:
  api: { kind: k8s-hpa, cluster: prod, namespace: shop, name: api, bounds: { min: 3, max: 60 } }
  workers: { kind: keda-scaledobject, cluster: prod, namespace: shop, name: workers, bounds: { min: 0, max: 60 } }
  pgbouncer: { kind: pgbouncer, cluster: prod, namespace: shop, name: pgbouncer, poolConfig: { configMap: pool }, bounds: { min: 1, max: 10 } }
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
      clients:
        - { target: api, poolPerPod: 4 }
        - { target: workers, poolPerPod: 2 }
`);
const state: PlannerState = { targets: {}, approvals: {} };

function planWith(actuals: Record<string, Actual>, intents: Intent[] = []) {
  const base: Record<string, Actual> = {
    api: { value: 3, details: { ownMax: 100 } },
    workers: { value: 0 },
    pgbouncer: { value: 1 },
    db: { value: 0 },
  };
  const p = plan(config, intents, { ...base, ...actuals }, state, new Date(T0));
  return (id: string) => p.targets.find((t) => t.id === id)!;
}

describe('Function: plan — a connection budget caps the reactive autoscaler always', () => {
  it('caps maxReplicas 100 at the 40 pods the budget holds, with no intent and floors far below', () => {
    const api = planWith({})('api');
    expect(api.steps[0]).toMatchObject({
      direction: 'down',
      ceiling: 40,
      set: { minReplicas: 3, maxReplicas: 40 },
    });
    expect(api.reasons.join('\n')).toContain(
      'maxReplicas capped at 40 (a ceiling; its own 100) under connection budget shop-db, so the autoscaler cannot exceed it: at their max the clients open 400 client connections (api 100 x 4, workers 0 x 2), the budget holds 160 (4 PgBouncer instances of 40, pools of 25 within max_connections 112 - 12 reserved on db.t3.micro)',
    );
  });

  it('keeps the ceiling once applied, lifts it to what fits when the class is raised, and restores the own max', () => {
    expect(planWith({ api: { value: 3, ceiling: 40, details: { ownMax: 100 } } })('api').steps).toEqual([]);
    const small = planWith({ api: { value: 3, ceiling: 40, details: { ownMax: 100 } }, db: { value: 1 } })(
      'api',
    );
    expect(small.steps[0]).toMatchObject({ direction: 'up', ceiling: 80, set: { maxReplicas: 80 } });
    const medium = planWith({ api: { value: 3, ceiling: 80, details: { ownMax: 100 } }, db: { value: 2 } })(
      'api',
    );
    expect(medium.steps[0]).toMatchObject({
      direction: 'up',
      ceiling: null,
      set: { maxReplicas: 'restored' },
    });
  });

  it('shares the budget above the floors in proportion to each autoscaler range, and follows a raised class in a window', () => {
    const intents: Intent[] = [
      {
        id: 'i-api',
        target: 'api',
        floor: 20,
        from: at(-5),
        until: at(120),
        reason: 'launch needs 20',
        source: { kind: 'campaign', ref: 'launch' },
        campaign: 'launch',
        approved: true,
        createdAt: at(-60),
      },
    ];
    const e = planWith({ workers: { value: 0, details: { ownMax: 60 } } }, intents);
    // 160 clients: api's floor 20 x 4 = 80 first; the other 80 shared over api 80 x 4 and workers 60 x 2 above their floors.
    expect(e('api').reasons.join('\n')).toContain('maxReplicas capped at 34 (a ceiling; its own 100)');
    expect(e('workers').reasons.join('\n')).toContain('maxReplicaCount capped at 10 (a ceiling; its own 60)');
    expect(34 * 4 + 10 * 2).toBeLessThanOrEqual(160);
  });

  it('derives no ceiling when the autoscalers at their max fit, nor when the own max is unknown', () => {
    expect(planWith({ db: { value: 2 } })('api').steps).toEqual([]);
    expect(planWith({ api: { value: 3 } })('api').steps).toEqual([]);
  });
});
