import { describe, expect, it } from 'vitest';
import { Brain } from '../../shared/app/brain.ts';
import { runOrdered } from '../../shared/executor/concurrency.ts';
import type { ActuatorRegistry } from '../../shared/ports/actuator.ts';
import { exampleConfig, simBrain } from '../helpers/example.ts';

describe('Unit: runOrdered', () => {
  it('runs up to the limit at once, keeps the order of related items and returns results in list order', async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const gates = new Map<string, () => void>();
    const work = async (x: string) => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${x}`);
      await new Promise<void>((r) => gates.set(x, r));
      running--;
      log.push(`end ${x}`);
      return x.toUpperCase();
    };
    // `d` depends on `a`; the others are independent.
    const waits = (x: string, earlier: string) => x === 'd' && earlier === 'a';
    const out = runOrdered(['a', 'b', 'c', 'd', 'e'], 3, waits, work);
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start c']);
    gates.get('b')!();
    await settle();
    // d took b's slot but waits for a; e waits for a free slot.
    expect(log).toEqual(['start a', 'start b', 'start c', 'end b']);
    gates.get('a')!();
    await settle();
    expect(log.slice(4)).toEqual(['end a', 'start d', 'start e']);
    gates.get('c')!();
    gates.get('d')!();
    gates.get('e')!();
    expect(await out).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(most).toBe(3);
  });
});

describe('Function: execute with defaults.parallelSteps', () => {
  it('applies independent steps at once, a dependency before its dependent, and audits each', async () => {
    const base = exampleConfig();
    const config = { ...base, defaults: { ...base.defaults, parallelSteps: 4 } };
    const env = simBrain({ config, at: '2026-11-27T12:00:00Z' });
    let inFlight = 0;
    let most = 0;
    const order: string[] = [];
    const actuators: ActuatorRegistry = (t) => {
      const a = env.sim.registry(t);
      return {
        read: (x) => a.read(x),
        apply: async (x, to, ctx) => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setImmediate(r));
          order.push(x.id);
          inFlight--;
          return a.apply(x, to, ctx);
        },
      };
    };
    const brain = new Brain({ ...env, actuators, owner: 'parallel', config });
    for (const [target, floor] of [
      ['api', 9],
      ['pgbouncer', 4],
      ['workers', 6],
    ] as const)
      await brain.requestFloor({
        target,
        floor,
        forSeconds: 3600,
        reason: 'test',
        source: { kind: 'cli', ref: 'me' },
      });
    const r = await brain.reconcile();
    const executed = r.results.filter((x) => x.outcome === 'executed').map((x) => x.target);
    expect(executed).toEqual(expect.arrayContaining(['pgbouncer', 'workers']));
    expect(most).toBeGreaterThan(1);
    // api depends on pgbouncer: it is raised once pgbouncer is ready (docs/constraints.md).
    expect(executed).not.toContain('api');
    env.clock.advance(61_000);
    const again = await brain.reconcile();
    expect(again.results.filter((x) => x.outcome === 'executed').map((x) => x.target)).toContain('api');
    expect(order.indexOf('pgbouncer')).toBeLessThan(order.indexOf('api'));
    const audit = await env.store.listAudit();
    expect(audit.filter((e) => e.action === 'step-executed').map((e) => e.target)).toEqual(
      expect.arrayContaining(['api', 'pgbouncer', 'workers']),
    );
  });
});
