import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { tenPercentMore } from '../../shared/adapters/aws/rds-storage.ts';
import { Brain } from '../../shared/app/brain.ts';
import { worldActuators } from '../../shared/backtest/world/actuators.ts';
import { World } from '../../shared/backtest/world/world.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { resolveSimSettings } from '../../shared/config/sim-settings.ts';
import { predictiveIntents } from '../../shared/forecast/predictive.ts';
import { ForecastDemandProvider } from '../../shared/forecast/provider.ts';
import { plan } from '../../shared/planner/plan.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';
import { alarmFromEventBridge } from '../../shared/triggers/alarm.ts';
import { brainOverFakes } from './brain-over-fakes.ts';
import { MIN } from './fake-base.ts';
import { FakeRds, RDS_DELAYS } from './fake-rds.ts';
import { applyCtx, configWith, realActuator, rejection, T0 } from './helpers.ts';

const TARGET = {
  'db-storage': {
    kind: 'rds-storage',
    identifier: 'kaireon-prod',
    region: 'eu-central-1',
    bounds: { min: 100, max: 1000 },
    maxAllocatedStorageGiB: 1500,
  },
};
const HOUR = 60 * MIN;
const ALARM_EVENT = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../events/cloudwatch-alarm-state-change.json'), 'utf8'),
);

describe('Actuator: rds-storage', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  beforeEach(() => {
    clock = new ManualClock(T0);
    rds = new FakeRds(clock).install();
  });
  afterEach(() => rds.restore());

  it('grows the storage and raises MaxAllocatedStorage, then waits out optimisation and the 6 hours', async () => {
    rds.addInstance({ id: 'kaireon-prod', allocatedGiB: 100 });
    const { target, actuator } = realActuator(TARGET, 'db-storage', clock);
    expect(await actuator.read(target)).toMatchObject({ value: 100, ready: 100 });

    const up = await actuator.apply(target, 130, applyCtx(clock));
    expect(up).toMatchObject({
      status: 'applied',
      before: { allocatedStorageGiB: 100, maxAllocatedStorageGiB: undefined },
      after: { allocatedStorageGiB: 130, maxAllocatedStorageGiB: 1500 },
    });
    expect(rds.callsOf('ModifyDBInstance')[0]!.input).toEqual({
      DBInstanceIdentifier: 'kaireon-prod',
      AllocatedStorage: 130,
      ApplyImmediately: true,
      MaxAllocatedStorage: 1500,
    });
    // Applying: the steered size is 130, ready capacity is still 100.
    expect(await actuator.read(target)).toMatchObject({
      value: 130,
      ready: 100,
      busy: 'instance is modifying',
    });
    clock.advance(RDS_DELAYS.storageChange);
    const optimising = await actuator.read(target);
    expect(optimising).toMatchObject({ value: 130, ready: 130 });
    expect(optimising.busy).toMatch(/still being optimised/);
    clock.advance(RDS_DELAYS.storageOptimization);
    // Optimised, but RDS still refuses a change within 6 h of the last: the actuator says when.
    expect((await actuator.read(target)).busy).toMatch(
      /storage last changed at 2026-11-27T18:00:00Z; RDS allows the next change after 2026-11-28T00:00:00Z/,
    );
    expect(await actuator.apply(target, 200, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    clock.set(Date.parse(T0) + 6 * HOUR);
    // +10 % at least: a raise to 135 grows to 143 (130 x 1.1, rounded up).
    const small = await actuator.apply(target, 135, applyCtx(clock));
    expect(small.after).toMatchObject({ allocatedStorageGiB: 143, maxAllocatedStorageGiB: 1500 });
    expect(rds.changes().map((c) => c.command)).toEqual([
      'ModifyDBInstance',
      'AddTagsToResource',
      'ModifyDBInstance',
      'AddTagsToResource',
    ]);
  });

  it('never shrinks: a lower value is a no-op that says why, and no call is made', async () => {
    rds.addInstance({ id: 'kaireon-prod', allocatedGiB: 300 });
    const { target, actuator } = realActuator(TARGET, 'db-storage', clock);
    expect(await actuator.apply(target, 100, applyCtx(clock))).toMatchObject({
      status: 'no-op',
      message: 'kaireon-prod keeps 300 GiB: RDS cannot shrink allocated storage',
    });
    expect(rds.changes()).toEqual([]);
  });

  it('RDS refuses a change someone else made less than 6 hours ago: InvalidParameterCombination, not retried', async () => {
    // Storage autoscaling grew it an hour ago (no Headroom tag): only RDS knows.
    rds.addInstance({ id: 'kaireon-prod', allocatedGiB: 110, lastStorageChange: Date.parse(T0) - HOUR });
    const { target, actuator } = realActuator(TARGET, 'db-storage', clock);
    const err = await rejection(actuator.apply(target, 150, applyCtx(clock)));
    expect(err.code).toBe('invalid-request');
    expect(err.message).toMatch(/InvalidParameterCombination: You cannot change the storage size/);
    expect(rds.instance('kaireon-prod')).toMatchObject({ allocatedGiB: 110, status: 'available' });
  });

  it('validates: bounds in whole GiB from 20 to 65536, a ceiling at least bounds.max', () => {
    expect(() =>
      configWith({
        s: { ...TARGET['db-storage'], bounds: { min: 10, max: 100 }, maxAllocatedStorageGiB: 50 },
      }),
    ).toThrow(
      /targets.s.bounds.min: allocated storage is a whole number of GiB from 20 to 65536[\s\S]*targets.s.maxAllocatedStorageGiB: must be at least bounds.max \(100\)/,
    );
  });
});

describe('Planner and brain: rds-storage grows from an alarm, by +10 % at least, and a release keeps it', () => {
  const config = parseConfig(
    stringify({
      version: 1,
      // No ceiling configured: storage autoscaling's own (250) is raised with the storage.
      targets: { 'db-storage': { ...TARGET['db-storage'], maxAllocatedStorageGiB: undefined } },
      rules: [
        {
          name: 'db-storage-70',
          when: { alarm: 'kaireon-db-storage-70', state: 'ALARM' },
          then: { target: 'db-storage', raise: '30%', for: '6h' },
        },
        {
          name: 'db-storage-85',
          when: { alarm: 'kaireon-db-storage-85', state: 'ALARM' },
          then: { target: 'db-storage', raise: '30%', for: '6h' },
        },
      ],
    }),
  );
  const intent = (floor: number) => ({
    id: 'i',
    target: 'db-storage',
    floor,
    from: T0,
    until: '2026-11-27T19:00:00Z',
    reason: 'alarm',
    source: { kind: 'alarm' as const, ref: 'kaireon-db-storage-70' },
    createdAt: T0,
  });
  const at = new Date(T0);

  it('plans one step of at least +10 %, and a release is a no-op that says storage cannot shrink', () => {
    const none = { targets: {}, approvals: {} };
    const small = plan(config, [intent(104)], { 'db-storage': { value: 100 } }, none, at);
    expect(small.targets[0]!.steps.map((s) => [s.from, s.to])).toEqual([[100, 110]]);
    const big = plan(config, [intent(400)], { 'db-storage': { value: 100 } }, none, at);
    expect(big.targets[0]!.steps.map((s) => [s.from, s.to])).toEqual([[100, 400]]);
    const later = new Date('2026-11-27T20:00:00Z');
    const held = { targets: { 'db-storage': { original: 100, lastSet: 130 } }, approvals: {} };
    const release = plan(config, [intent(130)], { 'db-storage': { value: 130 } }, held, later);
    expect(release.targets[0]).toMatchObject({ decision: 'no-op', steps: [] });
    expect(release.targets[0]!.reasons.at(-1)).toBe(
      'stays at 130 (not 100): RDS cannot shrink allocated storage (a release keeps it)',
    );
  });

  it('a "storage > 70%" alarm grows the storage through the brain; a second alarm within 6 h waits', async () => {
    const clock = new ManualClock(T0);
    const rds = new FakeRds(clock).install();
    try {
      rds.addInstance({ id: 'kaireon-prod', allocatedGiB: 200, maxAllocatedGiB: 250 });
      const env = brainOverFakes(config, clock);
      // The documented CloudWatch Alarm State Change event, as the storage alarms.
      const alarm = (n: number, name: string) => {
        const event = structuredClone(ALARM_EVENT);
        event.id = `7e7a3e3c-0000-4000-8000-00000000000${n}`;
        event.time = clock.now().toISOString();
        event.detail.alarmName = name;
        event.detail.state.value = 'ALARM';
        const e = alarmFromEventBridge(event);
        return env.brain.handleSignal(e.signal, e.idempotencyKey);
      };
      await alarm(1, 'kaireon-db-storage-70');
      await env.run('2026-11-27T19:30:00Z');
      // raise 30 % of 200 -> 260; the ceiling follows to 26 % above it.
      expect(rds.instance('kaireon-prod')).toMatchObject({ allocatedGiB: 260, maxAllocatedGiB: 328 });
      const steps = await env.audit('db-storage', 'step-executed');
      expect(steps.map((e) => [e.before, e.after])).toEqual([
        [
          { allocatedStorageGiB: 200, maxAllocatedStorageGiB: 250 },
          { allocatedStorageGiB: 260, maxAllocatedStorageGiB: 328 },
        ],
      ]);
      // The 85 % alarm fires 90 minutes after the first change: the plan waits for the
      // optimisation, then for the 6 hours RDS requires.
      await alarm(2, 'kaireon-db-storage-85');
      const waiting = async () => {
        const t = (await env.brain.plan()).targets[0]!;
        expect(t.decision).toBe('wait');
        return t.reasons.join(' ');
      };
      expect(await waiting()).toMatch(/the last storage change is still being optimised/);
      await env.run('2026-11-27T21:00:00Z');
      expect(await waiting()).toMatch(/RDS allows the next change after 2026-11-28T00:00:00Z/);
      expect(rds.callsOf('ModifyDBInstance')).toHaveLength(1);
      await env.run('2026-11-28T00:10:00Z');
      expect(rds.callsOf('ModifyDBInstance').map((c) => c.input.AllocatedStorage)).toEqual([260, 338]);
      expect(await env.audit('db-storage', 'step-failed')).toEqual([]);
    } finally {
      rds.restore();
    }
  });
});

describe('Simulated cloud and backtest world: rds-storage keeps the 6 hours between changes', () => {
  const config = parseConfig(
    stringify({ version: 1, signals: { traffic: { source: 'sim' } }, targets: TARGET }),
  );
  const target = config.targets[0]!;
  const ctx = (now: number) => applyCtx(new ManualClock(new Date(now).toISOString()));

  it('the simulated cloud is busy for 6 h after a raise, then takes the next', async () => {
    const clock = new ManualClock(T0);
    const sim = new SimCloud(config, { clock });
    expect(await sim.actuator.apply(target, 130, ctx(clock.now().getTime()))).toMatchObject({
      status: 'applied',
    });
    clock.advance(HOUR);
    expect((await sim.actuator.read(target)).busy).toBe(
      'the last change was at 2026-11-27T18:00:00.000Z: the next is allowed from 2026-11-28T00:00:00.000Z',
    );
    expect(await sim.actuator.apply(target, 200, ctx(clock.now().getTime()))).toMatchObject({
      status: 'in-progress',
    });
    clock.set(Date.parse(T0) + 6 * HOUR);
    expect(await sim.actuator.apply(target, 200, ctx(clock.now().getTime()))).toMatchObject({
      status: 'applied',
    });
  });

  it('the backtest world answers in-progress within 6 h of its last change', async () => {
    const t0 = Date.parse(T0);
    const world = new World({
      config,
      settings: resolveSimSettings(config.backtest),
      signal: 'traffic',
      demand: () => 1,
      start: t0,
    });
    const clock = new ManualClock(T0);
    const actuator = worldActuators(world, clock)(target);
    expect(await actuator.apply(target, 130, ctx(t0))).toMatchObject({ status: 'applied' });
    clock.set(t0 + 5 * HOUR);
    expect((await actuator.read(target)).busy).toMatch(/until 2026-11-28T00:00:00/);
    expect(await actuator.apply(target, 200, ctx(t0 + 5 * HOUR))).toMatchObject({ status: 'in-progress' });
    clock.set(t0 + 6 * HOUR);
    expect(await actuator.apply(target, 200, ctx(t0 + 6 * HOUR))).toMatchObject({ status: 'applied' });
  });
});

describe('Brain: rds-storage grown from a forecast of used storage', () => {
  it('raises the allocated storage ahead of the forecast need, and never lowers it when the forecast falls', async () => {
    const config = parseConfig(
      stringify({
        version: 1,
        // Used GiB as a gauge (a value per step, taken as is): about 300 GiB at the daily peak.
        signals: { used: { source: 'sim', unit: 'perSecond', baseline: 300 } },
        targets: {
          'db-storage': {
            ...TARGET['db-storage'],
            baseline: 200,
            capacity: { signal: 'used', perUnit: 1, targetUtilization: 0.8 },
          },
        },
        predictive: [{ target: 'db-storage', signal: 'used', horizon: '2h', quantile: 0.9 }],
      }),
    );
    const clock = new ManualClock('2026-11-25T06:00:00Z');
    const sim = new SimCloud(config, { clock });
    const brain = new Brain({
      config,
      repo: new Repo(new MemoryStateStore()),
      actuators: sim.registry,
      clock,
      notifier: new MemoryNotifier(),
      demand: new ForecastDemandProvider({ metrics: sim.metrics }),
      predictive: predictiveIntents,
      owner: 'test',
    });
    const values: number[] = [];
    for (let t = clock.now().getTime(); t <= Date.parse('2026-11-26T06:00:00Z'); t += 10 * MIN) {
      clock.set(t);
      await brain.reconcile();
      values.push(sim.value('db-storage'));
    }
    const raises = sim.calls.filter((c) => c.target === 'db-storage');
    // Grown ahead of the peak to leave 20 % free (300 / 0.8 = 375 GiB), in steps of +10 % at
    // least, 6 h apart at the least, and never lowered.
    expect(raises.length).toBeGreaterThan(0);
    // Measured: 200 -> 220 at 08:30 (+10 %, the least RDS takes), 220 -> 369 at 14:30 (6 h
    // later), ready before the 16:00 peak of 300 GiB used (81 % of 369; the p90 forecast of the
    // peak is a little under the curve's 300).
    const readyAtPeak =
      values[(Date.parse('2026-11-25T16:00:00Z') - Date.parse('2026-11-25T06:00:00Z')) / (10 * MIN)]!;
    expect(readyAtPeak).toBeGreaterThanOrEqual(0.95 * (300 / 0.8));
    for (const c of raises) expect(c.to).toBeGreaterThanOrEqual(tenPercentMore(c.from));
    for (let i = 1; i < raises.length; i++)
      expect(raises[i]!.at - raises[i - 1]!.at).toBeGreaterThanOrEqual(6 * HOUR);
    expect(values.every((v, i) => i === 0 || v >= values[i - 1]!)).toBe(true);
  });
});
