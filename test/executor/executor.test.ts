import { describe, expect, it } from 'vitest';
import { Brain } from '../../shared/app/brain.ts';
import { ActuatorError } from '../../shared/domain/errors.ts';
import { execute } from '../../shared/executor/executor.ts';
import type { ActuatorRegistry } from '../../shared/ports/actuator.ts';
import { Repo } from '../../shared/state/repo.ts';
import { simBrain } from '../helpers/example.ts';

describe('Function: execute', () => {
  it('performs a step once under 50 concurrent reconciles of the same target', async () => {
    const env = simBrain({ at: '2026-11-27T12:00:00Z' });
    await env.brain.requestFloor({
      target: 'api',
      floor: 9,
      forSeconds: 3600,
      reason: 'test',
      source: { kind: 'cli', ref: 'me' },
    });
    // 50 brains (50 Lambda invocations) share the store and the cloud.
    const brains = Array.from(
      { length: 50 },
      (_, i) =>
        new Brain({
          config: env.config,
          repo: new Repo(env.store),
          actuators: env.sim.registry,
          clock: env.clock,
          notifier: env.notifier,
          owner: `invocation-${i}`,
        }),
    );
    const results = await Promise.all(brains.map((b) => b.reconcile()));
    const executed = results.flatMap((r) => r.results).filter((r) => r.outcome === 'executed');
    expect(executed).toHaveLength(1);
    expect(env.sim.calls.filter((c) => c.target === 'api')).toHaveLength(1);
    expect(env.sim.value('api')).toBe(9);
    const audit = await env.store.listAudit();
    expect(audit.filter((e) => e.action === 'step-executed' && e.target === 'api')).toHaveLength(1);
  });

  it('holds one lease per reconcile: two reconciles in one process apply a step once', async () => {
    const env = simBrain({ at: '2026-11-27T12:00:00Z' });
    await env.brain.requestFloor({
      target: 'api',
      floor: 9,
      forSeconds: 3600,
      reason: 'test',
      source: { kind: 'cli', ref: 'me' },
    });
    // The first apply hangs (a slow API call) until the test lets it go; later applies pass.
    let applies = 0;
    let started!: () => void;
    let release!: () => void;
    const firstStarted = new Promise<void>((r) => (started = r));
    const gate = new Promise<void>((r) => (release = r));
    const slow: ActuatorRegistry = (t) => {
      const a = env.sim.registry(t);
      return {
        read: (x) => a.read(x),
        apply: async (x, d, c) => {
          if (applies++ === 0) {
            started();
            await gate;
          }
          return a.apply(x, d, c);
        },
      };
    };
    // One process: the periodic tick and an HTTP-triggered reconcile share one Brain and owner id.
    const brain = new Brain({
      config: env.config,
      repo: env.repo,
      actuators: slow,
      clock: env.clock,
      notifier: env.notifier,
      owner: 'process-1',
    });
    const tick = brain.reconcile('tick');
    await firstStarted;
    const http = await brain.reconcile('http');
    release();
    const first = await tick;
    expect(first.results.find((x) => x.target === 'api')?.outcome).toBe('executed');
    expect(http.results.find((x) => x.target === 'api')?.outcome).toBe('leased-elsewhere');
    expect(applies).toBe(1);
  });

  it('changes nothing when the same plan is executed again', async () => {
    const env = simBrain({ at: '2026-11-27T12:00:00Z' });
    await env.brain.requestFloor({
      target: 'pgbouncer',
      floor: 4,
      forSeconds: 3600,
      reason: 'test',
      source: { kind: 'cli', ref: 'me' },
    });
    const p = await env.brain.plan();
    const deps = {
      repo: env.repo,
      actuators: env.sim.registry,
      clock: env.clock,
      notifier: env.notifier,
      owner: 'a',
    };
    const first = await execute(env.config, p, deps);
    const second = await execute(env.config, p, deps);
    expect(first.find((r) => r.target === 'pgbouncer')?.outcome).toBe('executed');
    expect(second.find((r) => r.target === 'pgbouncer')?.outcome).toBe('already-done');
    expect(env.sim.calls).toHaveLength(1);
  });

  it('retries a failed step on the next reconcile and audits both attempts', async () => {
    const env = simBrain({ at: '2026-11-27T12:00:00Z' });
    await env.brain.requestFloor({
      target: 'workers',
      floor: 6,
      forSeconds: 3600,
      reason: 'backlog',
      source: { kind: 'cli', ref: 'me' },
    });
    env.sim.failNext('workers', new ActuatorError('unreachable', 'connect ECONNREFUSED 10.0.0.1:443'));
    const r1 = await env.brain.reconcile();
    expect(r1.results.find((r) => r.target === 'workers')?.outcome).toBe('failed');
    expect(env.sim.value('workers')).toBe(2);
    env.clock.advance(30_000);
    const r2 = await env.brain.reconcile();
    expect(r2.results.find((r) => r.target === 'workers')?.outcome).toBe('executed');
    expect(env.sim.value('workers')).toBe(6);
    const audit = (await env.store.listAudit()).filter(
      (e) => e.target === 'workers' && e.action.startsWith('step-'),
    );
    expect(audit.map((e) => e.action)).toEqual(['step-executed', 'step-failed']);
    expect(audit[1]!.error).toContain('ECONNREFUSED');
    expect(audit[0]!.before).toEqual({ minReplicaCount: 2 });
    expect(audit[0]!.after).toEqual({ minReplicaCount: 6 });
  });

  it('records the replaced value and restores it when the intent ends', async () => {
    const env = simBrain({ at: '2026-11-27T12:00:00Z' });
    env.sim.setValue('pgbouncer', 3);
    await env.brain.requestFloor({
      target: 'pgbouncer',
      floor: 4,
      forSeconds: 600,
      reason: 'test',
      source: { kind: 'cli', ref: 'me' },
    });
    await env.brain.reconcile();
    expect(env.sim.value('pgbouncer')).toBe(4);
    expect((await env.repo.targetState('pgbouncer', env.clock.now())).original).toBe(3);
    // The intent ends after 10 min; the floor is released 15 min (scaleDownDelay) later.
    env.clock.advance(24 * 60_000);
    await env.brain.reconcile();
    expect(env.sim.value('pgbouncer')).toBe(4);
    env.clock.advance(2 * 60_000);
    await env.brain.reconcile();
    expect(env.sim.value('pgbouncer')).toBe(3);
    expect((await env.repo.targetState('pgbouncer', env.clock.now())).original).toBeUndefined();
  });

  it('asks for approval once and executes the step after it is approved', async () => {
    const env = simBrain({ at: '2026-11-27T12:00:00Z' });
    await env.brain.requestFloor({
      target: 'db',
      floor: 'db.r6g.xlarge',
      forSeconds: 7200,
      reason: 'load test',
      source: { kind: 'cli', ref: 'me' },
    });
    const p = await env.brain.plan();
    const db = p.targets.find((t) => t.id === 'db')!;
    expect(db.decision).toBe('needs-approval');
    await env.brain.reconcile();
    await env.brain.reconcile();
    expect(env.notifier.sent.filter((n) => n.kind === 'approval-requested')).toHaveLength(1);
    expect(env.sim.value('db')).toBe(0);
    await env.brain.decide(db.steps[0]!.id, 'approved', 'U024BE7LH');
    expect(env.sim.value('db')).toBe(1);
    const audit = await env.store.listAudit();
    expect(audit.find((e) => e.action === 'step-executed' && e.target === 'db')?.after).toEqual({
      instanceClass: 'db.r6g.xlarge',
    });
  });

  it('never applies a Single-AZ class change that nobody approved', async () => {
    const env = simBrain({ at: '2026-11-27T12:00:00Z', sim: { singleAz: ['db'] } });
    const config = {
      ...env.config,
      targets: env.config.targets.map((t) => (t.id === 'db' ? { ...t, approval: 'none' as const } : t)),
    };
    const brain = new Brain({
      config,
      repo: env.repo,
      actuators: env.sim.registry,
      clock: env.clock,
      notifier: env.notifier,
      owner: 'x',
    });
    await brain.requestFloor({
      target: 'db',
      floor: 'db.r6g.2xlarge',
      forSeconds: 7200,
      reason: 'test',
      source: { kind: 'cli', ref: 'me' },
    });
    const r = await brain.reconcile();
    expect(r.plan.targets.find((t) => t.id === 'db')?.decision).toBe('needs-approval');
    expect(r.plan.targets.find((t) => t.id === 'db')?.reasons.join()).toContain('Single-AZ');
    expect(env.sim.value('db')).toBe(0);
  });

  it('audits and notifies an actuator refusal once an hour, not on every reconcile', async () => {
    const env = simBrain({ at: '2026-11-27T12:00:00Z' });
    const refusing = {
      read: env.sim.actuator.read,
      apply: async () => ({
        status: 'blocked' as const,
        before: {},
        after: {},
        message: 'only hand-made replicas are above the desired count',
      }),
    };
    const brain = new Brain({
      config: env.config,
      repo: env.repo,
      actuators: (t) => (t.id === 'api' ? refusing : env.sim.actuator),
      clock: env.clock,
      notifier: env.notifier,
      owner: 'x',
    });
    await brain.requestFloor({
      target: 'api',
      floor: 9,
      forSeconds: 7200,
      reason: 'test',
      source: { kind: 'cli', ref: 'me' },
    });
    const blockedEntries = async () =>
      (await env.store.listAudit()).filter((e) => e.action === 'blocked' && e.target === 'api');
    for (let i = 0; i < 10; i++) {
      await brain.reconcile();
      env.clock.advance(30_000);
    }
    expect(await blockedEntries()).toHaveLength(1);
    expect(env.notifier.sent.filter((n) => n.kind === 'blocked' && n.target === 'api')).toHaveLength(1);
    env.clock.advance(3600_000);
    await brain.reconcile();
    expect(await blockedEntries()).toHaveLength(2);
    expect(env.sim.value('api')).toBe(3);
  });
});
