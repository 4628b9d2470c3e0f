import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import type { ConfigError } from '../../shared/domain/errors.ts';
import { classMemoryBytes, evaluateMaxConnections } from '../../shared/domain/max-connections.ts';
import type { Actual, Intent, PlannerState } from '../../shared/domain/types.ts';
import { planJson } from '../../shared/planner/format.ts';
import { plan } from '../../shared/planner/plan.ts';
import { simBrain } from '../helpers/example.ts';

const T0 = Date.parse('2030-03-04T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/**
 * The runbook's stack: API pods open 3 connections to PgBouncer, worker pods 2; one PgBouncer
 * takes 40 clients (max_client_conn); pools start at 25 and grow in fives; PostgreSQL on a
 * db.t3.micro has max_connections 112 by the RDS default formula, 12 of them reserved.
 */
const YAML = `version: 1
timezone: UTC
clusters: { prod: { eksCluster: shop-prod, region: eu-central-1 } }
targets:
  api: { kind: k8s-hpa, cluster: prod, namespace: shop, name: api, bounds: { min: 3, max: 60 }, maxStepPercent: 1000 }
  workers: { kind: keda-scaledobject, cluster: prod, namespace: shop, name: workers, bounds: { min: 2, max: 60 }, maxStepPercent: 1000 }
  pgbouncer: { kind: k8s-deployment, cluster: prod, namespace: shop, name: pgbouncer, bounds: { min: 1, max: 6 }, maxStepPercent: 1000 }
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
        - { target: api, poolPerPod: 3 }
        - { target: workers, poolPerPod: 2 }
`;
const config = parseConfig(YAML);

function intent(target: string, floor: number, extra: Partial<Intent> = {}): Intent {
  return {
    id: `i-${target}`,
    target,
    floor,
    from: at(-5),
    until: at(120),
    reason: `launch needs ${floor}`,
    source: { kind: 'campaign', ref: 'launch' },
    campaign: 'launch',
    createdAt: at(-60),
    ...extra,
  };
}

const state: PlannerState = { targets: {}, approvals: {} };

function planFor(api: number, workers: number, actuals: Record<string, Actual> = {}, c = config) {
  const base = { api: { value: 3 }, workers: { value: 2 }, pgbouncer: { value: 1 }, db: { value: 0 } };
  const intents = [intent('api', api), intent('workers', workers)];
  const p = plan(c, intents, { ...base, ...actuals }, state, new Date(T0));
  return (id: string) => p.targets.find((t) => t.id === id)!;
}

describe('Function: plan — connection budgets', () => {
  it.each([
    [3, 2, 1, 25],
    [10, 10, 2, 25],
    [20, 20, 3, 30],
    [30, 30, 4, 25],
  ])('the runbook pool table: %i API / %i worker pods -> %i PgBouncer x pool %i', (api, workers, n, pool) => {
    const e = planFor(api, workers);
    expect(e('pgbouncer').desired).toBe(n);
    expect(e('pgbouncer').connections).toMatchObject({ instances: n, pool, maxConnections: 112 });
    expect(e('pgbouncer').reasons.at(-1)).toContain(`pool ${pool} per instance (max_db_connections)`);
    // Within max_connections 112 - 12 on the db.t3.micro: the class stays.
    expect(n * pool).toBeLessThanOrEqual(100);
    expect(e('db').decision).toBe('no-op');
    expect(e('api').desired).toBe(api);
  });

  it('raises the database class, with approval, before the pods of a campaign that would exceed max_connections', () => {
    const e = planFor(40, 40);
    // 200 client connections: 5 PgBouncers; 5 pools of 25 do not fit the micro's 100.
    expect(e('pgbouncer').desired).toBe(5);
    expect(e('db').desired).toBe('db.t3.small');
    expect(e('db').decision).toBe('needs-approval');
    expect(e('db').reasons[0]).toMatch(
      /^connection budget shop-db: 200 client connections \(api 40 x 3, workers 40 x 2\)/,
    );
    // PgBouncer and the pods wait for the class change: the budget makes them depend on it.
    expect(e('pgbouncer').decision).toBe('wait');
    expect(e('pgbouncer').reasons.at(-1)).toMatch(
      /waits for its dependencies to be ready: db \(step db-\w+ waits for approval\)/,
    );
    expect(e('api').decision).toBe('wait');
    expect(e('api').reasons.at(-1)).toContain('waits for its dependencies to be ready: pgbouncer');
  });

  it('with the class changed and ready, raises PgBouncer, then the pods', () => {
    const e = planFor(40, 40, { db: { value: 1 } });
    expect(e('db').decision).toBe('no-op');
    expect(e('pgbouncer').decision).toBe('scale-up');
    expect(e('pgbouncer').connections).toMatchObject({ instances: 5, pool: 40, maxConnections: 225 });
    expect(e('api').decision).toBe('wait');
    const ready = planFor(40, 40, { db: { value: 1 }, pgbouncer: { value: 5 } });
    expect(ready('api').decision).toBe('scale-up');
  });

  it('caps the pods with the reason when neither PgBouncer nor the database can grow far enough', () => {
    const small = parseConfig(YAML.replace('max: db.t3.medium', 'max: db.t3.micro'));
    const e = planFor(40, 40, {}, small);
    expect(e('db').decision).toBe('no-op');
    // The micro holds 4 pools of 25: 4 PgBouncers, 160 client connections of the 200 asked.
    expect(e('pgbouncer').desired).toBe(4);
    expect(e('api').desired).toBe(32);
    expect(e('workers').desired).toBe(32);
    expect(e('api').reasons[0]).toMatch(
      /^launch needs 40; capped at 32 \(asked 40\) by connection budget shop-db: .*the largest database class allowed holds 4 pools of 25, so the pods are capped at 160 client connections$/,
    );
    // Their autoscalers are capped too: a ceiling on maxReplicas / maxReplicaCount for the window.
    expect(e('api').reasons).toContain(
      'maxReplicas capped at 32 (a ceiling) under connection budget shop-db, so the autoscaler cannot exceed it',
    );
    expect(e('workers').reasons).toContain(
      'maxReplicaCount capped at 32 (a ceiling) under connection budget shop-db, so the autoscaler cannot exceed it',
    );
    // Raised (with its ceiling, in one step) only once the 4 PgBouncers are ready.
    expect(e('api').decision).toBe('wait');
    const ready = planFor(40, 40, { pgbouncer: { value: 4 } }, small)('api');
    expect(ready.steps[0]).toMatchObject({
      from: 3,
      to: 32,
      ceiling: 32,
      set: { minReplicas: 32, maxReplicas: 32 },
    });
    // The Plan JSON keeps to the CONTRACTS.md shape.
    expect(Object.keys(planJson({ at: at(0), targets: [e('pgbouncer')] }).targets[0]!).sort()).toEqual([
      'actual',
      'decision',
      'desired',
      'id',
      'kind',
      'reasons',
      'steps',
    ]);
  });

  it('reads max_connections from the parameter group the database reports, a number or a formula', () => {
    const fixed = planFor(20, 20, { db: { value: 0, details: { maxConnectionsParameter: '500' } } });
    expect(fixed('pgbouncer').connections).toMatchObject({ instances: 3, pool: 35, maxConnections: 500 });
    expect(fixed('pgbouncer').reasons.at(-1)).toContain('(parameter group on db.t3.micro)');
    expect(evaluateMaxConnections('LEAST({DBInstanceClassMemory/9531392},5000)', 'db.r6g.large')).toBe(1802);
    expect(evaluateMaxConnections('LEAST({DBInstanceClassMemory/9531392},5000)', 'db.r6g.16xlarge')).toBe(
      5000,
    );
    expect(evaluateMaxConnections('GREATEST({DBInstanceClassMemory/9531392},100)', 'db.t3.micro')).toBe(112);
    expect(evaluateMaxConnections('{DBInstanceClassMemory/0x1}', 'db.t3.micro')).toBeUndefined();
    expect(classMemoryBytes('db.m6i.32xlarge')).toBe(512 * 1024 ** 3);
    expect(classMemoryBytes('db.serverless')).toBeUndefined();
  });
});

describe('Function: Brain.reconcile — a campaign under a connection budget', () => {
  it('hands the pool to PgBouncer with its raise, raises the pods after it, and lowers them before it', async () => {
    const campaign = `campaigns:\n  - { name: launch, start: "${at(15)}", duration: 30m, multiplier: 4, targets: [api, workers], floors: { api: 20, workers: 20 } }\n`;
    const { brain, clock, sim } = simBrain({ config: parseConfig(YAML + campaign), at: at(0) });
    for (let s = 0; s <= 90 * 60; s += 15) {
      await brain.reconcile();
      clock.advance(15_000);
    }
    const calls = sim.calls.map((c) => ({
      target: c.target,
      at: c.at,
      to: c.to,
      pool: c.ctx.connections?.pool,
    }));
    const first = (id: string) => calls.find((c) => c.target === id)!;
    expect(first('pgbouncer')).toMatchObject({ to: 3, pool: 30 });
    expect(first('api').at).toBeGreaterThanOrEqual(first('pgbouncer').at + 90_000);
    expect(calls.filter((c) => c.target === 'db')).toEqual([]);
    // After the campaign: the pods come down first, then PgBouncer, with the pool for one instance.
    const lastApi = calls.filter((c) => c.target === 'api').at(-1)!;
    const down = calls.filter((c) => c.target === 'pgbouncer').at(-1)!;
    expect(lastApi.to).toBe(3);
    expect(down).toMatchObject({ to: 1, pool: 25 });
    expect(down.at).toBeGreaterThan(lastApi.at);
  });
});

describe('Config: constraints', () => {
  const problems = (text: string) => {
    try {
      parseConfig(text);
    } catch (err) {
      return (err as ConfigError).problems;
    }
    return [];
  };

  it('names the path of a bad budget', () => {
    expect(problems(YAML.replace('database: db', 'database: api'))).toEqual([
      'constraints[0].connections.database: target "api" is k8s-hpa, not rds-instance',
    ]);
    expect(
      problems(YAML.replace('{ target: workers, poolPerPod: 2 }', '{ target: db, poolPerPod: 2 }')),
    ).toEqual(['constraints[0].connections.clients[1].target: target "db" is not counted (rds-instance)']);
    expect(problems(YAML.replace('      database: db\n', ''))).toEqual([
      'constraints[0].connections: needs exactly one of database or maxConnections',
    ]);
  });

  it('makes the clients depend on PgBouncer and PgBouncer on the database', () => {
    const dep = (id: string) => config.targets.find((t) => t.id === id)!.dependsOn;
    expect(dep('api')).toEqual(['pgbouncer']);
    expect(dep('workers')).toEqual(['pgbouncer']);
    expect(dep('pgbouncer')).toEqual(['db']);
  });
});
