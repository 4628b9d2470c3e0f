import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alarmFromEventBridge } from '../../shared/triggers/alarm.ts';
import { simBrain } from '../helpers/example.ts';

const EVENT = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../events/cloudwatch-alarm-state-change.json'), 'utf8'),
);

/** The documented CloudWatch Alarm State Change event, as the example's API CPU alarm. */
function alarmEvent(n: number, state: 'ALARM' | 'OK') {
  const e = structuredClone(EVENT);
  e.id = `c4c1c1c9-6542-e61b-6ef0-8c4d369330${String(n).padStart(2, '0')}`;
  e.detail.alarmName = 'kaireon-api-cpu-high';
  e.detail.state.value = state;
  return e;
}

describe('Use case: an alarm episode', () => {
  it('computes a relative raise once per episode: a flapping alarm does not compound 5 -> 8 -> 12 -> 18', async () => {
    const env = simBrain({ at: '2026-11-20T12:00:00Z', sim: { initial: { api: 5 } } });
    const floors: number[] = []; // minReplicas after each reconcile
    // ALARM, reconcile, a minute later the alarm flaps to OK and back to ALARM, six times.
    for (let n = 0; n < 6; n++) {
      const { signal, idempotencyKey } = alarmFromEventBridge(alarmEvent(2 * n, 'ALARM'));
      await env.brain.handleSignal(signal, idempotencyKey);
      env.clock.advance(60_000);
      await env.brain.reconcile();
      floors.push(env.sim.value('api'));
      const ok = alarmFromEventBridge(alarmEvent(2 * n + 1, 'OK'));
      await env.brain.handleSignal(ok.signal, ok.idempotencyKey);
      env.clock.advance(60_000);
    }
    // raise: 50% of 5, the value before the episode, every time.
    expect(floors).toEqual([8, 8, 8, 8, 8, 8]);
    const live = (await env.repo.intents(env.clock.now())).filter((i) => i.rule === 'api-cpu-sustained');
    // Each repeated ALARM extends the episode: its floor holds 30 minutes after the last one.
    const until = Math.max(...live.map((i) => Date.parse(i.until)));
    expect(until - env.clock.now().getTime()).toBeGreaterThan(25 * 60_000);
  });
});
