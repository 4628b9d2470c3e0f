import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MIN } from './fake-base.ts';
import { FakeRds, RDS_DELAYS } from './fake-rds.ts';
import { applyCtx, realActuator, rejection, T0 } from './helpers.ts';

const READERS = {
  'db-readers': {
    kind: 'rds-read-replicas',
    source: 'kaireon-prod',
    region: 'eu-central-1',
    instanceClass: 'db.r6g.xlarge',
    availabilityZones: ['eu-central-1a', 'eu-central-1b'],
    bounds: { min: 1, max: 4 },
  },
};

describe('Actuator: rds-read-replicas', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  beforeEach(() => {
    clock = new ManualClock(T0);
    rds = new FakeRds(clock).install();
    rds.addInstance({ id: 'kaireon-prod', securityGroups: ['sg-0db1', 'sg-0app'] });
    // Made by a person for the analytics team: Headroom must never delete it.
    rds.addInstance({ id: 'kaireon-prod-analytics', source: 'kaireon-prod', az: 'eu-central-1b' });
  });
  afterEach(() => rds.restore());

  const setup = () => realActuator(READERS, 'db-readers', clock);

  it('creates tagged <source>-headroom-<n> replicas spread over the zones, with the source security groups', async () => {
    const { target, actuator } = setup();
    expect(await actuator.read(target)).toMatchObject({ value: 1, ready: 1 });

    const r = await actuator.apply(target, 4, applyCtx(clock));
    expect(r).toMatchObject({
      status: 'applied',
      before: { replicas: 1 },
      after: {
        replicas: 4,
        created: ['kaireon-prod-headroom-1', 'kaireon-prod-headroom-2', 'kaireon-prod-headroom-3'],
      },
    });
    const creates = rds.callsOf('CreateDBInstanceReadReplica').map((c) => c.input);
    expect(creates[0]).toEqual({
      DBInstanceIdentifier: 'kaireon-prod-headroom-1',
      SourceDBInstanceIdentifier: 'kaireon-prod',
      DBInstanceClass: 'db.r6g.xlarge',
      AvailabilityZone: 'eu-central-1a',
      VpcSecurityGroupIds: ['sg-0db1', 'sg-0app'],
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: true,
      DeletionProtection: false,
      Tags: [
        { Key: 'headroom:managed', Value: 'true' },
        { Key: 'headroom:target', Value: 'db-readers' },
      ],
    });
    // The hand-made replica is in b: the new ones even the zones out (2 and 2).
    const zones = rds.replicasOf('kaireon-prod').map((i) => i.az);
    expect(zones.filter((z) => z === 'eu-central-1a')).toHaveLength(2);
    expect(zones.filter((z) => z === 'eu-central-1b')).toHaveLength(2);

    // Creating replicas count as capacity on the way, not as ready capacity.
    expect(await actuator.read(target)).toMatchObject({ value: 4, ready: 1 });
    clock.advance(RDS_DELAYS.replicaCreate);
    expect(await actuator.read(target)).toMatchObject({ value: 4, ready: 4 });
    expect(await actuator.apply(target, 4, applyCtx(clock))).toMatchObject({ status: 'no-op' });
    expect(rds.callsOf('CreateDBInstanceReadReplica')).toHaveLength(3);
  });

  it('does not create a second replica when an earlier create already made it (a lost answer)', async () => {
    const { target, actuator } = setup();
    rds.beforeNext('CreateDBInstanceReadReplica', () => {
      rds.addInstance({
        id: 'kaireon-prod-headroom-1',
        source: 'kaireon-prod',
        status: 'creating',
        tags: [{ Key: 'headroom:managed', Value: 'true' }],
      });
    });
    const r = await actuator.apply(target, 2, applyCtx(clock));
    expect(r).toMatchObject({
      status: 'applied',
      after: { replicas: 2, created: ['kaireon-prod-headroom-1'] },
    });
    expect(
      rds
        .replicasOf('kaireon-prod')
        .map((i) => i.id)
        .sort(),
    ).toEqual(['kaireon-prod-analytics', 'kaireon-prod-headroom-1']);
  });

  it('deletes only its own replicas, newest first, once available; the hand-made one survives every scale-down', async () => {
    const { target, actuator } = setup();
    await actuator.apply(target, 2, applyCtx(clock));
    clock.advance(5 * MIN);
    await actuator.apply(target, 4, applyCtx(clock));

    // Still creating: nothing is deleted, the result says what it waits for.
    const early = await actuator.apply(target, 1, applyCtx(clock));
    expect(early.status).toBe('in-progress');
    expect(early.message).toMatch(/waiting for kaireon-prod-headroom-1 \(creating\)/);
    expect(rds.callsOf('DeleteDBInstance')).toHaveLength(0);

    clock.advance(RDS_DELAYS.replicaCreate);
    const order: string[] = [];
    for (const to of [3, 2, 1]) {
      const r = await actuator.apply(target, to, applyCtx(clock));
      expect(r.status).toBe('applied');
      order.push(...(r.after.deleted as string[]));
    }
    expect(order).toEqual(['kaireon-prod-headroom-3', 'kaireon-prod-headroom-2', 'kaireon-prod-headroom-1']);
    expect(rds.callsOf('DeleteDBInstance')[0]!.input).toEqual({
      DBInstanceIdentifier: 'kaireon-prod-headroom-3',
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: true,
    });
    // Deleting replicas no longer count.
    expect(await actuator.read(target)).toMatchObject({ value: 1, ready: 1 });

    // Asked for zero: only the hand-made replica is left, and it stays.
    const last = await actuator.apply(target, 0, applyCtx(clock));
    expect(last.status).toBe('blocked');
    expect(last.message).toMatch(/kaireon-prod-analytics were not made by Headroom .* never deleted/);
    clock.advance(RDS_DELAYS.instanceDelete);
    expect(rds.replicasOf('kaireon-prod').map((i) => i.id)).toEqual(['kaireon-prod-analytics']);
    expect(rds.callsOf('DeleteDBInstance').map((c) => c.input.DBInstanceIdentifier)).not.toContain(
      'kaireon-prod-analytics',
    );
  });

  it('never deletes a look-alike: Headroom name without the tag, the tag on another name, or a protected one', async () => {
    const managed = [{ Key: 'headroom:managed', Value: 'true' }];
    rds.addInstance({ id: 'kaireon-prod-headroom-7', source: 'kaireon-prod' });
    rds.addInstance({ id: 'kaireon-prod-reporting', source: 'kaireon-prod', tags: managed });
    rds.addInstance({
      id: 'kaireon-prod-headroom-8',
      source: 'kaireon-prod',
      tags: managed,
      deletionProtection: true,
    });
    const { target, actuator } = setup();
    expect((await actuator.read(target)).value).toBe(4);
    const r = await actuator.apply(target, 1, applyCtx(clock));
    expect(r.status).toBe('blocked');
    expect(rds.callsOf('DeleteDBInstance')).toHaveLength(0);
    expect(rds.replicasOf('kaireon-prod')).toHaveLength(4);
  });

  it('waits for a busy source and is blocked when the source cannot have replicas', async () => {
    const { target, actuator } = setup();
    const src = rds.instance('kaireon-prod')!;
    src.status = 'modifying';
    expect(await actuator.apply(target, 2, applyCtx(clock))).toMatchObject({
      status: 'in-progress',
      message: 'source kaireon-prod is modifying: replicas are created once it is available',
    });
    src.status = 'available';
    src.backupRetention = 0;
    expect((await actuator.read(target)).blocked).toMatch(/automated backups are off on kaireon-prod/);
    expect(await actuator.apply(target, 2, applyCtx(clock))).toMatchObject({ status: 'blocked' });
    expect(rds.changes()).toEqual([]);
  });

  it('a failed replica is not capacity: it is not counted and a replacement can be made', async () => {
    rds.instance('kaireon-prod-analytics')!.status = 'incompatible-parameters';
    const { target, actuator } = setup();
    expect(await actuator.read(target)).toMatchObject({ value: 0, ready: 0 });
  });

  it('names what it created when the quota stops it half way, and keeps what exists', async () => {
    rds.instanceQuota = 3;
    const { target, actuator } = setup();
    const err = await rejection(actuator.apply(target, 4, applyCtx(clock)));
    expect(err.code).toBe('quota-exceeded');
    expect(err.message).toMatch(
      /^created kaireon-prod-headroom-1, then CreateDBInstanceReadReplica kaireon-prod-headroom-2: InstanceQuotaExceededFault/,
    );
    expect(rds.replicasOf('kaireon-prod')).toHaveLength(2);
  });

  it('an unknown source is not-found, with the AWS message', async () => {
    const { target, actuator } = realActuator(
      { 'db-readers': { ...READERS['db-readers'], source: 'kaireon-typo' } },
      'db-readers',
      clock,
    );
    const err = await rejection(actuator.read(target));
    expect(err.code).toBe('not-found');
    expect(err.message).toContain('DBInstanceNotFoundFault: DBInstance kaireon-typo not found.');
    expect(err.message).toContain('check the identifier and region');
  });
});
