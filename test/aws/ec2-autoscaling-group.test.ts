import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Target } from '../../shared/domain/types.ts';
import type { Actuator } from '../../shared/ports/actuator.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { FakeAutoScaling, LAUNCH_MS, QueryError } from './fake-autoscaling.ts';
import { MIN } from './fake-base.ts';
import { applyCtx, realActuator, rejection, T0 } from './helpers.ts';

/**
 * The `ec2-autoscaling-group` actuator as the registry builds it (the real Auto Scaling client:
 * Query protocol, XML, adaptive retry) against a stateful fake on a local endpoint.
 */
let aws: FakeAutoScaling;
let clock: ManualClock;
let target: Target;
let actuator: Actuator;
const saved = { ...process.env };

const spec = (over: Record<string, unknown> = {}) => ({
  workers: {
    kind: 'ec2-autoscaling-group',
    autoScalingGroupName: 'image-workers',
    region: 'eu-central-1',
    bounds: { min: 2, max: 40 },
    ...over,
  },
});

function build(over: Record<string, unknown> = {}) {
  ({ target, actuator } = realActuator(spec(over), 'workers', clock));
}

beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
});
afterAll(() => {
  process.env = saved;
});
beforeEach(async () => {
  clock = new ManualClock(T0);
  aws = await FakeAutoScaling.start(clock);
  process.env.AWS_ENDPOINT_URL_AUTO_SCALING = aws.url;
  aws.addGroup('image-workers', { min: 2, max: 20, desired: 3 }, { defaultInstanceWarmup: 180 });
  build();
});
afterEach(() => aws.close());

const updates = () => aws.callsOf('UpdateAutoScalingGroup').map((c) => c.input);

describe('Actuator: ec2-autoscaling-group', () => {
  it('reads MinSize as the floor, with desired, max, serving instances and the group warmup', async () => {
    const a = await actuator.read(target);
    expect(a).toMatchObject({
      value: 2,
      ready: 2,
      details: {
        minSize: 2,
        desiredCapacity: 3,
        maxSize: 20,
        inService: 3,
        instanceWarmupSeconds: 180,
        instanceWarmupFrom: 'DefaultInstanceWarmup',
      },
    });
    expect(a.busy).toBeUndefined();
    expect(a.blocked).toBeUndefined();
  });

  it('raises MinSize and DesiredCapacity, is busy while instances launch and warm up, then ready', async () => {
    const r = await actuator.apply(target, 12, applyCtx(clock));
    expect(r).toMatchObject({
      status: 'applied',
      before: { minSize: 2, desiredCapacity: 3, maxSize: 20 },
      after: { minSize: 12, desiredCapacity: 12, maxSize: 20 },
      remember: { minSize: 2, desiredCapacity: 3 },
    });
    expect(updates()).toEqual([
      expect.objectContaining({
        AutoScalingGroupName: 'image-workers',
        MinSize: '12',
        DesiredCapacity: '12',
      }),
    ]);
    const launching = await actuator.read(target);
    expect(launching).toMatchObject({ value: 12, ready: 3 });
    expect(launching.busy).toMatch(/^scaling activity InProgress: Launching 9 new EC2 instance/);
    clock.advance(LAUNCH_MS);
    const warming = await actuator.read(target);
    expect(warming.ready).toBe(12);
    expect(warming.busy).toMatch(/WaitingForInstanceWarmup/);
    clock.advance(3 * MIN);
    expect((await actuator.read(target)).busy).toBeUndefined();
  });

  it('keeps a DesiredCapacity the scaling policy set above the new floor', async () => {
    aws.setDesired('image-workers', 15, 'target tracking: CPU above 60%');
    clock.advance(10 * MIN);
    const r = await actuator.apply(target, 8, applyCtx(clock));
    expect(r.after).toMatchObject({ minSize: 8, desiredCapacity: 15 });
    expect(updates()[0]).not.toHaveProperty('DesiredCapacity');
  });

  it('reverts: MinSize goes back and DesiredCapacity with it while the floor held it', async () => {
    await actuator.apply(target, 12, applyCtx(clock));
    clock.advance(10 * MIN);
    const r = await actuator.apply(
      target,
      2,
      applyCtx(clock, { remembered: { minSize: 2, desiredCapacity: 3 }, stepId: 'down' }),
    );
    expect(r).toMatchObject({
      status: 'applied',
      before: { minSize: 12, desiredCapacity: 12 },
      after: { minSize: 2, desiredCapacity: 3 },
      forget: ['minSize', 'desiredCapacity'],
    });
    clock.advance(10 * MIN);
    expect(aws.group('image-workers')).toMatchObject({ min: 2, desired: 3 });
  });

  it('leaves DesiredCapacity to the scaling policy on a revert when it asks for more than the floor', async () => {
    await actuator.apply(target, 12, applyCtx(clock));
    clock.advance(10 * MIN);
    aws.setDesired('image-workers', 18, 'target tracking: CPU above 60%');
    clock.advance(10 * MIN);
    const r = await actuator.apply(
      target,
      2,
      applyCtx(clock, { remembered: { minSize: 2, desiredCapacity: 3 } }),
    );
    expect(r.after).toMatchObject({ minSize: 2, desiredCapacity: 18 });
  });

  it('never raises MaxSize: a floor above it is clamped with the reason, then refused', async () => {
    const r = await actuator.apply(target, 30, applyCtx(clock));
    expect(r.status).toBe('applied');
    expect(r.after).toMatchObject({ minSize: 20, desiredCapacity: 20, maxSize: 20 });
    expect(r.message).toBe("clamped to the group's MaxSize 20 (asked 30; Headroom never raises MaxSize)");
    clock.advance(10 * MIN);
    const again = await actuator.apply(target, 30, applyCtx(clock));
    expect(again.status).toBe('blocked');
    expect(again.message).toBe(
      "MinSize 20 is already the group's MaxSize 20: Headroom never raises MaxSize (raise it on image-workers or lower bounds.max to 20)",
    );
    expect(updates()).toHaveLength(1);
    expect(updates()[0]).not.toHaveProperty('MaxSize');
  });

  it('is blocked, and changes nothing, while Launch or AlterDesiredCapacity is suspended', async () => {
    aws.group('image-workers').suspended.push({
      ProcessName: 'Launch',
      SuspensionReason: 'User suspended at 2026-11-27T17:00:00Z',
    });
    const a = await actuator.read(target);
    expect(a.blocked).toBe(
      'suspended processes on image-workers: Launch (User suspended at 2026-11-27T17:00:00Z); Headroom changes the group once they are resumed (aws autoscaling resume-processes)',
    );
    const r = await actuator.apply(target, 12, applyCtx(clock));
    expect(r).toMatchObject({ status: 'blocked', message: a.blocked });
    expect(aws.changes()).toEqual([]);
  });

  it('ignores suspended processes that do not stop a raise (AZRebalance)', async () => {
    aws
      .group('image-workers')
      .suspended.push({ ProcessName: 'AZRebalance', SuspensionReason: 'User suspended' });
    expect((await actuator.read(target)).blocked).toBeUndefined();
    expect((await actuator.apply(target, 5, applyCtx(clock))).status).toBe('applied');
  });

  it('waits while an instance refresh runs, then applies', async () => {
    aws.startRefresh('image-workers', 20 * MIN);
    const a = await actuator.read(target);
    expect(a.busy).toMatch(/^instance refresh [0-9a-f-]+ InProgress \(0% done\)$/);
    const r = await actuator.apply(target, 12, applyCtx(clock));
    expect(r.status).toBe('in-progress');
    expect(aws.changes()).toEqual([]);
    clock.advance(20 * MIN);
    expect((await actuator.apply(target, 12, applyCtx(clock))).status).toBe('applied');
  });

  it('reads ScalingActivityInProgress from a race as in progress, not as a failure', async () => {
    aws.beforeNext('UpdateAutoScalingGroup', () => aws.setDesired('image-workers', 6, 'target tracking'));
    const r = await actuator.apply(target, 12, applyCtx(clock));
    expect(r.status).toBe('in-progress');
    expect(r.message).toMatch(/UpdateAutoScalingGroup image-workers: ScalingActivityInProgress/);
    expect(aws.group('image-workers').min).toBe(2);
  });

  it('retries throttling in the SDK (adaptive mode) and reads the answer', async () => {
    aws.throttle(1, 'DescribeAutoScalingGroups');
    expect((await actuator.read(target)).value).toBe(2);
    expect(aws.callsOf('DescribeAutoScalingGroups')).toHaveLength(2);
  });

  it('maps a validation error (MinSize above MaxSize) to a refusal naming the call, nothing retried', async () => {
    // Someone lowered MaxSize below the floor between the read and the update.
    aws.beforeNext('UpdateAutoScalingGroup', () => {
      aws.groups.get('image-workers')!.max = 4;
    });
    const err = await rejection(actuator.apply(target, 12, applyCtx(clock)));
    expect(err.code).toBe('invalid-request');
    expect(err.message).toBe(
      'UpdateAutoScalingGroup image-workers: ValidationError: Max bound, 4, must be greater than or equal to min bound, 12',
    );
    expect(updates()).toHaveLength(1);
  });

  it('names a group that does not exist', async () => {
    aws.groups.clear();
    const err = await rejection(actuator.read(target));
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/^DescribeAutoScalingGroups image-workers: no such Auto Scaling group/);
  });

  it('sizes the warm pool for the event on the first raise and restores the one it found', async () => {
    aws.group('image-workers').warmPool = {
      MinSize: 1,
      MaxGroupPreparedCapacity: 10,
      PoolState: 'Hibernated',
    };
    build({ warmPool: { minSize: 10, maxGroupPreparedCapacity: 40 } });
    const up = await actuator.apply(target, 12, applyCtx(clock));
    expect(up).toMatchObject({
      status: 'applied',
      after: { minSize: 12, warmPool: 'MinSize 10, MaxGroupPreparedCapacity 40' },
      remember: { minSize: 2, desiredCapacity: 3, warmPool: { MinSize: 1, MaxGroupPreparedCapacity: 10 } },
    });
    expect(aws.group('image-workers').warmPool).toEqual({
      MinSize: 10,
      MaxGroupPreparedCapacity: 40,
      PoolState: 'Hibernated',
    });
    clock.advance(10 * MIN);
    const down = await actuator.apply(target, 2, applyCtx(clock, { remembered: up.remember! }));
    expect(down.forget).toEqual(['minSize', 'desiredCapacity', 'warmPool']);
    expect(down.message).toBe('warm pool restored (MinSize 1, MaxGroupPreparedCapacity 10)');
    expect(aws.group('image-workers').warmPool).toEqual({
      MinSize: 1,
      MaxGroupPreparedCapacity: 10,
      PoolState: 'Hibernated',
    });
  });

  it('deletes a warm pool it created once the event is over; a refused pool never stops the floor', async () => {
    build({ warmPool: { minSize: 5 } });
    const up = await actuator.apply(target, 12, applyCtx(clock));
    expect(up.remember).toMatchObject({ warmPool: 'none' });
    clock.advance(10 * MIN);
    await actuator.apply(target, 2, applyCtx(clock, { remembered: up.remember! }));
    expect(aws.group('image-workers').warmPool).toBeUndefined();
    expect(aws.callsOf('DeleteWarmPool')).toHaveLength(1);

    clock.advance(10 * MIN);
    aws.failNext(
      'PutWarmPool',
      () => new QueryError('ValidationError', 'The instance type is not supported in a warm pool'),
    );
    const again = await actuator.apply(target, 6, applyCtx(clock));
    expect(again.status).toBe('applied');
    expect(again.message).toMatch(/^warm pool not sized: PutWarmPool image-workers: /);
    expect(again.remember).not.toHaveProperty('warmPool');
  });
});
