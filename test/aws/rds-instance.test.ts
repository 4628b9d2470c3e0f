import { InsufficientDBInstanceCapacityFault } from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActuatorError } from '../../shared/domain/errors.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MIN, metadata } from './fake-base.ts';
import { FakeRds, RDS_DELAYS } from './fake-rds.ts';
import { applyCtx, realActuator, rejection, T0 } from './helpers.ts';

const TIERS = ['db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge', 'db.r6g.4xlarge'];
const db = (extra: Record<string, unknown> = {}) => ({
  db: { kind: 'rds-instance', identifier: 'kaireon-prod', region: 'eu-central-1', tiers: TIERS, ...extra },
});

describe('Actuator: rds-instance', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  beforeEach(() => {
    clock = new ManualClock(T0);
    rds = new FakeRds(clock).install();
  });
  afterEach(() => rds.restore());

  it('raises along the ladder with ModifyDBInstance (ApplyImmediately) and reports the change in progress', async () => {
    rds.addInstance({ id: 'kaireon-prod' });
    const { target, actuator } = realActuator(db(), 'db', clock);
    expect(await actuator.read(target)).toMatchObject({ value: 0, ready: 0 });
    expect((await actuator.read(target)).busy).toBeUndefined();

    const r = await actuator.apply(target, 2, applyCtx(clock));
    expect(r).toMatchObject({
      status: 'applied',
      before: { instanceClass: 'db.r6g.large' },
      after: { instanceClass: 'db.r6g.2xlarge' },
    });
    expect(rds.callsOf('ModifyDBInstance')[0]!.input).toEqual({
      DBInstanceIdentifier: 'kaireon-prod',
      DBInstanceClass: 'db.r6g.2xlarge',
      ApplyImmediately: true,
    });
    // While RDS applies it: the steered value is the new class, ready capacity the old one.
    const during = await actuator.read(target);
    expect(during).toMatchObject({ value: 2, ready: 0, busy: 'modifying: db.r6g.large -> db.r6g.2xlarge' });
    expect(await actuator.apply(target, 3, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    expect(rds.callsOf('ModifyDBInstance')).toHaveLength(1);

    clock.advance(RDS_DELAYS.classChange);
    const after = await actuator.read(target);
    expect(after).toMatchObject({ value: 2, ready: 2 });
    expect(after.busy).toBeUndefined();
    expect(rds.instance('kaireon-prod')!.instanceClass).toBe('db.r6g.2xlarge');
  });

  it('lowers back down the ladder, and re-applying the current class makes no call', async () => {
    rds.addInstance({ id: 'kaireon-prod', instanceClass: 'db.r6g.4xlarge' });
    const { target, actuator } = realActuator(db(), 'db', clock);
    expect(await actuator.apply(target, 3, applyCtx(clock))).toMatchObject({ status: 'no-op' });
    expect(rds.changes()).toEqual([]);

    expect(await actuator.apply(target, 1, applyCtx(clock))).toMatchObject({
      status: 'applied',
      after: { instanceClass: 'db.r6g.xlarge' },
    });
    clock.advance(RDS_DELAYS.classChange);
    expect(rds.instance('kaireon-prod')!.instanceClass).toBe('db.r6g.xlarge');
    expect(await actuator.apply(target, 1, applyCtx(clock))).toMatchObject({ status: 'no-op' });
    expect(rds.callsOf('ModifyDBInstance')).toHaveLength(1);
  });

  it('waits while modifications are pending for the maintenance window', async () => {
    rds.addInstance({ id: 'kaireon-prod', pending: { DBInstanceClass: 'db.r6g.xlarge' } });
    const { target, actuator } = realActuator(db(), 'db', clock);
    const a = await actuator.read(target);
    expect(a.value).toBe(0);
    expect(a.busy).toMatch(/pending for the maintenance window \(DBInstanceClass\)/);
    expect(await actuator.apply(target, 2, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    expect(rds.changes()).toEqual([]);
  });

  it('a second modify while modifying fails with InvalidDBInstanceState: mapped to invalid-state, nothing changed', async () => {
    const inst = rds.addInstance({ id: 'kaireon-prod' });
    const { target, actuator } = realActuator(db(), 'db', clock);
    // A person's console modify lands between Headroom's describe and its own modify.
    rds.beforeNext('ModifyDBInstance', () => {
      inst.status = 'modifying';
      inst.pending = { DBInstanceClass: 'db.r6g.2xlarge' };
    });
    const err = await rejection(actuator.apply(target, 1, applyCtx(clock)));
    expect(err).toBeInstanceOf(ActuatorError);
    expect(err.code).toBe('invalid-state');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(
      'InvalidDBInstanceStateFault: Database instance is not in available state.',
    );
    expect(rds.instance('kaireon-prod')).toMatchObject({
      instanceClass: 'db.r6g.large',
      pending: { DBInstanceClass: 'db.r6g.2xlarge' },
    });
    expect(rds.callsOf('ModifyDBInstance')).toHaveLength(1);
  });

  describe('Single-AZ instances', () => {
    it('reports the downtime risk and refuses a class change without approval', async () => {
      rds.addInstance({ id: 'kaireon-prod', multiAZ: false });
      const { target, actuator } = realActuator(db(), 'db', clock);
      expect((await actuator.read(target)).risk).toMatch(/Single-AZ.*downtime/);
      const r = await actuator.apply(target, 1, applyCtx(clock, { approved: false }));
      expect(r.status).toBe('blocked');
      expect(r.message).toMatch(/refused db.r6g.large -> db.r6g.xlarge on kaireon-prod: Single-AZ/);
      expect(rds.changes()).toEqual([]);
      expect(rds.instance('kaireon-prod')!.status).toBe('available');
    });

    it('applies the change once approved', async () => {
      rds.addInstance({ id: 'kaireon-prod', multiAZ: false });
      const { target, actuator } = realActuator(db(), 'db', clock);
      expect(await actuator.apply(target, 1, applyCtx(clock, { approved: true }))).toMatchObject({
        status: 'applied',
      });
      expect(rds.callsOf('ModifyDBInstance')).toHaveLength(1);
    });

    it('a Multi-AZ instance carries no risk', async () => {
      rds.addInstance({ id: 'kaireon-prod', multiAZ: true });
      const { target, actuator } = realActuator(db(), 'db', clock);
      expect((await actuator.read(target)).risk).toBeUndefined();
    });
  });

  it('leaves alone an instance whose class is off the ladder, or that is stopped', async () => {
    const inst = rds.addInstance({ id: 'kaireon-prod', instanceClass: 'db.m5.large' });
    const { target, actuator } = realActuator(db(), 'db', clock);
    expect((await actuator.read(target)).blocked).toMatch(/db.m5.large is not on the ladder of db/);
    expect(await actuator.apply(target, 1, applyCtx(clock))).toMatchObject({ status: 'blocked' });
    inst.instanceClass = 'db.r6g.large';
    inst.status = 'stopped';
    expect((await actuator.read(target)).blocked).toMatch(/kaireon-prod is stopped/);
    expect(await actuator.apply(target, 1, applyCtx(clock))).toMatchObject({ status: 'blocked' });
    expect(rds.changes()).toEqual([]);
  });

  it('a change during storage optimisation goes ahead (RDS only blocks storage changes then)', async () => {
    rds.addInstance({ id: 'kaireon-prod', status: 'storage-optimization' });
    const { target, actuator } = realActuator(db(), 'db', clock);
    expect((await actuator.read(target)).busy).toBeUndefined();
    expect(await actuator.apply(target, 1, applyCtx(clock))).toMatchObject({ status: 'applied' });
  });

  it('insufficient capacity for the class is mapped and leaves the instance as it was', async () => {
    rds.addInstance({ id: 'kaireon-prod' });
    const { target, actuator } = realActuator(db(), 'db', clock);
    rds.failNext(
      'ModifyDBInstance',
      () =>
        new InsufficientDBInstanceCapacityFault({
          message:
            'Cannot modify DB instance to db.r6g.4xlarge because there is not enough capacity available in eu-central-1a.',
          $metadata: metadata(400),
        }),
    );
    const err = await rejection(actuator.apply(target, 3, applyCtx(clock)));
    expect(err.code).toBe('insufficient-capacity');
    expect(err.message).toMatch(
      /^ModifyDBInstance kaireon-prod: InsufficientDBInstanceCapacityFault: Cannot modify/,
    );
    expect(rds.instance('kaireon-prod')).toMatchObject({
      instanceClass: 'db.r6g.large',
      status: 'available',
    });
  });

  describe('storage growth', () => {
    const storage = { storage: { minFreePercent: 20, maxAllocatedGiB: 500 } };

    it('grows storage with the class change to leave minFreePercent free (at least +10 %) and tags when', async () => {
      rds.addInstance({ id: 'kaireon-prod', allocatedGiB: 100, usedGiB: 92 });
      const { target, actuator } = realActuator(db(storage), 'db', clock);
      const r = await actuator.apply(target, 1, applyCtx(clock));
      // 92 GiB used needs 115 GiB for 20 % free; that is more than the +10 % minimum (110).
      expect(r.before).toMatchObject({ instanceClass: 'db.r6g.large', allocatedStorageGiB: 100 });
      expect(r.after).toMatchObject({ instanceClass: 'db.r6g.xlarge', allocatedStorageGiB: 115 });
      expect(rds.callsOf('ModifyDBInstance')[0]!.input).toMatchObject({ AllocatedStorage: 115 });
      expect(rds.instance('kaireon-prod')!.tags).toContainEqual({
        Key: 'headroom:storage-modified-at',
        Value: '2026-11-27T18:00:00Z',
      });
      clock.advance(RDS_DELAYS.classChange);
      expect(rds.instance('kaireon-prod')).toMatchObject({
        allocatedGiB: 115,
        instanceClass: 'db.r6g.xlarge',
        status: 'storage-optimization',
      });
    });

    it('grows by the +10 % RDS minimum when a little more room is enough', async () => {
      rds.addInstance({ id: 'kaireon-prod', allocatedGiB: 100, usedGiB: 81 });
      const { target, actuator } = realActuator(db(storage), 'db', clock);
      expect((await actuator.apply(target, 1, applyCtx(clock))).after).toMatchObject({
        allocatedStorageGiB: 110,
      });
    });

    it('leaves storage alone when enough is free', async () => {
      rds.addInstance({ id: 'kaireon-prod', allocatedGiB: 100, usedGiB: 50 });
      const { target, actuator } = realActuator(db(storage), 'db', clock);
      const r = await actuator.apply(target, 1, applyCtx(clock));
      expect(r.after).toEqual({ instanceClass: 'db.r6g.xlarge' });
      expect(rds.callsOf('ModifyDBInstance')[0]!.input.AllocatedStorage).toBeUndefined();
    });

    it('waits 6 hours after its own last storage change', async () => {
      rds.addInstance({
        id: 'kaireon-prod',
        instanceClass: 'db.r6g.xlarge',
        allocatedGiB: 115,
        usedGiB: 110,
        tags: [{ Key: 'headroom:storage-modified-at', Value: '2026-11-27T14:00:00Z' }],
      });
      const { target, actuator } = realActuator(db(storage), 'db', clock);
      const r = await actuator.apply(target, 2, applyCtx(clock));
      expect(r.after.storage).toMatch(/next change after 2026-11-27T20:00:00Z/);
      expect(rds.callsOf('ModifyDBInstance')[0]!.input.AllocatedStorage).toBeUndefined();
    });

    it('never grows past maxAllocatedGiB', async () => {
      rds.addInstance({ id: 'kaireon-prod', allocatedGiB: 480, usedGiB: 470 });
      const { target, actuator } = realActuator(db(storage), 'db', clock);
      const r = await actuator.apply(target, 1, applyCtx(clock));
      expect(r.after.storage).toMatch(/maxAllocatedGiB 500 leaves no room for the \+10%/);
      expect(rds.callsOf('ModifyDBInstance')[0]!.input.AllocatedStorage).toBeUndefined();
    });

    it('still changes the class when RDS refuses the storage part (a change made by someone else)', async () => {
      rds.addInstance({
        id: 'kaireon-prod',
        allocatedGiB: 100,
        usedGiB: 92,
        lastStorageChange: Date.parse(T0) - 2 * 60 * MIN,
      });
      const { target, actuator } = realActuator(db(storage), 'db', clock);
      const r = await actuator.apply(target, 1, applyCtx(clock));
      expect(r.status).toBe('applied');
      expect(r.after.storage).toMatch(/not grown .*InvalidParameterCombination/);
      const modifies = rds.callsOf('ModifyDBInstance');
      expect(modifies.map((c) => c.input.AllocatedStorage)).toEqual([115, undefined]);
      clock.advance(RDS_DELAYS.classChange);
      expect(rds.instance('kaireon-prod')).toMatchObject({
        instanceClass: 'db.r6g.xlarge',
        allocatedGiB: 100,
      });
    });
  });
});
