import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseConfig } from '../../shared/config/load.ts';
import { plan } from '../../shared/planner/plan.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { brainOverFakes } from './brain-over-fakes.ts';
import { MIN } from './fake-base.ts';
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

describe('Planner and brain: elasticache-serverless minimums are valid values, set in one change', () => {
  const START = '2026-11-27T21:00:00Z';
  const withCampaign = (floor: number) =>
    parseConfig(
      stringify({
        version: 1,
        targets: TARGET,
        campaigns: [
          {
            name: 'launch',
            start: START,
            duration: '2h',
            multiplier: 10,
            targets: ['sessions'],
            floors: { sessions: floor },
          },
        ],
      }),
    );
  let clock: ManualClock;
  let ec: FakeElastiCache;
  beforeEach(() => {
    clock = new ManualClock(T0);
    ec = new FakeElastiCache(clock).install();
  });
  afterEach(() => ec.restore());

  it('plans 0 -> 5000 as one step one lead time (and margin) ahead, not 13 stages from 1', () => {
    const config = withCampaign(5000);
    const target = config.targets[0]!;
    const at = new Date(Date.parse(START) - 66 * MIN);
    const intents = [
      {
        id: 'i',
        target: 'sessions',
        floor: 5000,
        from: START,
        until: '2026-11-27T23:00:00Z',
        reason: 'campaign',
        source: { kind: 'campaign' as const, ref: 'launch' },
        createdAt: T0,
      },
    ];
    const p = plan(config, intents, { sessions: { value: 0 } }, { targets: {}, approvals: {} }, at);
    expect(target.leadTimeSeconds + target.marginSeconds).toBe(66 * 60);
    expect(p.targets[0]).toMatchObject({ decision: 'scale-up', desired: 5000 });
    expect(p.targets[0]!.steps.map((s) => [s.from, s.to])).toEqual([[0, 5000]]);
    // A floor under the 1,000 ElastiCache accepts is raised to it (never a value AWS refuses).
    const small = plan(
      config,
      [{ ...intents[0]!, floor: 300 }],
      { sessions: { value: 0 } },
      { targets: {}, approvals: {} },
      at,
    );
    expect(small.targets[0]!.steps.map((s) => s.set)).toEqual([{ ecpuPerSecondMinimum: 1000 }]);
    // The release removes the minimum in one change: 5000 -> 0, no 2 -> 1 -> 0.
    const after = new Date(Date.parse('2026-11-27T23:30:00Z'));
    const down = plan(
      config,
      intents,
      { sessions: { value: 5000 } },
      { targets: { sessions: { original: 0, lastSet: 5000 } }, approvals: {} },
      after,
    );
    expect(down.targets[0]!.steps.map((s) => [s.from, s.to])).toEqual([[5000, 0]]);
  });

  it('a campaign sets the minimum once before the start and removes it once after, every value accepted', async () => {
    ec.addServerless({ name: 'kaireon-sessions', ecpuMax: 50000, storageMax: 100 });
    const env = brainOverFakes(withCampaign(300), clock);
    const samples: { t: number; min?: number; status: string }[] = [];
    await env.run('2026-11-28T00:30:00Z', (t) => {
      const c = ec.serverlessCache('kaireon-sessions');
      samples.push({ t, min: c.ecpuMin, status: c.status });
    });
    const modifies = ec.callsOf('ModifyServerlessCache');
    expect(
      modifies.map((c) => (c.input.CacheUsageLimits as { ECPUPerSecond: object }).ECPUPerSecond),
    ).toEqual([{ Minimum: 1000, Maximum: 50000 }, { Maximum: 50000 }]);
    // Set at least its 60 min lead time before the start; applied (available again) before it.
    expect(modifies[0]!.at).toBeLessThanOrEqual(Date.parse(START) - 60 * MIN);
    expect(samples.filter((s) => s.t < Date.parse(START)).at(-1)).toMatchObject({
      min: 1000,
      status: 'available',
    });
    expect(await env.audit('sessions', 'step-failed')).toEqual([]);
    expect(ec.serverlessCache('kaireon-sessions')).toMatchObject({ ecpuMin: undefined, ecpuMax: 50000 });
  });
});
