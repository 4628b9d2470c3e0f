import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runBacktest } from '../../shared/backtest/run.ts';
import { parseTrace } from '../../shared/backtest/trace.ts';
import { worldActuators } from '../../shared/backtest/world/actuators.ts';
import { World } from '../../shared/backtest/world/world.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { resolveSimSettings } from '../../shared/config/sim-settings.ts';
import type { ConfigError } from '../../shared/domain/errors.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { simBrain } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
const START = Date.parse('2026-11-27T20:00:00Z');
const workers = (over: Record<string, unknown> = {}) => ({
  kind: 'ec2-autoscaling-group',
  autoScalingGroupName: 'image-workers',
  region: 'eu-central-1',
  bounds: { min: 2, max: 40 },
  ...over,
});
const doc = (over: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  version: 1,
  signals: { traffic: { source: 'sim' } },
  targets: { workers: workers(over) },
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
  ...extra,
});
const configOf = (over: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  parseConfig(stringify(doc(over, extra)));

function problems(over: Record<string, unknown>): string[] {
  try {
    configOf(over);
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
}

const ctx = (t: number) => ({
  stepId: 's',
  reason: 'test',
  now: new Date(t),
  remembered: {},
  approved: false,
  campaignActive: false,
});

describe('Kind: ec2-autoscaling-group', () => {
  it('validates, with a lead time of launch plus the group warmup it is told (else the console default)', () => {
    expect(configOf().targets[0]).toMatchObject({
      kind: 'ec2-autoscaling-group',
      field: 'minSize',
      leadTimeSeconds: 420,
    });
    expect(configOf({ instanceWarmup: '3m' }).targets[0]!.leadTimeSeconds).toBe(300);
    expect(configOf({ instanceWarmup: '3m', leadTime: '90s' }).targets[0]!.leadTimeSeconds).toBe(90);
  });

  it('refuses bad input naming the config path', () => {
    expect(problems({ warmPool: {} })).toEqual([
      'targets.workers.warmPool: give minSize, maxGroupPreparedCapacity or both',
    ]);
    expect(problems({ warmPool: { minSize: 10, maxGroupPreparedCapacity: 5 } })).toEqual([
      'targets.workers.warmPool: minSize must not exceed maxGroupPreparedCapacity',
    ]);
    expect(problems({ autoScalingGroupName: 'image workers*' })).toEqual([
      expect.stringMatching(/^targets\.workers\.autoScalingGroupName: /),
    ]);
    expect(problems({ bounds: { min: 50, max: 40 } })).toEqual([
      'targets.workers.bounds: min must not exceed max',
    ]);
    expect(problems({ maxSize: 60 })).toEqual([expect.stringMatching(/^targets\.workers: .*maxSize/)]);
  });

  it('is raised ahead of a campaign on the simulated cloud, staged as an exclusive kind, and reverted', async () => {
    const env = simBrain({
      config: configOf({ instanceWarmup: '3m' }),
      at: new Date(START - 30 * 60_000).toISOString(),
    });
    let raised: number | undefined;
    let ready: number | undefined;
    for (let t = START - 30 * 60_000; t <= START + 90 * 60_000; t += 60_000) {
      env.clock.set(t);
      await env.brain.reconcile();
      if (raised === undefined && env.sim.value('workers') === 30) raised = t;
      if (ready === undefined && env.sim.ready('workers') === 30) ready = t;
    }
    expect(ready).toBeLessThanOrEqual(START);
    expect(START - raised!).toBeGreaterThanOrEqual(360_000);
    expect(env.sim.value('workers')).toBe(2);
    // Each step waited for the previous one to be ready (an exclusive kind, like UpdateAutoScalingGroup refusing during a scaling activity).
    const ups = env.sim.calls.filter((c) => c.target === 'workers' && c.to > c.from);
    for (let i = 1; i < ups.length; i++) expect(ups[i]!.at - ups[i - 1]!.at).toBeGreaterThanOrEqual(300_000);
  });

  it('plans from the command line on the simulated cloud', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-asg-'));
    const file = path.join(dir, 'headroom.yaml');
    writeFileSync(file, stringify(doc({ instanceWarmup: '3m' })));
    const r = spawnSync(
      process.execPath,
      [BIN, 'plan', '--config', file, '--at', new Date(START - 10 * 60_000).toISOString(), '--json'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, HEADROOM_CONFIG: '' },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const target = (
      JSON.parse(r.stdout) as {
        targets: { id: string; kind: string; actual: number; decision: string; steps: { set: unknown }[] }[];
      }
    ).targets[0]!;
    expect(target).toMatchObject({
      id: 'workers',
      kind: 'ec2-autoscaling-group',
      actual: 2,
      decision: 'scale-up',
    });
    expect(target.steps.at(-1)!.set).toEqual({ minSize: 30 });
  });

  it('is an AWS resource in the backtest world, ready after launch plus the group warmup or backtest.leadTimes', async () => {
    for (const [config, lead] of [
      [configOf({ instanceWarmup: '3m' }), 300],
      [configOf({}, { backtest: { leadTimes: { 'ec2-autoscaling-group': '4m' } } }), 240],
    ] as const) {
      const world = new World({
        config,
        settings: resolveSimSettings(config.backtest),
        signal: 'traffic',
        demand: () => 10,
        start: START,
      });
      const clock = new ManualClock(START);
      const t = config.targets[0]!;
      const a = worldActuators(world, clock)(t);
      expect(await a.apply(t, 12, ctx(START))).toMatchObject({ status: 'applied', after: { minSize: 12 } });
      clock.set(START + (lead - 1) * 1000);
      const during = await a.read(t);
      expect(during).toMatchObject({ value: 12, ready: 2 });
      expect(during.busy).toMatch(/^modifying to 12 until/);
      clock.set(START + lead * 1000);
      expect(await a.read(t)).toMatchObject({ value: 12, ready: 12 });
    }
  });

  it('scales with its target tracking policy in the backtest world, minutes late; a Headroom floor lifts desired at once', async () => {
    const config = configOf({
      instanceWarmup: '3m',
      bounds: { min: 2, max: 200 },
      capacity: { signal: 'traffic', perUnit: 1, targetUtilization: 0.6 },
    });
    const t = config.targets[0]!;
    // 6/s (10 instances at 60 %), then 30/s from START + 10 min (50 instances).
    const demand = (at: number) => (at >= START + 10 * 60_000 ? 30 : 6);
    const world = new World({
      config,
      settings: resolveSimSettings(config.backtest),
      signal: 'traffic',
      demand,
      start: START,
    });
    const clock = new ManualClock(START);
    const a = worldActuators(world, clock)(t);
    const readyAt = (n: number) => {
      const from = clock.now().getTime();
      for (let now = from; now < from + 3600_000; now += 5000) {
        world.step(now);
        if (world.readyUnits('workers', now) >= n) return now;
      }
      throw new Error(`never ${n} ready`);
    };
    expect(world.readyUnits('workers', START)).toBe(10);
    // The metric is a minute late, the alarm needs 3 datapoints, instances serve after launch + warmup.
    const reactive = readyAt(50) - (START + 10 * 60_000);
    expect(reactive).toBeGreaterThanOrEqual((60 + 120 + 300) * 1000);
    expect(reactive).toBeLessThanOrEqual((60 + 180 + 300) * 1000);
    clock.set(START + 60 * 60_000);
    const now = clock.now().getTime();
    const r = await a.apply(t, 80, ctx(now));
    expect(r).toMatchObject({ status: 'applied', after: { minSize: 80, desiredCapacity: 80 } });
    expect(world.provisionedUnits('workers')).toBe(80);
    expect((await a.read(t)).busy).toMatch(/^scaling activity InProgress: 30 instance/);
    expect(readyAt(80) - now).toBe(300_000);
  });

  it('backtests a TV ad: the campaign floor serves what target tracking alone is short of', async () => {
    const rows = ['timestamp,value'];
    const from = START - 6 * 3600_000;
    for (let m = 0; m < 8 * 60; m++) {
      const at = from + m * 60_000;
      rows.push(`${new Date(at).toISOString()},${at >= START && at < START + 3600_000 ? 5400 : 360}`);
    }
    const config = parseConfig(
      stringify(
        doc(
          {
            instanceWarmup: '3m',
            bounds: { min: 2, max: 200 },
            capacity: { signal: 'traffic', perUnit: 1, targetUtilization: 0.6 },
          },
          { signals: { traffic: { source: 'csv', file: 'tv.csv', baseline: 6 } } },
        ),
      ).replace('floors:\n      workers: 30\n', ''),
    );
    const r = await runBacktest({
      trace: parseTrace(rows.join('\n'), 'tv.csv'),
      config,
      warmupSeconds: 5 * 3600,
      forecasting: null,
    });
    const { reactive, headroom } = r.json.policies;
    expect(reactive!.scalingActions).toBeGreaterThan(0);
    expect(reactive!.underProvisionedMinutes).toBeGreaterThanOrEqual(5);
    expect(headroom!.underProvisionedMinutes).toBe(0);
    expect(headroom!.actions.headroomSteps).toBeGreaterThan(0);
  });
});
