import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openSqliteStateStore } from '../adapters/state/sqlite.ts';
import { awsActuators } from '../app/actuators.ts';
import { Brain } from '../app/brain.ts';
import { forecastWiring } from '../app/forecast-wiring.ts';
import type { Config } from '../config/types.ts';
import type { ActuatorRegistry } from '../ports/actuator.ts';
import type { Clock } from '../ports/clock.ts';
import { ManualClock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import { type Notifier, nullNotifier } from '../ports/notifier.ts';
import type { PhaseScheduler } from '../ports/scheduler.ts';
import type { StateStore } from '../ports/state.ts';
import { SimCloud, type SimTargetState } from '../sim/cloud.ts';
import { Repo } from '../state/repo.ts';
import { cliClock } from './clock.ts';

export interface RuntimeOptions {
  config: Config;
  cloud: 'sim' | 'aws';
  /** Directory of the embedded store (default `.headroom`). */
  stateDir?: string;
  store?: StateStore;
  /** A fixed time (plan --at): the clock stands still there. */
  now?: Date;
  clock?: Clock;
  logger?: Logger;
  notifier?: Notifier;
  scheduler?: PhaseScheduler;
}

export interface Runtime {
  brain: Brain;
  sim?: SimCloud;
  store: StateStore;
  clock: Clock;
  close(): Promise<void>;
}

/** The simulated cloud of a state directory, beside the store: `dev` writes it, `plan` reads it. */
export const SIM_FILE = 'sim-cloud.json';

function loadSim(sim: SimCloud, file: string): void {
  if (!existsSync(file)) return;
  try {
    sim.restore(JSON.parse(readFileSync(file, 'utf8')) as Record<string, SimTargetState>);
  } catch {
    // A torn or foreign file: start from the configured baselines, as a fresh directory does.
  }
}

/** The simulator's actuators, saving the simulated cloud after every change they apply. */
function persisted(sim: SimCloud, file: string): ActuatorRegistry {
  const save = () => {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(sim.snapshot()));
    renameSync(tmp, file);
  };
  const actuator = {
    read: (t: Parameters<typeof sim.actuator.read>[0]) => sim.actuator.read(t),
    apply: async (...args: Parameters<typeof sim.actuator.apply>) => {
      const r = await sim.actuator.apply(...args);
      if (r.status === 'applied') save();
      return r;
    },
  };
  return () => actuator;
}

/** Wires the brain for the command line and `dev`: the embedded store and a cloud. */
export async function openRuntime(opts: RuntimeOptions): Promise<Runtime> {
  const clock = opts.clock ?? (opts.now ? new ManualClock(opts.now) : cliClock());
  let store = opts.store;
  if (!store) {
    const dir = opts.stateDir ?? '.headroom';
    mkdirSync(dir, { recursive: true });
    store = openSqliteStateStore(path.join(dir, 'state.db'));
  }
  const sim = opts.cloud === 'sim' ? new SimCloud(opts.config, { clock }) : undefined;
  const simFile = sim && !opts.store ? path.join(opts.stateDir ?? '.headroom', SIM_FILE) : undefined;
  if (sim && simFile) loadSim(sim, simFile);
  const brain = new Brain({
    config: opts.config,
    repo: new Repo(store),
    actuators: sim ? (simFile ? persisted(sim, simFile) : sim.registry) : awsActuators(opts.config, clock),
    clock,
    notifier: opts.notifier ?? nullNotifier,
    // Forecasts from metric history: the simulator's own history on --cloud sim.
    ...forecastWiring(opts.config, { sim: sim?.metrics, logger: opts.logger }),
    scheduler: opts.scheduler,
    logger: opts.logger,
    owner: `cli-${randomUUID().slice(0, 8)}`,
  });
  return { brain, sim, store, clock, close: () => store.close() };
}
