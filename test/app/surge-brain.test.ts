import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Brain } from '../../shared/app/brain.ts';
import { forecastWiring } from '../../shared/app/forecast-wiring.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { toPerSecond } from '../../shared/domain/types.ts';
import type { MetricSource } from '../../shared/ports/metrics.ts';
import { CurveDemandProvider } from '../../shared/sim/demand.ts';
import { EXAMPLE_CONFIG, simBrain } from '../helpers/example.ts';

const SURGE_AT = Date.parse('2026-11-27T12:00:00Z');
const MIN = 60_000;

/** The example config with the surge response switched on. */
function surgeConfig() {
  return parseConfig(`${readFileSync(EXAMPLE_CONFIG, 'utf8')}\nsurge: { enabled: true }\n`, EXAMPLE_CONFIG);
}

describe('Function: the brain answers an unannounced surge', () => {
  it('raises pods, their dependencies and spare nodes in one step each, audits it, and releases after', async () => {
    const config = surgeConfig();
    const env = simBrain({ config, at: '2026-11-27T11:50:00Z' });
    // One-minute monitoring of the traffic signal: the simulated curve, 10x from noon for 5 minutes.
    const surging = (t: number) => t >= SURGE_AT && t < SURGE_AT + 5 * MIN;
    const observed: MetricSource = {
      history: async (signal, q) => {
        const t: number[] = [];
        const v: number[] = [];
        const until = Math.min(q.to.getTime(), env.clock.now().getTime());
        for (let m = Math.ceil(q.from.getTime() / MIN) * MIN; m + MIN <= until; m += MIN) {
          const perSecond = env.sim.demand(signal, m) * (surging(m) ? 10 : 1);
          t.push(m);
          v.push(perSecond / toPerSecond(signal, 1, 60));
        }
        return { t, v, stepSeconds: 60 };
      },
    };
    const brain = new Brain({
      ...env,
      config,
      actuators: env.sim.registry,
      demand: new CurveDemandProvider(env.sim),
      observed,
      owner: 'surge-test',
    });
    const before = { api: env.sim.value('api'), pgbouncer: env.sim.value('pgbouncer') };
    for (let t = Date.parse('2026-11-27T11:50:00Z'); t <= SURGE_AT; t += MIN) {
      env.clock.set(t);
      await brain.reconcile();
    }
    expect(env.sim.value('api')).toBe(before.api);
    // The first sample of the surge is in at 12:01.
    env.clock.set(SURGE_AT + MIN);
    const r = await brain.reconcile();
    const executed = r.results.filter((x) => x.outcome === 'executed').map((x) => x.target);
    expect(executed).toEqual(expect.arrayContaining(['api', 'pgbouncer', 'nodes', 'db-readers']));
    expect(executed).not.toContain('workers');
    expect(executed).not.toContain('db');
    const api = r.plan.targets.find((t) => t.id === 'api')!;
    expect(api.steps).toHaveLength(1);
    expect(env.sim.value('api')).toBeGreaterThan(3 * before.api);
    expect(env.sim.value('pgbouncer')).toBe(4);
    const audit = await env.store.listAudit();
    const started = audit.find(
      (e) => e.action === 'intent-created' && e.reason.startsWith('surge: observed'),
    );
    expect(started?.after).toMatchObject({ signal: 'traffic' });
    const steps = audit.filter((e) => e.action === 'step-executed' && e.target === 'api');
    expect(steps[0]!.reason).toMatch(
      /^surge: observed [\d.]+\/s at 2026-11-27T12:00:30Z is [\d.]+x the forecast's upper bound/,
    );

    // The first projection (its rise extended 150 s) is followed down to the level once its
    // instant has passed; demand is back to the curve from 12:05, the floor holds for `hold`,
    // then comes back down.
    let held = 0;
    for (let t = SURGE_AT + 2 * MIN; t <= SURGE_AT + 60 * MIN; t += MIN) {
      env.clock.set(t);
      await brain.reconcile();
      if (t === SURGE_AT + 5 * MIN) held = env.sim.value('api');
      if (t === SURGE_AT + 12 * MIN) expect(env.sim.value('api')).toBe(held);
    }
    expect(held).toBeGreaterThan(3 * before.api);
    expect(env.sim.value('api')).toBeLessThan(held);
  });

  it('reads the recent minutes only where the config asks for the response', () => {
    const env = simBrain();
    expect(forecastWiring(surgeConfig(), { sim: env.sim.metrics }).observed).toBeDefined();
    expect(forecastWiring(env.config, { sim: env.sim.metrics }).observed).toBeUndefined();
  });
});
