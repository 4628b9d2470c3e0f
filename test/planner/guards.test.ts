import { describe, expect, it } from 'vitest';
import type { Actual, Intent, PlannerState } from '../../shared/domain/types.ts';
import {
  approvalOf,
  cooldown,
  keptByPeople,
  paused,
  type StepFacts,
  type TargetFacts,
} from '../../shared/planner/guards.ts';
import { plan } from '../../shared/planner/plan.ts';
import { exampleConfig } from '../helpers/example.ts';

const config = exampleConfig();
const api = config.targets.find((t) => t.id === 'api')!;
const db = config.targets.find((t) => t.id === 'db')!;
const NOW = Date.parse('2030-03-04T10:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

function state(partial: Partial<PlannerState> = {}): PlannerState {
  return { targets: {}, approvals: {}, ...partial };
}

function intent(target: string, floor: number, extra: Partial<Intent> = {}): Intent {
  return {
    id: `i-${target}-${floor}`,
    target,
    floor,
    from: at(-10),
    until: at(120),
    reason: `floor ${floor} for the test`,
    source: { kind: 'slack', ref: 'test' },
    createdAt: at(-10),
    ...extra,
  };
}

function facts(actual: Actual, desired: number, s = state()): TargetFacts {
  return { target: api, actual, ts: s.targets.api, state: s, t: NOW, desired, holder: undefined };
}

function entry(p: ReturnType<typeof plan>, id: string) {
  return p.targets.find((t) => t.id === id)!;
}

describe('planner guards', () => {
  it('a pause blocks a needed change and says who paused it, and is silent when nothing is needed', () => {
    const s = state({ paused: { by: 'slack:U1', at: at(-5) } });
    expect(paused(facts({ value: 3 }, 12, s))).toEqual({
      decision: 'blocked',
      reasons: [`paused by slack:U1 at ${at(-5)}`],
    });
    expect(paused(facts({ value: 12 }, 12, s))).toEqual({ decision: 'no-op', reasons: [] });
    expect(paused(facts({ value: 3 }, 12))).toBeUndefined();
  });

  it('cooldown delays the next step in the same direction until the cooldown has passed', () => {
    const step = (lastMinutesAgo: number): StepFacts => {
      const last = at(-lastMinutesAgo);
      return {
        ...facts({ value: 3 }, 9),
        direction: 'up',
        first: { id: 's', target: 'api', at: at(0), direction: 'up', from: 3, to: 9, set: {} },
        last,
        cooldownEnds: Date.parse(last) + api.cooldownSeconds * 1000,
      };
    };
    expect(cooldown(step(2))?.reasons[0]).toMatch(
      /^cooldown: last raise at .*, next up step due .*\(cooldown 5m\)$/,
    );
    expect(cooldown(step(6))).toBeUndefined();
  });

  it('an approval counts for 24 hours, then the same step needs a fresh one', () => {
    const first = { id: 'db-x', target: 'db', at: at(0), direction: 'up' as const, from: 0, to: 1, set: {} };
    const f = (approvedMinutesAgo: number): StepFacts => {
      const s = state({
        approvals: {
          'db-x': { stepId: 'db-x', decision: 'approved', by: 'U2', at: at(-approvedMinutesAgo) },
        },
      });
      return {
        target: db,
        actual: { value: 0 },
        ts: undefined,
        state: s,
        t: NOW,
        desired: 1,
        holder: undefined,
        direction: 'up',
        first,
        last: undefined,
        cooldownEnds: 0,
      };
    };
    expect(approvalOf(f(60))).toMatchObject({ status: 'approved', by: 'U2' });
    expect(approvalOf(f(25 * 60))).toMatchObject({ status: 'missing', why: 'the target requires approval' });
  });

  it('keeps a value raised by hand above what Headroom set, and one on a target Headroom never raised', () => {
    const raised = state({ targets: { api: { original: 3, lastSet: 12 } } });
    expect(keptByPeople({ ...facts({ value: 30, changedBy: 'kubectl-edit' }, 12, raised) })).toMatchObject({
      value: 30,
      manual: { value: 30, headroomSet: 12, by: 'kubectl-edit' },
    });
    expect(keptByPeople(facts({ value: 30 }, 12))?.reason).toMatch(/not raised by Headroom/);
    // What Headroom itself set is lowered again.
    expect(keptByPeople(facts({ value: 12 }, 3, raised))).toBeUndefined();
  });
});

describe('plan() composes the guards in order', () => {
  // The API's dependencies are read and ready: they do not hold it (test/planner/dependencies.test.ts).
  const actuals = { api: { value: 3 }, 'db-readers': { value: 1 }, pgbouncer: { value: 2 } };

  it('a pause wins over a cooldown, a cooldown over an approval', () => {
    const intents = [intent('api', 12)];
    const s = state({
      paused: { by: 'slack:U1', at: at(-1) },
      targets: { api: { lastUp: at(-1) } },
    });
    expect(entry(plan(config, intents, actuals, s, new Date(NOW)), 'api')).toMatchObject({
      decision: 'blocked',
      reasons: ['floor 12 for the test', `paused by slack:U1 at ${at(-1)}`],
    });
    const cooled = entry(
      plan(config, intents, actuals, state({ targets: { api: { lastUp: at(-1) } } }), new Date(NOW)),
      'api',
    );
    expect(cooled.decision).toBe('wait');
    expect(cooled.reasons[1]).toMatch(/^cooldown: last raise/);
  });

  it('a due raise is a scale-up staged by maxStepPercent, with the intent as its reason', () => {
    const e = entry(plan(config, [intent('api', 12)], actuals, state(), new Date(NOW)), 'api');
    expect(e.decision).toBe('scale-up');
    expect(e.steps.map((s) => [s.from, s.to])).toEqual([
      [3, 9],
      [9, 12],
    ]);
    expect(e.reasons[0]).toBe('floor 12 for the test');
  });

  it('a step that needs approval is marked and names the command that approves it', () => {
    const e = entry(plan(config, [intent('db', 2)], { db: { value: 0 } }, state(), new Date(NOW)), 'db');
    expect(e.decision).toBe('needs-approval');
    expect(e.steps[0]!.needsApproval).toBe(true);
    expect(e.reasons.at(-1)).toMatch(new RegExp(`/headroom approve ${e.steps[0]!.id}`));
  });
});
