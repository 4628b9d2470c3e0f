import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PARAMETER_TTL_MS } from '../../shared/adapters/aws/rds-parameters.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { plan } from '../../shared/planner/plan.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { FakeRds } from './fake-rds.ts';
import { realActuator, T0 } from './helpers.ts';

const TIERS = ['db.r6g.large', 'db.r6g.xlarge'];
const db = { db: { kind: 'rds-instance', identifier: 'shop', region: 'eu-central-1', tiers: TIERS } };

describe('Actuator: rds-instance reads max_connections from its parameter group', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  beforeEach(() => {
    clock = new ManualClock(T0);
    rds = new FakeRds(clock).install();
  });
  afterEach(() => rds.restore());

  it('finds the formula of a default group on its third page of DescribeDBParameters', async () => {
    rds.addInstance({ id: 'shop', parameterGroup: 'default.postgres16' });
    const { target, actuator } = realActuator(db, 'db', clock);
    const actual = await actuator.read(target);
    expect(actual.details?.maxConnectionsParameter).toBe('LEAST({DBInstanceClassMemory/9531392},5000)');
    expect(rds.callsOf('DescribeDBParameters').map((c) => c.input)).toEqual([
      { DBParameterGroupName: 'default.postgres16' },
      { DBParameterGroupName: 'default.postgres16', Marker: '100' },
      { DBParameterGroupName: 'default.postgres16', Marker: '200' },
    ]);
  });

  it('reads a custom group value once per ten minutes, then again', async () => {
    rds.parameterGroups.set('shop-pg16', {
      max_connections: '500',
      shared_buffers: '{DBInstanceClassMemory/32768}',
    });
    rds.addInstance({ id: 'shop', parameterGroup: 'shop-pg16' });
    const { target, actuator } = realActuator(db, 'db', clock);
    expect((await actuator.read(target)).details?.maxConnectionsParameter).toBe('500');
    clock.advance(PARAMETER_TTL_MS - 1000);
    await actuator.read(target);
    expect(rds.callsOf('DescribeDBParameters')).toHaveLength(1);
    rds.parameterGroups.set('shop-pg16', { max_connections: '800' });
    clock.advance(2000);
    expect((await actuator.read(target)).details?.maxConnectionsParameter).toBe('800');
    expect(rds.callsOf('DescribeDBParameters')).toHaveLength(2);
  });

  it('leaves the parameter out when the group cannot be read, and the planner falls back to the formula', async () => {
    rds.addInstance({ id: 'shop', parameterGroup: 'gone-pg' });
    const budget = {
      ...db,
      api: {
        kind: 'k8s-deployment',
        cluster: 'c',
        namespace: 'shop',
        name: 'api',
        bounds: { min: 1, max: 10 },
      },
      pgbouncer: {
        kind: 'k8s-deployment',
        cluster: 'c',
        namespace: 'shop',
        name: 'pgb',
        bounds: { min: 1, max: 4 },
      },
    };
    const { target, actuator } = realActuator(db, 'db', clock);
    const actual = await actuator.read(target);
    expect(actual.details?.maxConnectionsParameter).toBeUndefined();
    const config = parseConfig(
      JSON.stringify({
        version: 1,
        clusters: { c: { kubeconfig: { context: 'c' } } },
        targets: budget,
        constraints: [
          {
            name: 'shop',
            connections: {
              database: 'db',
              pgbouncer: { target: 'pgbouncer', maxClientConnections: 100 },
              clients: [{ target: 'api', poolPerPod: 10 }],
            },
          },
        ],
      }),
    );
    const p = plan(
      config,
      [],
      { db: actual, api: { value: 2 }, pgbouncer: { value: 1 } },
      { targets: {}, approvals: {} },
      clock.now(),
    );
    const pgb = p.targets.find((t) => t.id === 'pgbouncer')!;
    expect(pgb.connections).toMatchObject({ maxConnections: 1802, instances: 1, pool: 20 });
    expect(pgb.reasons.at(-1)).toContain('(RDS default formula on db.r6g.large)');
  });
});
