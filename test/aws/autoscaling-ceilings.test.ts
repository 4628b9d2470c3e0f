import {
  AutoScalingClient,
  DeleteTagsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { AutoScalingApi } from '../../shared/adapters/aws/clients.ts';
import { Ec2AutoScalingGroupActuator } from '../../shared/adapters/aws/ec2-autoscaling-group.ts';
import { awsActuators } from '../../shared/app/actuators.ts';
import { Brain } from '../../shared/app/brain.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { ActuatorRegistry } from '../../shared/ports/actuator.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import type { StateStore } from '../../shared/ports/state.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';
import { FakeAutoScaling } from './fake-autoscaling.ts';

/**
 * A staging Auto Scaling group at 0 from 20:00 to 08:00 Berlin time, through the planner and
 * the executor, on the real Auto Scaling client against the Query-protocol fake. Monday
 * 7 December 2026: Berlin is UTC+1, so 20:00 is 19:00Z and 08:00 is 07:00Z.
 */
const GROUP = 'staging-web';
const config = parseConfig(
  stringify({
    version: 1,
    timezone: 'Europe/Berlin',
    targets: {
      staging: {
        kind: 'ec2-autoscaling-group',
        autoScalingGroupName: GROUP,
        region: 'eu-central-1',
        instanceWarmup: '3m',
        bounds: { min: 1, max: 20 },
      },
    },
    schedules: [
      { name: 'staging-night', targets: ['staging'], ceiling: 0, cron: '0 20 * * 1-5', duration: '12h' },
    ],
  }),
);

let aws: FakeAutoScaling;
let clock: ManualClock;
const saved = { ...process.env };
beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
});
afterAll(() => {
  process.env = saved;
});
beforeEach(async () => {
  clock = new ManualClock('2026-12-07T18:58:00Z');
  aws = await FakeAutoScaling.start(clock);
  process.env.AWS_ENDPOINT_URL_AUTO_SCALING = aws.url;
  aws.addGroup(GROUP, { min: 2, max: 20, desired: 3 }, { defaultInstanceWarmup: 180 });
});
afterEach(() => aws.close());

const sizes = () => {
  const g = aws.group(GROUP);
  return { min: g.min, max: g.max, desired: g.desired };
};
const replacedTag = () => {
  const v = aws.group(GROUP).tags.get('headroom:replaced')?.Value;
  return v === undefined ? undefined : JSON.parse(v);
};

function brainOn(
  store: StateStore,
  actuators: ActuatorRegistry = awsActuators(config, clock),
  owner = 'test',
) {
  return new Brain({
    config,
    repo: new Repo(store),
    actuators,
    clock,
    notifier: new MemoryNotifier(),
    owner,
  });
}

/** Reconciles every minute from now to `until` (ISO). */
async function run(brain: Brain, until: string) {
  for (let t = clock.now().getTime(); t <= Date.parse(until); t += 60_000) {
    clock.set(t);
    await brain.reconcile();
  }
}

/**
 * A brain whose process dies when its actuator sends `command` for the first time: the call
 * never returns, nothing after it runs (the calls before it reached Auto Scaling).
 */
function dyingOn(store: StateStore, command: abstract new (...args: never[]) => unknown) {
  let dead = false;
  let signal!: () => void;
  const death = new Promise<void>((r) => (signal = r));
  const real = new AutoScalingClient({ region: 'eu-central-1' });
  const api: AutoScalingApi = {
    send: ((cmd: unknown) => {
      if (!dead && cmd instanceof command) {
        dead = true;
        signal();
        return new Promise<never>(() => {});
      }
      return real.send(cmd as never);
    }) as AutoScalingApi['send'],
  };
  const actuator = new Ec2AutoScalingGroupActuator({ autoscaling: api });
  const brain = brainOn(store, () => actuator as never, 'dying');
  return { reconcile: () => Promise.race([brain.reconcile(), death]), died: () => dead };
}

describe('Ceilings: an EC2 Auto Scaling group at night', () => {
  it('takes the group to 0 at 20:00 and puts MaxSize, MinSize and DesiredCapacity back by 08:00', async () => {
    const store = new MemoryStateStore();
    const brain = brainOn(store);
    await run(brain, '2026-12-07T18:59:00Z');
    expect(sizes()).toEqual({ min: 2, max: 20, desired: 3 });

    await run(brain, '2026-12-07T19:03:00Z');
    expect(sizes()).toEqual({ min: 0, max: 0, desired: 0 });
    expect(aws.group(GROUP).instances).toEqual([]);
    expect(replacedTag()).toEqual({ maxSize: { from: 20, to: 0 }, desiredCapacity: { from: 3, to: 0 } });
    expect(aws.group(GROUP).tags.get('headroom:replaced')?.PropagateAtLaunch).toBe(false);
    const night = (await brain.plan(new Date('2026-12-08T01:00:00Z'))).targets[0]!;
    expect(night.decision).toBe('no-op');
    // Back by 08:00: lifted a launch, the warmup and the margin early (2 + 3 + 1 minutes).
    expect(night.reasons.join(' ')).toContain('ceiling 0 until 2026-12-08T06:54:00Z');

    clock.set('2026-12-08T06:50:00Z');
    await run(brain, '2026-12-08T07:00:00Z');
    expect(sizes()).toEqual({ min: 2, max: 20, desired: 3 });
    expect(aws.group(GROUP).instances.filter((i) => i.LifecycleState === 'InService')).toHaveLength(3);
    expect(replacedTag()).toBeUndefined();

    const steps = (await brain.audit()).filter((e) => e.action === 'step-executed').reverse();
    expect(steps.map((e) => [e.at, e.before, e.after])).toEqual([
      [
        '2026-12-07T19:00:00Z',
        { minSize: 2, desiredCapacity: 3, maxSize: 20 },
        { minSize: 0, desiredCapacity: 0, maxSize: 0 },
      ],
      [
        '2026-12-08T06:54:00Z',
        { minSize: 0, desiredCapacity: 0, maxSize: 0 },
        { minSize: 2, desiredCapacity: 3, maxSize: 20 },
      ],
    ]);
    expect(steps[0]!.reason).toContain('schedule staging-night');
    const state = await new Repo(store).plannerState(clock.now());
    expect(state.targets.staging?.original).toBeUndefined();
    expect(state.targets.staging?.ceiling).toBeUndefined();
  });

  it('reverts exactly when the process dies between the tag and UpdateAutoScalingGroup', async () => {
    const store = new MemoryStateStore();
    clock.set('2026-12-07T19:00:00Z');
    const first = dyingOn(store, UpdateAutoScalingGroupCommand);
    await first.reconcile();
    expect(first.died()).toBe(true);
    // The record is written, the sizes are not: the record is not in force.
    expect(replacedTag()).toEqual({ maxSize: { from: 20, to: 0 }, desiredCapacity: { from: 3, to: 0 } });
    expect(sizes()).toEqual({ min: 2, max: 20, desired: 3 });
    aws.group(GROUP).max = 25; // someone raises MaxSize before Headroom retries: that value comes back

    clock.advance(5 * 60_000); // the dead process's lease expires
    const second = brainOn(store);
    await second.reconcile();
    expect(sizes()).toEqual({ min: 0, max: 0, desired: 0 });
    expect(replacedTag().maxSize).toEqual({ from: 25, to: 0 });
    await run(second, '2026-12-07T19:10:00Z');
    clock.set('2026-12-08T06:54:00Z');
    await second.reconcile();
    expect(sizes()).toEqual({ min: 2, max: 25, desired: 3 });
    expect(replacedTag()).toBeUndefined();
    const state = await new Repo(store).plannerState(clock.now());
    expect(state.targets.staging?.pending).toBeUndefined();
    expect(state.targets.staging?.original).toBeUndefined();
  });

  it('a process dying between the lift and the tag removal leaves the sizes restored; the stale tag is ignored', async () => {
    const store = new MemoryStateStore();
    clock.set('2026-12-07T19:00:00Z');
    await brainOn(store).reconcile();
    await run(brainOn(store), '2026-12-07T19:05:00Z');
    clock.set('2026-12-08T06:54:00Z');
    const first = dyingOn(store, DeleteTagsCommand);
    await first.reconcile();
    expect(first.died()).toBe(true);
    expect(sizes()).toEqual({ min: 2, max: 20, desired: 3 });

    clock.advance(5 * 60_000);
    const second = brainOn(store);
    await second.reconcile();
    const state = await new Repo(store).plannerState(clock.now());
    expect(state.targets.staging?.pending).toBeUndefined();
    expect(state.targets.staging?.ceiling).toBeUndefined();
    const plan = (await second.plan()).targets[0]!;
    expect(plan.decision).toBe('no-op');

    // The next night records the group as it is then, not the stale tag's values.
    aws.group(GROUP).max = 12;
    clock.set('2026-12-08T19:00:00Z');
    await second.reconcile();
    expect(sizes()).toEqual({ min: 0, max: 0, desired: 0 });
    expect(replacedTag().maxSize).toEqual({ from: 12, to: 0 });
  });

  it('suspended processes still block the group: a ceiling changes nothing while they hold', async () => {
    aws.group(GROUP).suspended = [
      { ProcessName: 'AlterDesiredCapacity', SuspensionReason: 'User suspended' },
    ];
    clock.set('2026-12-07T19:00:00Z');
    const brain = brainOn(new MemoryStateStore());
    await brain.reconcile();
    expect(sizes()).toEqual({ min: 2, max: 20, desired: 3 });
    expect(replacedTag()).toBeUndefined();
    const plan = (await brain.plan()).targets[0]!;
    expect(plan.decision).toBe('blocked');
    expect(plan.reasons.join(' ')).toContain('suspended processes on staging-web: AlterDesiredCapacity');

    aws.group(GROUP).suspended = [];
    await brain.reconcile();
    expect(sizes()).toEqual({ min: 0, max: 0, desired: 0 });
  });

  it('waits for a scaling activity under way, then applies the ceiling', async () => {
    clock.set('2026-12-07T18:59:00Z');
    aws.setDesired(GROUP, 5, 'target tracking: alarm high'); // launching, then 3 min warmup
    const brain = brainOn(new MemoryStateStore());
    clock.set('2026-12-07T19:00:00Z');
    await brain.reconcile();
    expect(sizes()).toEqual({ min: 2, max: 20, desired: 5 });
    expect((await brain.plan()).targets[0]!.decision).toBe('wait');
    await run(brain, '2026-12-07T19:05:00Z'); // the activity is Successful at 19:04
    expect(sizes()).toEqual({ min: 0, max: 0, desired: 0 });
    expect(replacedTag()).toEqual({ maxSize: { from: 20, to: 0 }, desiredCapacity: { from: 5, to: 0 } });
  });
});
