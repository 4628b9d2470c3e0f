import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { EXAMPLE_CONFIG, simBrain } from '../helpers/example.ts';

const floor = (floor: number, minutes = 60) => ({
  target: 'api',
  floor,
  forSeconds: minutes * 60,
  reason: 'warm-up',
  source: { kind: 'cli' as const, ref: 'sre' },
});

async function ticks(env: ReturnType<typeof simBrain>, n: number) {
  for (let i = 0; i < n; i++) {
    await env.brain.reconcile();
    env.clock.advance(60_000);
  }
}

describe('Respect people', () => {
  it('never lowers a value raised by hand above the floor while the intent holds, and says who set it', async () => {
    const env = simBrain({ at: '2026-11-20T10:00:00Z' });
    await env.brain.requestFloor(floor(9));
    await ticks(env, 2);
    expect(env.sim.value('api')).toBe(9);

    env.sim.setValue('api', 30, 'kubectl-edit');
    await ticks(env, 20);
    expect(env.sim.value('api')).toBe(30);

    const plan = await env.brain.plan();
    const api = plan.targets.find((t) => t.id === 'api')!;
    expect(api.decision).not.toBe('scale-down');
    expect(api.reasons.join(' ')).toMatch(/kept at 30: set by hand by kubectl-edit above the 9 Headroom set/);
    const manual = (await env.brain.audit()).filter((e) => e.action === 'manual-change');
    expect(manual).toHaveLength(1); // once, not once per tick
    expect(manual[0]).toMatchObject({
      target: 'api',
      actor: 'kubectl-edit',
      before: { minReplicas: 9 },
      after: { minReplicas: 30 },
    });
  });

  it('does not lower a hand-set value after the intent ends either: it lowers only what it raised', async () => {
    const env = simBrain({ at: '2026-11-20T10:00:00Z' });
    await env.brain.requestFloor(floor(9, 10));
    await ticks(env, 2);
    env.sim.setValue('api', 30, 'kubectl-scale');
    await ticks(env, 60); // intent over, scale-down delay over
    expect(env.sim.value('api')).toBe(30);
    expect(env.sim.calls.filter((c) => c.target === 'api' && c.to < c.from)).toHaveLength(0);
  });

  it('reverts to the recorded value what it raised itself, when nobody touched it', async () => {
    const env = simBrain({ at: '2026-11-20T10:00:00Z' });
    await env.brain.requestFloor(floor(20, 10));
    await ticks(env, 60);
    expect(Math.max(...env.sim.calls.filter((c) => c.target === 'api').map((c) => c.to))).toBe(20);
    expect(env.sim.value('api')).toBe(3);
    expect((await env.brain.audit()).filter((e) => e.action === 'manual-change')).toHaveLength(0);
  });

  it('lowers its own raise to a lower floor while a person lowered it in between', async () => {
    const env = simBrain({ at: '2026-11-20T10:00:00Z' });
    await env.brain.requestFloor(floor(20, 10));
    await ticks(env, 12);
    env.sim.setValue('api', 12, 'kubectl-edit'); // below what Headroom set: still Headroom's raise
    await ticks(env, 60);
    expect(env.sim.value('api')).toBe(3);
  });

  it('leaves a target Headroom never raised above its configured baseline alone', async () => {
    const yaml = readFileSync(EXAMPLE_CONFIG, 'utf8').replace(
      'bounds: { min: 3, max: 60 }',
      'bounds: { min: 3, max: 60 }\n    baseline: 3',
    );
    const env = simBrain({ config: parseConfig(yaml), at: '2026-11-20T10:00:00Z' });
    env.sim.setValue('api', 10, 'kubectl-edit');
    await ticks(env, 30);
    expect(env.sim.value('api')).toBe(10);
    const api = (await env.brain.plan()).targets.find((t) => t.id === 'api')!;
    expect(api.reasons.join(' ')).toMatch(
      /not raised by Headroom by kubectl-edit, which lowers only what it raised/,
    );
  });
});
