import { describe, expect, it } from 'vitest';
import { Brain } from '../../shared/app/brain.ts';
import type { Config } from '../../shared/config/types.ts';
import { ActuatorError, type ActuatorErrorCode } from '../../shared/domain/errors.ts';
import type { ActuatorRegistry } from '../../shared/ports/actuator.ts';
import { simBrain } from '../helpers/example.ts';

/** The sim cloud, with applies to `pgbouncer` failing while `failing` holds. */
function flaky(env: ReturnType<typeof simBrain>, error: () => Error) {
  const state = { failing: true, attempts: [] as number[] };
  const registry: ActuatorRegistry = (t) => {
    const a = env.sim.registry(t);
    return {
      read: (x) => a.read(x),
      apply: async (x, d, c) => {
        if (x.id === 'pgbouncer') {
          state.attempts.push(env.clock.now().getTime());
          if (state.failing) throw error();
        }
        return a.apply(x, d, c);
      },
    };
  };
  return { state, registry };
}

function brainOn(env: ReturnType<typeof simBrain>, actuators: ActuatorRegistry, config: Config = env.config) {
  return new Brain({
    config,
    repo: env.repo,
    actuators,
    clock: env.clock,
    notifier: env.notifier,
    owner: 'test',
    random: () => 0.5,
  });
}

async function setUp(code: ActuatorErrorCode) {
  const env = simBrain({ at: '2026-11-20T12:00:00Z' });
  await env.brain.requestFloor({
    target: 'pgbouncer',
    floor: 4,
    forSeconds: 6 * 3600,
    reason: 'test',
    source: { kind: 'cli', ref: 'me' },
  });
  const f = flaky(env, () => new ActuatorError(code, `injected ${code}`));
  return { env, ...f, brain: brainOn(env, f.registry) };
}

async function sixtyReconciles(env: ReturnType<typeof simBrain>, brain: Brain) {
  for (let i = 0; i < 60; i++) {
    await brain.reconcile();
    env.clock.advance(60_000);
  }
}

const failuresOf = async (env: ReturnType<typeof simBrain>) => ({
  audit: (await env.store.listAudit()).filter(
    (e) => e.target === 'pgbouncer' && (e.action === 'step-failed' || e.action === 'failure-cleared'),
  ),
  notes: env.notifier.sent.filter((n) => n.target === 'pgbouncer' && n.kind === 'failure'),
});

/** The documented policy: 30 s doubling to 15 min, half of it fixed and half jitter (0.5 here). */
function expectedAttempts(start: number, ticks: number): number[] {
  const out: number[] = [];
  let next = start;
  for (let i = 0; i < ticks; i++) {
    const t = start + i * 60_000;
    if (t < next) continue;
    out.push(t);
    const delay = Math.min(900, 30 * 2 ** (out.length - 1));
    next = t + (delay / 2 + 0.5 * (delay / 2)) * 1000;
  }
  return out;
}

describe('Policy: failed steps', () => {
  for (const code of [
    'throttled',
    'conflict',
    'insufficient-capacity',
    'invalid-state',
    'unreachable',
  ] as const) {
    it(`retries ${code} with exponential backoff, audited and notified once when it starts and once when it clears`, async () => {
      const { env, state, brain } = await setUp(code);
      const start = env.clock.now().getTime();
      await sixtyReconciles(env, brain);
      expect(state.attempts).toEqual(expectedAttempts(start, 60));
      expect(state.attempts.length).toBeLessThan(15);
      let seen = await failuresOf(env);
      expect(seen.audit.map((e) => e.action)).toEqual(['step-failed']);
      expect(seen.notes).toHaveLength(1);
      // The operator sees the failure and the next retry.
      const snap = await brain.snapshot();
      expect(snap.targets.find((t) => t.id === 'pgbouncer')?.failure).toMatchObject({
        code,
        attempts: state.attempts.length,
      });
      // The cloud recovers: the next retry succeeds and the failure clears, once.
      state.failing = false;
      env.clock.advance(15 * 60_000);
      await brain.reconcile();
      expect(env.sim.value('pgbouncer')).toBe(4);
      seen = await failuresOf(env);
      expect(seen.audit.map((e) => e.action).sort()).toEqual(['failure-cleared', 'step-failed']);
      expect(seen.notes).toHaveLength(2);
    });
  }

  for (const code of ['forbidden', 'not-found', 'invalid-request'] as const) {
    it(`holds a ${code} step until the configuration changes instead of retrying every tick`, async () => {
      const { env, state, brain } = await setUp(code);
      await sixtyReconciles(env, brain);
      expect(state.attempts).toHaveLength(1);
      const seen = await failuresOf(env);
      expect(seen.audit).toHaveLength(1);
      expect(seen.notes).toHaveLength(1);
      // A deploy that changes the target (the RBAC fix came with a new config) is tried again.
      const config = structuredClone(env.config);
      config.targets.find((t) => t.id === 'pgbouncer')!.marginSeconds += 1;
      const fixed = flaky(env, () => new Error('unused'));
      fixed.state.failing = false;
      await brainOn(env, fixed.registry, config).reconcile();
      expect(env.sim.value('pgbouncer')).toBe(4);
    });
  }
});
