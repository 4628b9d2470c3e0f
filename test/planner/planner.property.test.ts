import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../shared/config/types.ts';
import type { Actual, Intent, PlannerState, Target } from '../../shared/domain/types.ts';
import { type FullPlan, plan } from '../../shared/planner/plan.ts';
import { exampleConfig } from '../helpers/example.ts';

const NOW = Date.parse('2026-11-27T19:00:00Z');
const config: Config = exampleConfig();
const countTargets = config.targets.filter((t) => t.scale === 'count');

const intentArb = (targets: Target[]) =>
  fc.record({
    target: fc.constantFrom(...targets.map((t) => t.id)),
    floor: fc.integer({ min: 0, max: 80 }),
    fromOffset: fc.integer({ min: -7200, max: 7200 }),
    length: fc.integer({ min: 60, max: 7200 }),
  });

const scenarioArb = fc.record({
  actual: fc.dictionary(fc.constantFrom(...countTargets.map((t) => t.id)), fc.integer({ min: 0, max: 70 })),
  intents: fc.array(intentArb(config.targets), { maxLength: 12 }),
  lastUpAgo: fc.dictionary(
    fc.constantFrom(...config.targets.map((t) => t.id)),
    fc.integer({ min: 0, max: 1200 }),
  ),
  original: fc.dictionary(fc.constantFrom(...countTargets.map((t) => t.id)), fc.integer({ min: 0, max: 10 })),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario) {
  const intents: Intent[] = s.intents.map((x, i) => {
    const t = config.targets.find((t) => t.id === x.target)!;
    const floor = t.scale === 'ladder' ? x.floor % t.tiers!.length : x.floor;
    return {
      id: `i${i}`,
      target: x.target,
      floor,
      from: new Date(NOW + x.fromOffset * 1000).toISOString(),
      until: new Date(NOW + (x.fromOffset + x.length) * 1000).toISOString(),
      reason: `intent ${i}`,
      source: { kind: 'cli', ref: 'test' },
      createdAt: new Date(NOW).toISOString(),
    };
  });
  const actuals: Record<string, Actual> = {};
  for (const t of config.targets) {
    const v = s.actual[t.id] ?? t.bounds.min;
    actuals[t.id] = { value: t.scale === 'ladder' ? 0 : Math.min(v, t.bounds.max) };
  }
  const state: PlannerState = { targets: {}, approvals: {} };
  for (const t of config.targets) {
    const ago = s.lastUpAgo[t.id];
    state.targets[t.id] = {
      lastUp: ago !== undefined ? new Date(NOW - ago * 1000).toISOString() : undefined,
      original: s.original[t.id],
    };
  }
  return { intents, actuals, state };
}

/** Applies the steps due now, as the executor would. */
function applyDue(p: FullPlan, actuals: Record<string, Actual>, state: PlannerState, now: number) {
  const next = structuredClone(actuals);
  const st = structuredClone(state);
  for (const t of p.targets) {
    const s = t.steps[0];
    if (!s || (t.decision !== 'scale-up' && t.decision !== 'scale-down') || Date.parse(s.at) > now) continue;
    next[t.id] = { value: s.to };
    const ts = st.targets[t.id] ?? {};
    if (s.direction === 'up') ts.lastUp = new Date(now).toISOString();
    else ts.lastDown = new Date(now).toISOString();
    if (ts.original === undefined && s.direction === 'up') ts.original = s.from;
    st.targets[t.id] = ts;
  }
  return { actuals: next, state: st };
}

const idx = (t: Target, v: number | string | null) =>
  typeof v === 'string' ? t.tiers!.indexOf(v) : (v as number);

describe('Function: plan (properties)', () => {
  it('keeps desired within bounds and never below a live floor', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { intents, actuals, state } = build(s);
        const p = plan(config, intents, actuals, state, new Date(NOW));
        for (const e of p.targets) {
          const t = config.targets.find((x) => x.id === e.id)!;
          const desired = idx(t, e.desired);
          expect(desired).toBeGreaterThanOrEqual(t.bounds.min);
          expect(desired).toBeLessThanOrEqual(t.bounds.max);
          for (const step of e.steps) expect(step.to).toBeLessThanOrEqual(t.bounds.max);
          // Every intent live now (its floor already due) holds the desired value up.
          for (const i of intents.filter((i) => i.target === t.id)) {
            const live = Date.parse(i.from) <= NOW && NOW < Date.parse(i.until);
            if (live && e.decision !== 'wait')
              expect(desired).toBeGreaterThanOrEqual(Math.min(i.floor, t.bounds.max));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('plans nothing more when the result of a plan is planned again', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { intents, actuals, state } = build(s);
        const p1 = plan(config, intents, actuals, state, new Date(NOW));
        const after = applyDue(p1, actuals, state, NOW);
        const p2 = plan(config, intents, after.actuals, after.state, new Date(NOW));
        for (const e of p2.targets) {
          const due = e.steps[0] && Date.parse(e.steps[0].at) <= NOW;
          const acting = (e.decision === 'scale-up' || e.decision === 'scale-down') && due;
          // A staged raise continues only after the cooldown; a scale-down may follow its dependents;
          // a raise held for its dependencies goes once they are ready.
          const held = p1.targets
            .find((x) => x.id === e.id)!
            .reasons.some((r) => r.startsWith('waits for its dependencies'));
          if (acting && !held) expect(e.decision, `${e.id} ${JSON.stringify(e.steps[0])}`).toBe('scale-down');
          if (acting) expect(p1.targets.find((x) => x.id === e.id)!.decision).not.toBe('scale-down');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('orders dependencies first for scale-up and lets dependents come down first', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { intents, actuals, state } = build(s);
        const p = plan(config, intents, actuals, state, new Date(NOW));
        const pos = new Map(p.targets.map((t, i) => [t.id, i]));
        for (const t of config.targets) {
          for (const d of t.dependsOn) expect(pos.get(d)!).toBeLessThan(pos.get(t.id)!);
          const e = p.targets[pos.get(t.id)!]!;
          if (e.decision !== 'scale-down') continue;
          // A dependency never scales down while a dependent still has to.
          for (const dep of config.targets.filter((x) => x.dependsOn.includes(t.id))) {
            expect(p.targets[pos.get(dep.id)!]!.decision).not.toBe('scale-down');
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never moves a target in cooldown twice in the same direction', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 20 }), (s, ticks) => {
        let { intents, actuals, state } = build(s);
        const moves: Record<string, number[]> = {};
        for (let k = 0; k < ticks; k++) {
          const now = NOW + k * 30_000;
          const p = plan(config, intents, actuals, state, new Date(now));
          for (const e of p.targets) {
            if (e.decision === 'scale-up' && Date.parse(e.steps[0]!.at) <= now) {
              moves[e.id] ??= [];
              moves[e.id]!.push(now);
            }
          }
          ({ actuals, state } = applyDue(p, actuals, state, now));
        }
        for (const [id, times] of Object.entries(moves)) {
          const t = config.targets.find((x) => x.id === id)!;
          const prior = s.lastUpAgo[id];
          const all = prior !== undefined ? [NOW - prior * 1000, ...times] : times;
          for (let i = 1; i < all.length; i++)
            expect(all[i]! - all[i - 1]!).toBeGreaterThanOrEqual(t.cooldownSeconds * 1000);
        }
        intents = [];
      }),
      { numRuns: 150 },
    );
  });
});
