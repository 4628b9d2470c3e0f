import { describe, expect, it } from 'vitest';
import { planJson } from '../../shared/planner/format.ts';
import { simBrain } from '../helpers/example.ts';

describe('Function: plan on the example configuration', () => {
  it('at 19:20Z has db-readers already scaling up and api waiting for a later step', async () => {
    const { brain } = simBrain({ at: '2026-11-27T19:20:00Z' });
    const p = planJson(await brain.plan());
    const readers = p.targets.find((t) => t.id === 'db-readers')!;
    expect(readers.decision).toBe('scale-up');
    expect(readers.steps[0]!.at).toBe('2026-11-27T19:20:00Z');
    expect(readers.reasons[0]).toContain(
      'campaign black-friday-tv x15 starts 2026-11-27T19:55:00Z (lead time 40m)',
    );
    const api = p.targets.find((t) => t.id === 'api')!;
    expect(api.decision).toBe('wait');
    expect(Date.parse(api.steps[0]!.at)).toBeGreaterThan(Date.parse('2026-11-27T19:20:00Z'));
    expect(Date.parse(api.steps.at(-1)!.at)).toBeLessThan(Date.parse('2026-11-27T19:55:00Z') - 90_000);
    expect(api.steps[0]!.set).toHaveProperty('minReplicas');
    // The JSON keeps to the CONTRACTS.md shape.
    expect(Object.keys(api).sort()).toEqual([
      'actual',
      'decision',
      'desired',
      'id',
      'kind',
      'reasons',
      'steps',
    ]);
    // Tier targets report tier names.
    expect(p.targets.find((t) => t.id === 'db')!.actual).toBe('db.r6g.large');
  });

  it('sizes the Karpenter headroom from the pods the campaign adds', async () => {
    const { brain } = simBrain({ at: '2026-11-27T19:20:00Z' });
    const p = await brain.plan();
    const nodes = p.targets.find((t) => t.id === 'nodes')!;
    const added = ['api', 'workers', 'pgbouncer'].reduce((sum, id) => {
      const t = p.targets.find((x) => x.id === id)!;
      return sum + (Number(t.desired) - Number(t.actual));
    }, 0);
    // 500m/1Gi pods on 3500m/14Gi placeholders: CPU decides.
    expect(nodes.desired).toBe(Math.ceil((added * 500) / 3500));
    expect(nodes.reasons[0]).toMatch(/spare nodes for \d+ api pods/);
  });
});
