import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/domain/errors.ts';
import type { Intent } from '../../shared/domain/types.ts';
import { plan } from '../../shared/planner/plan.ts';
import { scheduleIntents } from '../../shared/rules/schedules.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

/** The example config (api: k8s-hpa, workers: keda-scaledobject, pgbouncer: k8s-deployment, db: rds-instance). */
const example = readFileSync(EXAMPLE_CONFIG, 'utf8');

function withSchedules(yaml: string): string {
  return `${example}\nschedules:\n${yaml}`;
}

function problems(text: string): string[] {
  try {
    parseConfig(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const NIGHT = `  - name: night
    targets: [pgbouncer, workers]
    ceiling: 0
    cron: "0 20 * * 1-5"
    duration: 12h
    timezone: Europe/Berlin
`;

describe('Config: schedules', () => {
  it('derives one ceiling intent per target and run, in the schedule time zone', () => {
    const config = parseConfig(withSchedules(NIGHT.replace('[pgbouncer, workers]', '[pgbouncer]')));
    const at = new Date('2026-12-07T22:00:00Z'); // Monday night, 23:00 in Berlin
    const live = scheduleIntents(config, at).filter((i) => Date.parse(i.from) <= at.getTime());
    expect(live).toMatchObject([
      {
        target: 'pgbouncer',
        ceiling: 0,
        from: '2026-12-07T19:00:00Z',
        until: '2026-12-08T07:00:00Z',
        source: { kind: 'schedule', ref: 'night@2026-12-07T19:00:00Z' },
      },
    ]);
    // Friday's run is the last of the week: nothing starts on Saturday.
    const saturday = scheduleIntents(config, new Date('2026-12-12T12:00:00Z'));
    expect(saturday.map((i) => i.from)).toEqual([]);
  });

  it('refuses bad schedules, each problem at its config path', () => {
    const bad = withSchedules(`  - name: night
    targets: [api, db, nope]
    ceiling: 0
    cron: "0 25 * * *"
    duration: 40d
    timezone: Mars/Olympus
  - name: night
    targets: [workers]
    ceiling: 1.5
    cron: "0 20 * * *"
    duration: 1h
`);
    expect(problems(bad)).toEqual([
      'schedules[0].cron: invalid cron expression "0 25 * * *"',
      'schedules[0].timezone: unknown IANA time zone "Mars/Olympus"',
      'schedules[1].ceiling: must be a whole count',
    ]);
    const semantic = withSchedules(`  - name: night
    targets: [api, db, nope]
    ceiling: 0
    cron: "0 20 * * *"
    duration: 40d
  - name: night
    targets: [workers]
    ceiling: 0
    cron: "0 20 * * *"
    duration: 1h
`);
    expect(problems(semantic)).toEqual([
      'schedules[0].ceiling: 0 is below what "api" accepts on maxReplicas (at least 1)',
      'schedules[0].targets[1]: "db" (rds-instance) takes no ceiling',
      'schedules[0].targets[2]: unknown target "nope"',
      'schedules[0].duration: at most 30d, got 40d',
      'schedules[1].name: duplicate schedule name "night"',
      'schedules[1].ceiling: 0 is below what "workers" accepts on maxReplicaCount (at least 1)',
    ]);
  });
});

describe('Planner: ceilings', () => {
  const config = parseConfig(
    withSchedules(NIGHT.replace('workers]', 'workers, api]').replace('ceiling: 0', 'ceiling: 1')),
  );
  const at = new Date('2026-12-07T19:01:00Z');
  const ceilings = scheduleIntents(config, at);
  const state = { targets: {}, approvals: {} };

  it('caps an HPA in one step: maxReplicas to the ceiling, minReplicas down to it', () => {
    const p = plan(config, ceilings, { api: { value: 3 } }, state, at);
    const api = p.targets.find((t) => t.id === 'api')!;
    expect(api).toMatchObject({ decision: 'scale-down', actual: 3, desired: 1 });
    expect(api.steps).toHaveLength(1); // not staged by maxStepPercent
    expect(api.steps[0]).toMatchObject({ set: { minReplicas: 1, maxReplicas: 1 }, ceiling: 1 });
  });

  it('caps maxReplicas alone when the floor is already within the ceiling, and lifts it after', () => {
    const capOnly = plan(config, ceilings, { api: { value: 1 } }, state, at).targets.find(
      (t) => t.id === 'api',
    )!;
    expect(capOnly.steps[0]).toMatchObject({ from: 1, to: 1, set: { maxReplicas: 1 }, ceiling: 1 });
    const morning = new Date('2026-12-08T07:00:00Z');
    // The API's dependencies are read and ready: the raise back to 3 is not held for them.
    const ready = { 'db-readers': { value: 1 }, pgbouncer: { value: 2 } };
    const lift = plan(
      config,
      ceilings,
      { api: { value: 1, ceiling: 1 }, ...ready },
      state,
      morning,
    ).targets.find((t) => t.id === 'api')!;
    expect(lift.decision).toBe('scale-up');
    expect(lift.steps[0]).toMatchObject({ set: { maxReplicas: 'restored' }, ceiling: null });
  });

  it('holds a ceiling over a campaign floor and says so, unless the schedule yields to campaigns', () => {
    const floor: Intent = {
      id: 'c',
      target: 'pgbouncer',
      floor: 4,
      from: '2026-12-07T18:00:00Z',
      until: '2026-12-07T23:00:00Z',
      reason: 'campaign launch x4',
      source: { kind: 'campaign', ref: 'launch' },
      campaign: 'launch',
      createdAt: '2026-12-07T18:00:00Z',
    };
    const held = plan(config, [...ceilings, floor], { pgbouncer: { value: 4 } }, state, at).targets.find(
      (t) => t.id === 'pgbouncer',
    )!;
    expect(held).toMatchObject({ decision: 'scale-down', desired: 1 });
    expect(held.reasons.join('; ')).toContain('the ceiling wins over the floor 4 asked for');
    const yielding = ceilings.map((c) => ({ ...c, yieldsToCampaigns: true }));
    const lifted = plan(config, [...yielding, floor], { pgbouncer: { value: 4 } }, state, at).targets.find(
      (t) => t.id === 'pgbouncer',
    )!;
    expect(lifted).toMatchObject({ decision: 'no-op', desired: 4 });
    expect(lifted.reasons.join('; ')).toContain('lifted while campaign launch holds');
  });
});
