import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/domain/errors.ts';
import { simBrain } from '../helpers/example.ts';

describe('Use case: reconcile with a broken record in the store', () => {
  it('reports a campaign of 99999999 days and goes on planning and executing the others', async () => {
    const env = simBrain({ at: '2026-11-20T12:00:00Z' });
    // Stored before the edges refused such durations (an older version, or a hand-edited table).
    await env.repo.putCampaign(
      {
        name: 'huge',
        start: '2027-01-05T00:00:00.000Z',
        durationSeconds: 99999999 * 86400,
        multiplier: 2,
        targets: ['api'],
      },
      env.clock.now(),
    );
    await env.brain.requestFloor({
      target: 'pgbouncer',
      floor: 4,
      forSeconds: 3600,
      reason: 'test',
      source: { kind: 'cli', ref: 'me' },
    });
    const first = await env.brain.reconcile();
    expect(first.results.find((r) => r.target === 'pgbouncer')?.outcome).toBe('executed');
    expect(env.sim.value('pgbouncer')).toBe(4);
    const snapshot = await env.brain.snapshot();
    expect(snapshot.targets.map((t) => t.id)).toContain('api');
    env.clock.advance(60_000);
    await env.brain.reconcile();
    const reports = (await env.store.listAudit()).filter((e) =>
      e.reason.startsWith('campaign huge is ignored'),
    );
    // Reported once, not on every tick.
    expect(reports).toHaveLength(1);
    expect(reports[0]!.reason).toContain('invalid duration');
    expect(env.notifier.sent.filter((n) => n.text.startsWith('campaign huge is ignored'))).toHaveLength(1);
  });

  it('refuses a campaign longer than 31 days and stores nothing', async () => {
    const env = simBrain({ at: '2026-11-20T12:00:00Z' });
    const add = env.brain.addCampaign(
      {
        name: 'huge',
        start: '2027-01-05T00:00:00Z',
        duration: 99999999 * 86400,
        multiplier: 2,
        targets: ['api'],
      },
      'U024BE7LH',
    );
    await expect(add).rejects.toThrow(InputError);
    await expect(add).rejects.toThrow(/campaign.duration: at most 31d/);
    expect((await env.brain.campaigns()).map((c) => c.name)).toEqual(['black-friday-tv']);
  });
});
