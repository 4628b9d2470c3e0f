import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/ports/clock.ts';
import { FakeRds, RDS_DELAYS } from './fake-rds.ts';
import { applyCtx, configWith, realActuator, rejection, T0 } from './helpers.ts';

const TARGET = {
  acu: {
    kind: 'aurora-serverless-v2',
    clusterIdentifier: 'kaireon-sv2',
    region: 'eu-central-1',
    bounds: { min: 2, max: 64 },
    maxCapacity: 96,
  },
};

describe('Actuator: aurora-serverless-v2', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  beforeEach(() => {
    clock = new ManualClock(T0);
    rds = new FakeRds(clock).install();
    rds.addCluster({ id: 'kaireon-sv2', serverless: { min: 2, max: 16 } });
  });
  afterEach(() => rds.restore());

  const setup = () => realActuator(TARGET, 'acu', clock);

  it('raises MinCapacity in 0.5 ACU steps and keeps MaxCapacity when it is high enough', async () => {
    const { target, actuator } = setup();
    expect(target.granularity).toBe(0.5);
    expect(await actuator.read(target)).toMatchObject({ value: 2 });
    const r = await actuator.apply(target, 8.5, applyCtx(clock));
    expect(r).toMatchObject({ status: 'applied', after: { minCapacity: 8.5, maxCapacity: 16 } });
    expect(r.remember).toBeUndefined();
    expect(rds.callsOf('ModifyDBCluster')[0]!.input).toEqual({
      DBClusterIdentifier: 'kaireon-sv2',
      ApplyImmediately: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 8.5, MaxCapacity: 16 },
    });
    expect((await actuator.read(target)).busy).toBe('cluster is modifying');
    expect(await actuator.apply(target, 10, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    clock.advance(RDS_DELAYS.clusterModify);
    expect(await actuator.read(target)).toMatchObject({ value: 8.5 });
    expect(await actuator.apply(target, 8.5, applyCtx(clock))).toMatchObject({ status: 'no-op' });
    expect(rds.callsOf('ModifyDBCluster')).toHaveLength(1);
  });

  it('lifts MaxCapacity for a minimum above it and restores it on the way back', async () => {
    const { target, actuator } = setup();
    const up = await actuator.apply(target, 32, applyCtx(clock));
    expect(up.after).toEqual({ minCapacity: 32, maxCapacity: 96 });
    expect(up.remember).toEqual({ maxCapacity: 16, maxCapacityRaisedAtMin: 2 });
    clock.advance(RDS_DELAYS.clusterModify);

    // An intermediate lowering keeps the raised maximum.
    const mid = await actuator.apply(target, 8, applyCtx(clock, { remembered: up.remember }));
    expect(mid.after).toEqual({ minCapacity: 8, maxCapacity: 96 });
    expect(mid.forget).toBeUndefined();
    clock.advance(RDS_DELAYS.clusterModify);

    const down = await actuator.apply(target, 2, applyCtx(clock, { remembered: up.remember }));
    expect(down.after).toEqual({ minCapacity: 2, maxCapacity: 16 });
    expect(down.forget).toEqual(['maxCapacity', 'maxCapacityRaisedAtMin']);
    clock.advance(RDS_DELAYS.clusterModify);
    expect(rds.clusters.get('kaireon-sv2')!.serverless).toEqual({ min: 2, max: 16 });
  });

  it('refuses a value that is not a 0.5 ACU step, and the config rejects bounds past 256 ACUs', async () => {
    const { target, actuator } = setup();
    const err = await rejection(actuator.apply(target, 3.3, applyCtx(clock)));
    expect(err.code).toBe('invalid-request');
    expect(rds.changes()).toEqual([]);
    expect(() =>
      configWith({ acu: { ...TARGET.acu, bounds: { min: 1, max: 300 }, maxCapacity: undefined } }),
    ).toThrow(/targets.acu.bounds.max: Aurora Serverless v2 allows at most 256 ACUs/);
  });

  it('is blocked for a cluster without Serverless v2 instances', async () => {
    rds.clusters.get('kaireon-sv2')!.serverless = undefined;
    const { target, actuator } = setup();
    expect((await actuator.read(target)).blocked).toMatch(/no Serverless v2 scaling configuration/);
    expect(await actuator.apply(target, 4, applyCtx(clock))).toMatchObject({ status: 'blocked' });
  });
});
