import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/ports/clock.ts';
import { CACHE_DELAYS, FakeElastiCache } from './fake-elasticache.ts';
import { applyCtx, configWith, realActuator, rejection, T0 } from './helpers.ts';

const TARGET = {
  sessions: {
    kind: 'elasticache-serverless',
    serverlessCacheName: 'kaireon-sessions',
    region: 'eu-central-1',
    bounds: { min: 0, max: 200000 },
    dataStorageMinimumGB: 20,
  },
};

describe('Actuator: elasticache-serverless', () => {
  let clock: ManualClock;
  let ec: FakeElastiCache;
  beforeEach(() => {
    clock = new ManualClock(T0);
    ec = new FakeElastiCache(clock).install();
  });
  afterEach(() => ec.restore());

  it('defaults to a 60 minute lead time (a new minimum takes up to an hour to apply)', () => {
    const config = configWith(TARGET);
    expect(config.targets[0]!.leadTimeSeconds).toBe(3600);
  });

  it('raises ECPUPerSecond.Minimum with the data storage minimum, and restores both on the way back', async () => {
    ec.addServerless({ name: 'kaireon-sessions', ecpuMax: 50000, storageMax: 100 });
    const { target, actuator } = realActuator(TARGET, 'sessions', clock);
    expect(await actuator.read(target)).toMatchObject({ value: 0 });

    const up = await actuator.apply(target, 30000, applyCtx(clock));
    expect(up).toMatchObject({
      status: 'applied',
      before: { ecpuPerSecondMinimum: 0, ecpuPerSecondMaximum: 50000 },
      after: { ecpuPerSecondMinimum: 30000, ecpuPerSecondMaximum: 50000, dataStorageMinimumGB: 20 },
    });
    expect(up.message).toMatch(/takes up to 60 minutes/);
    expect(ec.callsOf('ModifyServerlessCache')[0]!.input).toEqual({
      ServerlessCacheName: 'kaireon-sessions',
      CacheUsageLimits: {
        ECPUPerSecond: { Minimum: 30000, Maximum: 50000 },
        DataStorage: { Unit: 'GB', Minimum: 20, Maximum: 100 },
      },
    });
    expect((await actuator.read(target)).busy).toBe('serverless cache is modifying');
    expect(await actuator.apply(target, 40000, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    clock.advance(CACHE_DELAYS.serverlessModify);

    // Above the maximum: the maximum follows, and the revert brings the old one back.
    const remembered = up.remember!;
    const higher = await actuator.apply(target, 80000, applyCtx(clock, { remembered }));
    expect(higher.after).toMatchObject({ ecpuPerSecondMinimum: 80000, ecpuPerSecondMaximum: 80000 });
    clock.advance(CACHE_DELAYS.serverlessModify);
    expect(await actuator.apply(target, 80000, applyCtx(clock, { remembered }))).toMatchObject({
      status: 'no-op',
    });

    const down = await actuator.apply(target, 0, applyCtx(clock, { remembered }));
    expect(down.forget).toEqual(['ecpuPerSecondMaximum', 'dataStorageMinimum', 'limitsRaisedAtMinimum']);
    expect(ec.callsOf('ModifyServerlessCache')[2]!.input.CacheUsageLimits).toEqual({
      ECPUPerSecond: { Maximum: 50000 },
      DataStorage: { Unit: 'GB', Maximum: 100 },
    });
    clock.advance(CACHE_DELAYS.serverlessModify);
    expect(ec.serverlessCache('kaireon-sessions')).toMatchObject({
      ecpuMin: undefined,
      ecpuMax: 50000,
      storageMin: undefined,
      storageMax: 100,
      status: 'available',
    });
    expect(ec.callsOf('ModifyServerlessCache')).toHaveLength(3);
  });

  it('refuses a minimum ElastiCache does not accept, and the config says so first', async () => {
    ec.addServerless({ name: 'kaireon-sessions' });
    const { target, actuator } = realActuator(TARGET, 'sessions', clock);
    const err = await rejection(actuator.apply(target, 500, applyCtx(clock)));
    expect(err.code).toBe('invalid-request');
    expect(ec.changes()).toEqual([]);
    expect(() => configWith({ sessions: { ...TARGET.sessions, bounds: { min: 0, max: 500 } } })).toThrow(
      /targets.sessions.bounds.max: an ECPU\/s minimum is 0 \(none\) or a whole number from 1000 to 15000000/,
    );
  });

  it('an unknown cache is not-found; a cache that is being created is in progress', async () => {
    const { target, actuator } = realActuator(TARGET, 'sessions', clock);
    const err = await rejection(actuator.read(target));
    expect(err.code).toBe('not-found');
    expect(err.message).toContain(
      'ServerlessCacheNotFoundFault: Serverless cache kaireon-sessions not found.',
    );
    ec.addServerless({ name: 'kaireon-sessions', status: 'creating' });
    expect(await actuator.apply(target, 5000, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    expect(ec.changes()).toEqual([]);
  });
});
