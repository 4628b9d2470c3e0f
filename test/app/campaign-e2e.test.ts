import { describe, expect, it } from 'vitest';
import { simBrain } from '../helpers/example.ts';

const START = Date.parse('2026-11-27T19:55:00Z');
const END = START + 3 * 3600_000;

describe('Function: reconcile through the black-friday-tv campaign on the simulated cloud', () => {
  it('raises every target before the start, holds it, and reverts dependents first', async () => {
    const { brain, clock, sim, repo, config } = simBrain({ at: '2026-11-27T18:00:00Z' });
    const baseline = Object.fromEntries(config.targets.map((t) => [t.id, sim.value(t.id)]));
    const campaign = config.campaigns[0]!;
    const floors = new Map<string, number>();
    const series = new Map<string, { t: number; ready: number; value: number }[]>();

    for (let t = clock.now().getTime(); t <= Date.parse('2026-11-28T02:00:00Z'); t += 30_000) {
      clock.set(t);
      await brain.reconcile();
      for (const target of config.targets) {
        const s = series.get(target.id) ?? [];
        s.push({ t, ready: sim.ready(target.id), value: sim.value(target.id) });
        series.set(target.id, s);
      }
      if (t === START - 60_000) {
        // The floors the campaign holds, as the brain's own plan states them.
        for (const p of (await brain.plan()).targets) {
          if (campaign.targets.includes(p.id)) floors.set(p.id, Number(p.desired));
        }
      }
    }

    // Every campaign target is at its campaign floor as ready capacity before 19:55Z.
    for (const id of campaign.targets) {
      const floor = floors.get(id)!;
      expect(floor, id).toBeGreaterThan(baseline[id]!);
      const before = series
        .get(id)!
        .filter((p) => p.t < START)
        .at(-1)!;
      expect(before.ready, `${id} ready before the start`).toBeGreaterThanOrEqual(floor);
    }
    // Nothing is released before the end plus scaleDownDelay (15m).
    for (const id of campaign.targets) {
      const during = series.get(id)!.filter((p) => p.t >= START && p.t < END + 15 * 60_000);
      expect(Math.min(...during.map((p) => p.value)), `${id} held`).toBeGreaterThanOrEqual(floors.get(id)!);
    }
    // By 02:00Z every target is back at its baseline.
    for (const t of config.targets) expect(sim.value(t.id), t.id).toBe(baseline[t.id]);

    // Scale-down runs dependents before dependencies: api is down before db-readers and pgbouncer move.
    const audit = (await repo.store.listAudit()).reverse();
    const downs = audit.filter((e) => e.action === 'step-executed' && Date.parse(e.at) > END);
    const lastApiDown = Math.max(...downs.filter((e) => e.target === 'api').map((e) => Date.parse(e.at)));
    for (const dep of ['db-readers', 'pgbouncer']) {
      const firstDown = Math.min(...downs.filter((e) => e.target === dep).map((e) => Date.parse(e.at)));
      expect(firstDown, `${dep} after api`).toBeGreaterThan(lastApiDown);
    }
    // The audit log explains every step: before, after and a reason.
    const steps = audit.filter((e) => e.action === 'step-executed');
    expect(steps.length).toBeGreaterThan(10);
    for (const e of steps) {
      expect(Object.keys(e.before ?? {})).toHaveLength(1);
      expect(Object.keys(e.after ?? {})).toEqual(Object.keys(e.before ?? {}));
      expect(e.after).not.toEqual(e.before);
      expect(e.reason).toMatch(/campaign black-friday-tv|no live intent|back to/);
    }
  });
});
