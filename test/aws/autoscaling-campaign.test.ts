import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { awsActuators } from '../../shared/app/actuators.ts';
import { Brain } from '../../shared/app/brain.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { AuditEntry } from '../../shared/domain/types.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { CurveDemandProvider } from '../../shared/sim/demand.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';
import { FakeAutoScaling } from './fake-autoscaling.ts';

const START = Date.parse('2026-11-27T20:00:00Z');

/** Image workers on an Auto Scaling group, a TV ad at 20:00 that needs 30 of them. */
const config = parseConfig(
  stringify({
    version: 1,
    signals: { traffic: { source: 'sim' } },
    targets: {
      workers: {
        kind: 'ec2-autoscaling-group',
        autoScalingGroupName: 'image-workers',
        region: 'eu-central-1',
        instanceWarmup: '3m',
        warmPool: { minSize: 10 },
        bounds: { min: 2, max: 40 },
        maxStepPercent: 1000,
      },
    },
    campaigns: [
      {
        name: 'tv-ad',
        start: new Date(START).toISOString(),
        duration: '1h',
        multiplier: 15,
        targets: ['workers'],
        floors: { workers: 30 },
      },
    ],
  }),
);

describe('Function: a campaign through the ec2-autoscaling-group actuator', () => {
  let aws: FakeAutoScaling;
  const saved = { ...process.env };
  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  });
  afterAll(() => {
    process.env = saved;
  });
  afterEach(() => aws.close());

  it('raises MinSize ahead by the group warmup, holds it through the ad, and restores group and warm pool', async () => {
    const clock = new ManualClock(START - 30 * 60_000);
    aws = await FakeAutoScaling.start(clock);
    process.env.AWS_ENDPOINT_URL_AUTO_SCALING = aws.url;
    aws.addGroup('image-workers', { min: 2, max: 40, desired: 3 }, { defaultInstanceWarmup: 180 });
    const repo = new Repo(new MemoryStateStore());
    const brain = new Brain({
      config,
      repo,
      actuators: awsActuators(config, clock),
      clock,
      notifier: new MemoryNotifier(),
      demand: new CurveDemandProvider(new SimCloud(config, { clock })),
      owner: 'test',
    });
    expect(config.targets[0]).toMatchObject({ leadTimeSeconds: 300, marginSeconds: 60 });
    let readyAt: number | undefined;
    let raisedAt: number | undefined;
    for (let t = clock.now().getTime(); t <= START + 90 * 60_000; t += 60_000) {
      clock.set(t);
      await brain.reconcile();
      const g = aws.group('image-workers');
      if (raisedAt === undefined && g.min === 30) raisedAt = t;
      const serving = g.instances.filter((i) => i.LifecycleState === 'InService').length;
      if (readyAt === undefined && serving >= 30) readyAt = t;
    }
    // Issued lead time + margin before the start, serving before the ad begins.
    expect(raisedAt).toBeLessThanOrEqual(START - 6 * 60_000);
    expect(readyAt).toBeLessThan(START);
    const g = aws.group('image-workers');
    expect(g).toMatchObject({ min: 2, desired: 3, max: 40 });
    expect(g.warmPool).toBeUndefined();
    const steps = (await repo.store.listAudit())
      .reverse()
      .filter((e: AuditEntry) => e.target === 'workers' && e.action === 'step-executed');
    type Sizes = { minSize?: number; desiredCapacity?: number };
    const moves = steps.map((e) => {
      const [b, a] = [e.before as Sizes, e.after as Sizes];
      return [b.minSize, a.minSize, a.desiredCapacity];
    });
    // Up in the planner's stages to 30 (desired follows), down to the MinSize and desired it found.
    expect(moves[0]![0]).toBe(2);
    expect(moves.find((m) => m[1] === 30)).toEqual([expect.any(Number), 30, 30]);
    expect(moves.at(-1)).toEqual([expect.any(Number), 2, 3]);
    expect(steps[0]!.reason).toMatch(/campaign tv-ad x15/);
    // MaxSize was never part of a change.
    expect(aws.callsOf('UpdateAutoScalingGroup').every((c) => c.input.MaxSize === undefined)).toBe(true);
  });
});
