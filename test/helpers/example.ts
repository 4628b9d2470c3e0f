import path from 'node:path';
import { Brain } from '../../shared/app/brain.ts';
import { loadConfigFile } from '../../shared/app/config-file.ts';
import type { Config } from '../../shared/config/types.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import type { StateStore } from '../../shared/ports/state.ts';
import { SimCloud, type SimOptions } from '../../shared/sim/cloud.ts';
import { CurveDemandProvider } from '../../shared/sim/demand.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';

/** The team's reference configuration, beside the repository. */
export const EXAMPLE_CONFIG = path.resolve(import.meta.dirname, '../../../shared/spec/headroom.example.yaml');
export const TRACES = path.resolve(import.meta.dirname, '../../../shared/traces');

export function exampleConfig(): Config {
  return loadConfigFile(EXAMPLE_CONFIG);
}

/** A brain on the simulated cloud with a manual clock and an in-memory store. */
export function simBrain(
  opts: { config?: Config; at?: string; store?: StateStore; sim?: Partial<SimOptions>; owner?: string } = {},
) {
  const config = opts.config ?? exampleConfig();
  const clock = new ManualClock(opts.at ?? '2026-11-27T18:00:00Z');
  const sim = new SimCloud(config, { clock, ...opts.sim });
  const store = opts.store ?? new MemoryStateStore();
  const repo = new Repo(store);
  const notifier = new MemoryNotifier();
  const brain = new Brain({
    config,
    repo,
    actuators: sim.registry,
    clock,
    notifier,
    demand: new CurveDemandProvider(sim),
    owner: opts.owner ?? 'test',
  });
  return { config, clock, sim, store, repo, notifier, brain };
}
