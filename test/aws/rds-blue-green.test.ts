import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { worldActuators } from '../../shared/backtest/world/actuators.ts';
import { World } from '../../shared/backtest/world/world.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { resolveSimSettings } from '../../shared/config/sim-settings.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { brainOverFakes } from './brain-over-fakes.ts';
import { MIN } from './fake-base.ts';
import { FakeRds } from './fake-rds.ts';
import { BLUE_GREEN_DELAYS } from './fake-rds-blue-green.ts';
import { applyCtx, realActuator, T0 } from './helpers.ts';

const TIERS = ['db.r6g.large', 'db.r6g.xlarge', 'db.r6g.2xlarge'];
const TARGET = {
  db: {
    kind: 'rds-instance',
    identifier: 'kaireon-prod',
    region: 'eu-central-1',
    tiers: TIERS,
    method: 'blue-green',
  },
};
const START = '2026-11-27T21:00:00Z';
const withCampaign = (approved: boolean) =>
  parseConfig(
    stringify({
      version: 1,
      targets: TARGET,
      campaigns: [
        {
          name: 'launch',
          start: START,
          duration: '2h',
          multiplier: 4,
          targets: ['db'],
          floors: { db: 'db.r6g.2xlarge' },
          approved,
        },
      ],
    }),
  );

describe('Actuator: rds-instance with method blue-green', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  beforeEach(() => {
    clock = new ManualClock(T0);
    rds = new FakeRds(clock).install();
  });
  afterEach(() => rds.restore());

  it('creates the green in the new class, switches over only when approved, and leaves the old instance', async () => {
    // Single-AZ: the blue is never restarted, so creating the green needs no approval.
    rds.addInstance({ id: 'kaireon-prod', multiAZ: false });
    const { target, actuator, config } = realActuator(TARGET, 'db', clock);
    expect(config.targets[0]!.leadTimeSeconds).toBe(60 * 60);
    expect(await actuator.read(target)).toMatchObject({ value: 0 });
    expect((await actuator.read(target)).risk).toBeUndefined();

    const create = await actuator.apply(target, 2, applyCtx(clock));
    expect(create).toMatchObject({ status: 'in-progress' });
    expect(create.message).toMatch(
      /CreateBlueGreenDeployment headroom-kaireon-prod: green kaireon-prod in db.r6g.2xlarge provisioning/,
    );
    expect(rds.callsOf('CreateBlueGreenDeployment')[0]!.input).toMatchObject({
      BlueGreenDeploymentName: 'headroom-kaireon-prod',
      Source: 'arn:aws:rds:eu-central-1:123456789012:db:kaireon-prod',
      TargetDBInstanceClass: 'db.r6g.2xlarge',
    });
    const provisioning = await actuator.read(target);
    expect(provisioning).toMatchObject({ value: 0, ready: 0 });
    expect(provisioning.busy).toMatch(
      /green environment of headroom-kaireon-prod \(db.r6g.2xlarge\) is provisioning/,
    );
    // A second apply while it provisions creates nothing more.
    expect(await actuator.apply(target, 2, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    expect(rds.callsOf('CreateBlueGreenDeployment')).toHaveLength(1);

    clock.advance(BLUE_GREEN_DELAYS.greenCreate);
    const ready = await actuator.read(target);
    expect(ready.busy).toBeUndefined();
    expect(ready.risk).toMatch(/^Blue\/Green switchover: writes stop/);
    expect(await actuator.apply(target, 2, applyCtx(clock))).toMatchObject({ status: 'blocked' });
    expect(rds.callsOf('SwitchoverBlueGreenDeployment')).toEqual([]);

    const switched = await actuator.apply(target, 2, applyCtx(clock, { approved: true }));
    expect(switched).toMatchObject({
      status: 'applied',
      before: { instanceClass: 'db.r6g.large' },
      after: { instanceClass: 'db.r6g.2xlarge' },
    });
    expect((await actuator.read(target)).busy).toMatch(/switching over/);
    clock.advance(BLUE_GREEN_DELAYS.switchover);
    expect(await actuator.read(target)).toMatchObject({ value: 2, ready: 2 });
    expect(rds.instance('kaireon-prod')).toMatchObject({
      instanceClass: 'db.r6g.2xlarge',
      status: 'available',
    });
    expect(rds.instance('kaireon-prod-old1')).toMatchObject({ instanceClass: 'db.r6g.large' });

    // The way back deletes the completed deployment first, then starts a new green.
    expect(await actuator.apply(target, 0, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    expect(rds.callsOf('DeleteBlueGreenDeployment')[0]!.input).not.toHaveProperty('DeleteTarget');
    clock.advance(BLUE_GREEN_DELAYS.delete);
    expect(await actuator.apply(target, 0, applyCtx(clock))).toMatchObject({ status: 'in-progress' });
    expect(rds.callsOf('CreateBlueGreenDeployment').at(-1)!.input.TargetDBInstanceClass).toBe('db.r6g.large');
  });

  it('a green in another class blocks with the command that clears it', async () => {
    rds.addInstance({ id: 'kaireon-prod' });
    const { target, actuator } = realActuator(TARGET, 'db', clock);
    await actuator.apply(target, 1, applyCtx(clock));
    clock.advance(BLUE_GREEN_DELAYS.greenCreate);
    const other = await actuator.apply(target, 2, applyCtx(clock, { approved: true }));
    expect(other).toMatchObject({ status: 'blocked' });
    expect(other.message).toMatch(/has a green environment in db.r6g.xlarge, not db.r6g.2xlarge: delete it/);
    expect(rds.callsOf('SwitchoverBlueGreenDeployment')).toEqual([]);
  });
});

describe('Brain: a campaign changes the class through Blue/Green ahead of its start', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  beforeEach(() => {
    clock = new ManualClock('2026-11-27T19:00:00Z');
    rds = new FakeRds(clock).install();
    rds.addInstance({ id: 'kaireon-prod' });
  });
  afterEach(() => rds.restore());

  it('approved campaign: green created one lead time ahead, switched over before the start', async () => {
    const env = brainOverFakes(withCampaign(true), clock);
    const atStart: string[] = [];
    await env.run(START, (t) => {
      if (t === Date.parse(START)) atStart.push(rds.instance('kaireon-prod')!.instanceClass);
    });
    const create = rds.callsOf('CreateBlueGreenDeployment');
    const switchover = rds.callsOf('SwitchoverBlueGreenDeployment');
    expect(create).toHaveLength(1);
    expect(create[0]!.at).toBeLessThanOrEqual(Date.parse(START) - 60 * MIN);
    expect(switchover).toHaveLength(1);
    expect(switchover[0]!.at).toBeLessThan(Date.parse(START) - 10 * MIN);
    expect(atStart).toEqual(['db.r6g.2xlarge']);
    const steps = await env.audit('db', 'step-executed');
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({
      before: { instanceClass: 'db.r6g.large' },
      after: { instanceClass: 'db.r6g.2xlarge', blueGreen: expect.stringMatching(/^bgd-/) },
      reason: expect.stringContaining('campaign launch'),
    });
    // The green's creation is audited when it starts (66 min ahead: lead time and margin), with what it will become.
    const started = await env.audit('db', 'step-started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      at: '2026-11-27T19:54:00Z',
      before: { instanceClass: 'db.r6g.large' },
      after: {
        blueGreen: { name: 'headroom-kaireon-prod', green: 'db.r6g.2xlarge', status: 'PROVISIONING' },
      },
      reason: expect.stringMatching(/campaign launch .*: CreateBlueGreenDeployment headroom-kaireon-prod/),
    });
    expect(await env.audit('db', 'step-failed')).toEqual([]);
  });

  it('without approval the plan asks for one once green is ready; the approval switches over', async () => {
    const env = brainOverFakes(withCampaign(false), clock);
    await env.run('2026-11-27T20:30:00Z');
    expect(rds.callsOf('CreateBlueGreenDeployment')).toHaveLength(1);
    expect(rds.callsOf('SwitchoverBlueGreenDeployment')).toEqual([]);
    const p = (await env.brain.plan()).targets[0]!;
    expect(p.decision).toBe('needs-approval');
    expect(p.reasons.join(' ')).toMatch(/needs approval: Blue\/Green switchover/);
    await env.brain.decide(p.steps[0]!.id, 'approved', 'U024BE7LH');
    await env.run(START);
    expect(rds.callsOf('SwitchoverBlueGreenDeployment')).toHaveLength(1);
    expect(rds.instance('kaireon-prod')!.instanceClass).toBe('db.r6g.2xlarge');
  });

  it('the backtest world asks for the approval of every blue-green change too', async () => {
    const config = withCampaign(false);
    const world = new World({
      config,
      settings: resolveSimSettings(config.backtest),
      signal: 'none',
      demand: () => 0,
      start: clock.now().getTime(),
    });
    const target = config.targets[0]!;
    const actuator = worldActuators(world, clock)(target);
    expect((await actuator.read(target)).risk).toMatch(/Blue\/Green switchover/);
    expect(await actuator.apply(target, 2, applyCtx(clock))).toMatchObject({ status: 'blocked' });
    expect(await actuator.apply(target, 2, applyCtx(clock, { approved: true }))).toMatchObject({
      status: 'applied',
    });
    // Ready after the blue-green lead time (60 min), not the in-place 30.
    clock.advance(59 * MIN);
    expect((await actuator.read(target)).ready).toBe(0);
    clock.advance(MIN);
    expect((await actuator.read(target)).ready).toBe(2);
  });

  it('the simulated cloud asks for the approval of every blue-green change', async () => {
    const config = withCampaign(false);
    const sim = new SimCloud(config, { clock });
    const target = config.targets[0]!;
    expect((await sim.actuator.read(target)).risk).toMatch(/Blue\/Green switchover/);
    expect(await sim.actuator.apply(target, 2, applyCtx(clock))).toMatchObject({ status: 'blocked' });
    expect(await sim.actuator.apply(target, 2, applyCtx(clock, { approved: true }))).toMatchObject({
      status: 'applied',
    });
  });
});
