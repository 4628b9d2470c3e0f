import { describe, expect, it } from 'vitest';
import { Brain } from '../../shared/app/brain.ts';
import { simBrain } from '../helpers/example.ts';

describe('Function: Brain.reconcile logging', () => {
  it('logs a decision when it changes or a step runs, not again on every tick', async () => {
    const env = simBrain({ at: '2026-11-27T12:00:00Z' });
    const lines: string[] = [];
    const brain = new Brain({
      config: env.config,
      repo: env.repo,
      actuators: env.sim.registry,
      clock: env.clock,
      notifier: env.notifier,
      owner: 'log-test',
      logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) },
    });
    await brain.reconcile();
    const first = lines.length;
    // The campaign days ahead: every target waits for its first step.
    expect(lines.some((l) => l.startsWith('api: wait'))).toBe(true);
    env.clock.advance(30_000);
    await brain.reconcile();
    expect(lines).toHaveLength(first);

    await brain.requestFloor({
      target: 'pgbouncer',
      floor: 3,
      forSeconds: 3600,
      reason: 'test',
      source: { kind: 'cli', ref: 'me' },
    });
    env.clock.advance(30_000);
    await brain.reconcile();
    const added = lines.slice(first);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^pgbouncer: scale-up 2 -> 3 .*\[executed\]/);
  });
});
