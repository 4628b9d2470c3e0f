import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/ports/clock.ts';
import { FakeRds, RDS_DELAYS } from './fake-rds.ts';
import { applyCtx, realActuator, rejection, T0 } from './helpers.ts';

const TARGET = {
  readers: {
    kind: 'aurora-readers',
    clusterIdentifier: 'kaireon-aurora',
    region: 'eu-central-1',
    bounds: { min: 1, max: 5 },
  },
};

describe('Actuator: aurora-readers', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  beforeEach(() => {
    clock = new ManualClock(T0);
    rds = new FakeRds(clock).install();
    rds.addCluster({ id: 'kaireon-aurora', writer: 'kaireon-aurora-writer' });
    rds.addInstance({
      id: 'kaireon-aurora-writer',
      cluster: 'kaireon-aurora',
      engine: 'aurora-postgresql',
      instanceClass: 'db.r6g.2xlarge',
      parameterGroup: 'kaireon-aurora-pg16',
    });
    // A reader a person added (or Aurora Auto Scaling): counted, never deleted.
    rds.addInstance({
      id: 'kaireon-aurora-reader-1',
      cluster: 'kaireon-aurora',
      engine: 'aurora-postgresql',
    });
  });
  afterEach(() => rds.restore());

  const setup = () => realActuator(TARGET, 'readers', clock);

  it('adds readers into the cluster like the writer, last in the failover order, and counts them as coming', async () => {
    const { target, actuator } = setup();
    expect(await actuator.read(target)).toMatchObject({ value: 1, ready: 1 });
    const r = await actuator.apply(target, 3, applyCtx(clock));
    expect(r).toMatchObject({
      status: 'applied',
      before: { readers: 1 },
      after: { readers: 3, created: ['kaireon-aurora-headroom-1', 'kaireon-aurora-headroom-2'] },
    });
    expect(rds.callsOf('CreateDBInstance')[0]!.input).toEqual({
      DBInstanceIdentifier: 'kaireon-aurora-headroom-1',
      DBClusterIdentifier: 'kaireon-aurora',
      Engine: 'aurora-postgresql',
      DBInstanceClass: 'db.r6g.2xlarge',
      PromotionTier: 15,
      DBParameterGroupName: 'kaireon-aurora-pg16',
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: true,
      Tags: [
        { Key: 'headroom:managed', Value: 'true' },
        { Key: 'headroom:target', Value: 'readers' },
      ],
    });
    expect(await actuator.read(target)).toMatchObject({ value: 3, ready: 1 });
    clock.advance(RDS_DELAYS.auroraReaderCreate);
    expect(await actuator.read(target)).toMatchObject({ value: 3, ready: 3 });
    expect(await actuator.apply(target, 3, applyCtx(clock))).toMatchObject({ status: 'no-op' });
    expect(rds.callsOf('CreateDBInstance')).toHaveLength(2);
  });

  it('uses the configured instance class when there is one', async () => {
    const { target, actuator } = realActuator(
      { readers: { ...TARGET.readers, instanceClass: 'db.r6g.large' } },
      'readers',
      clock,
    );
    await actuator.apply(target, 2, applyCtx(clock));
    expect(rds.callsOf('CreateDBInstance')[0]!.input.DBInstanceClass).toBe('db.r6g.large');
  });

  it('removes only its own readers, newest first, and never one that became the writer', async () => {
    const { target, actuator } = setup();
    await actuator.apply(target, 3, applyCtx(clock));
    expect(await actuator.apply(target, 1, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    clock.advance(RDS_DELAYS.auroraReaderCreate);

    // A failover promoted headroom-2 to writer: the old writer is a reader now, and
    // headroom-2 is the writer, never a reader to remove.
    rds.clusters.get('kaireon-aurora')!.writer = 'kaireon-aurora-headroom-2';
    expect((await actuator.read(target)).value).toBe(3);
    const r = await actuator.apply(target, 2, applyCtx(clock));
    expect(r).toMatchObject({
      status: 'applied',
      after: { readers: 2, deleted: ['kaireon-aurora-headroom-1'] },
    });
    expect(rds.callsOf('DeleteDBInstance')[0]!.input).toEqual({
      DBInstanceIdentifier: 'kaireon-aurora-headroom-1',
    });

    const more = await actuator.apply(target, 1, applyCtx(clock));
    expect(more.status).toBe('blocked');
    expect(more.message).toMatch(/kaireon-aurora-writer, kaireon-aurora-reader-1 were not made by Headroom/);
    clock.advance(RDS_DELAYS.instanceDelete);
    expect(rds.instance('kaireon-aurora-headroom-2')).toMatchObject({ id: 'kaireon-aurora-headroom-2' });
    expect(rds.instance('kaireon-aurora-reader-1')).toMatchObject({ id: 'kaireon-aurora-reader-1' });
    expect(rds.instance('kaireon-aurora-headroom-1')).toBeUndefined();
  });

  it('waits while the cluster is busy and maps an unknown cluster to not-found', async () => {
    const { target, actuator } = setup();
    rds.clusters.get('kaireon-aurora')!.status = 'modifying';
    expect(await actuator.apply(target, 2, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    expect(rds.changes()).toEqual([]);

    const other = realActuator(
      { readers: { ...TARGET.readers, clusterIdentifier: 'nope' } },
      'readers',
      clock,
    );
    const err = await rejection(other.actuator.read(other.target));
    expect(err.code).toBe('not-found');
    expect(err.message).toContain('DBClusterNotFoundFault: DBCluster nope not found.');
  });
});
