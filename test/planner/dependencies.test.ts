import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import type { ConfigError } from '../../shared/domain/errors.ts';
import type { Actual, Intent, PlannerState } from '../../shared/domain/types.ts';
import { type ActualOrFailure, plan } from '../../shared/planner/plan.ts';
import { simBrain } from '../helpers/example.ts';

const T0 = Date.parse('2030-03-04T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const YAML = `version: 1
timezone: UTC
clusters: { prod: { eksCluster: shop-prod, region: eu-central-1 } }
targets:
  api:
    kind: k8s-hpa
    cluster: prod
    namespace: shop
    name: api
    bounds: { min: 3, max: 60 }
    leadTime: 90s
    dependsOn: [pgbouncer, { target: db, soft: true }]
  pgbouncer:
    kind: k8s-deployment
    cluster: prod
    namespace: shop
    name: pgbouncer
    bounds: { min: 1, max: 4 }
    leadTime: 60s
  db:
    kind: rds-instance
    identifier: shop
    region: eu-central-1
    tiers: [db.r6g.large, db.r6g.xlarge]
    bounds: { min: db.r6g.large, max: db.r6g.xlarge }
    leadTime: 30m
    approval: required
`;
const config = parseConfig(YAML);
const hardDb = parseConfig(YAML.replace('{ target: db, soft: true }', 'db'));

function intent(target: string, floor: number, fromMinutes = -5): Intent {
  return {
    id: `i-${target}`,
    target,
    floor,
    from: at(fromMinutes),
    until: at(fromMinutes + 120),
    reason: `launch needs ${floor}`,
    source: { kind: 'slack', ref: 'test' },
    createdAt: at(-60),
  };
}

const state = (partial: Partial<PlannerState> = {}): PlannerState => ({
  targets: {},
  approvals: {},
  ...partial,
});

function planWith(
  actuals: Record<string, Actual | ActualOrFailure>,
  intents: Intent[],
  s = state(),
  c = config,
) {
  const all = { api: { value: 3 }, pgbouncer: { value: 1 }, db: { value: 0 }, ...actuals };
  const p = plan(c, intents, all, s, new Date(T0));
  return (id: string) => p.targets.find((t) => t.id === id)!;
}

const launch = [intent('api', 12), intent('pgbouncer', 3)];

describe('Function: plan — dependencies hold over time', () => {
  it('keeps the API where it is while PgBouncer is being raised, and says why', () => {
    const e = planWith({}, launch);
    expect(e('pgbouncer').decision).toBe('scale-up');
    expect(e('api').decision).toBe('wait');
    expect(e('api').reasons.at(-1)).toBe(
      'waits for its dependencies to be ready: pgbouncer (being raised 1 -> 3)',
    );
  });

  it('keeps waiting on the next reconcile while the raised PgBouncer pods are not ready yet', () => {
    const e = planWith({ pgbouncer: { value: 3, ready: 1 } }, launch);
    expect(e('pgbouncer').decision).toBe('no-op');
    expect(e('api').decision).toBe('wait');
    expect(e('api').reasons.at(-1)).toContain('pgbouncer (3 set, 1 ready)');
  });

  it('waits while the dependency write-ahead record says its step is being applied, or its last step failed', () => {
    const applying = state({
      targets: {
        pgbouncer: {
          pending: { stepId: 'pgbouncer-1', direction: 'up', from: 1, to: 3, startedAt: at(-1), owner: 'x' },
        },
      },
    });
    expect(planWith({ pgbouncer: { value: 3, ready: 3 } }, launch, applying)('api').reasons.at(-1)).toContain(
      'pgbouncer (step pgbouncer-1 is being applied)',
    );
    const failing = state({
      targets: {
        pgbouncer: {
          failure: {
            code: 'Forbidden',
            message: 'deployments.apps is forbidden',
            retryable: false,
            since: at(-3),
            attempts: 2,
            lastAttemptAt: at(-1),
          },
        },
      },
    });
    const e = planWith({ pgbouncer: { value: 3, ready: 3 } }, launch, failing);
    expect(e('api').decision).toBe('wait');
    expect(e('api').reasons.at(-1)).toContain(
      'its last step failed (Forbidden: deployments.apps is forbidden)',
    );
  });

  it('raises the API once PgBouncer is ready', () => {
    const e = planWith({ pgbouncer: { value: 3, ready: 3 } }, launch);
    expect(e('api').decision).toBe('scale-up');
    expect(e('api').steps[0]!.set).toEqual({ minReplicas: 9 });
  });

  it('is not held by a dependency that only waits for a later intent, nor by one that cannot be read when nothing is due', () => {
    const e = planWith({}, [intent('api', 12), intent('pgbouncer', 3, 24 * 60)]);
    expect(e('pgbouncer').decision).toBe('wait');
    expect(e('api').decision).toBe('scale-up');
  });

  it('waits for a database class change that waits for approval, unless the edge is soft', () => {
    const intents = [...launch, intent('db', 1)];
    const ready = { pgbouncer: { value: 3, ready: 3 } };
    const hard = planWith(ready, intents, state(), hardDb);
    expect(hard('db').decision).toBe('needs-approval');
    expect(hard('api').decision).toBe('wait');
    expect(hard('api').reasons.at(-1)).toMatch(
      /^waits for its dependencies to be ready: db \(step db-\w+ waits for approval\)$/,
    );
    const soft = planWith(ready, intents);
    expect(soft('api').decision).toBe('scale-up');
    expect(soft('api').reasons.at(-1)).toMatch(
      /^goes ahead over soft dependencies: db \(step db-\w+ waits for approval\)$/,
    );
  });

  it('waits for a dependency that cannot be read, even over a soft edge it would pass a blocked one', () => {
    const e = planWith({ pgbouncer: { error: 'connection refused' } }, launch);
    expect(e('api').decision).toBe('wait');
    expect(e('api').reasons.at(-1)).toContain(
      'pgbouncer (blocked: cannot read actual state: connection refused)',
    );
  });

  it('holds across reconciles on the simulated cloud: the API is raised only after PgBouncer is ready', async () => {
    const withCampaign = parseConfig(
      `${YAML}campaigns:\n  - { name: launch, start: "${at(10)}", duration: 1h, multiplier: 4, targets: [api, pgbouncer], floors: { api: 12, pgbouncer: 3 } }\n`,
    );
    const { brain, clock, sim } = simBrain({ config: withCampaign, at: at(0) });
    const raised: Record<string, number> = {};
    for (let s = 0; s <= 15 * 60; s += 15) {
      const { results } = await brain.reconcile();
      for (const r of results) if (r.outcome === 'executed') raised[r.target] ??= clock.now().getTime();
      if (raised.api !== undefined && raised.api === clock.now().getTime())
        expect(sim.ready('pgbouncer')).toBe(sim.value('pgbouncer'));
      clock.advance(15_000);
    }
    expect(raised.pgbouncer).toBeDefined();
    expect(raised.api! - raised.pgbouncer!).toBeGreaterThanOrEqual(60_000);
    expect(sim.value('api')).toBe(12);
  });
});

describe('Config: dependsOn', () => {
  it('takes ids and { target, soft } objects, and names the path of a bad one', () => {
    const api = config.targets.find((t) => t.id === 'api')!;
    expect(api.dependsOn).toEqual(['pgbouncer', 'db']);
    expect(api.softDependsOn).toEqual(['db']);
    const bad = (text: string) => {
      try {
        parseConfig(text);
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    };
    expect(bad(YAML.replace('{ target: db, soft: true }', '{ target: dbx, soft: true }'))).toContain(
      'targets.api.dependsOn[1]: unknown target "dbx"',
    );
    expect(bad(YAML.replace('{ target: db, soft: true }', '{ target: db, sfot: true }'))).toEqual([
      expect.stringMatching(/^targets\.api\.dependsOn\[1\]/),
    ]);
  });
});
