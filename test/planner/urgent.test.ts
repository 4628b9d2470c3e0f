import { describe, expect, it } from 'vitest';
import type { Intent, PlannerState } from '../../shared/domain/types.ts';
import { plan } from '../../shared/planner/plan.ts';
import { exampleConfig } from '../helpers/example.ts';

const config = exampleConfig();
const NOW = Date.parse('2030-03-04T10:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

function intent(extra: Partial<Intent>): Intent {
  return {
    id: 'surge:traffic:api',
    target: 'api',
    floor: 60,
    from: at(-1),
    until: at(10),
    reason: 'surge: observed 600/s',
    source: { kind: 'surge', ref: 'traffic' },
    createdAt: at(-1),
    ...extra,
  };
}

/** api raised two minutes ago: its cooldown (5m) runs. */
const state: PlannerState = { targets: { api: { lastUp: at(-2), original: 3 } }, approvals: {} };

describe('Planner: a surge that is already here (urgent intents)', () => {
  it('is one step to the floor now, not staged by maxStepPercent and not held by the cooldown', () => {
    const p = plan(config, [intent({ urgent: true })], { api: { value: 5 } }, state, new Date(NOW));
    const api = p.targets.find((t) => t.id === 'api')!;
    expect(api.decision).toBe('scale-up');
    expect(api.steps).toHaveLength(1);
    expect(api.steps[0]).toMatchObject({ at: at(0).replace('.000', ''), from: 5, to: 60 });
    expect(api.reasons[0]).toBe('surge: observed 600/s');
  });

  it('the same floor without urgency waits for the cooldown and rises in stages', () => {
    const p = plan(config, [intent({})], { api: { value: 5 } }, state, new Date(NOW));
    const api = p.targets.find((t) => t.id === 'api')!;
    expect(api.decision).toBe('wait');
    expect(api.steps.length).toBeGreaterThan(1);
    expect(api.steps[0]!.to).toBeLessThan(60);
  });
});
