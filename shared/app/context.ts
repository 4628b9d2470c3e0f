import type { Config } from '../config/types.ts';
import type { Campaign, Target } from '../domain/types.ts';
import type { ActualOrFailure } from '../planner/plan.ts';
import type { ActuatorRegistry } from '../ports/actuator.ts';
import type { Clock } from '../ports/clock.ts';
import type { DemandProvider, PredictiveIntents } from '../ports/demand.ts';
import type { Logger } from '../ports/logger.ts';
import type { MetricSource } from '../ports/metrics.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { PhaseScheduler } from '../ports/scheduler.ts';
import type { Repo } from '../state/repo.ts';

export interface BrainDeps {
  config: Config;
  repo: Repo;
  actuators: ActuatorRegistry;
  clock: Clock;
  notifier: Notifier;
  demand?: DemandProvider;
  predictive?: PredictiveIntents;
  /**
   * Recent observed demand at one-minute steps, for the surge detector (`surge:` in the
   * config); without it no surge is detected.
   */
  observed?: MetricSource;
  scheduler?: PhaseScheduler;
  logger?: Logger;
  /** Lease owner id of this process or invocation. */
  owner: string;
  /** Jitter of the executor's retry backoff (default Math.random). */
  random?: () => number;
  /**
   * How long a claimed idempotency key stays "in progress" before a redelivery may redo the
   * work: the function's timeout (a process that died cannot hold it longer). Default 60 s.
   */
  inProgressSeconds?: number;
}

/** What a use case is given by the Brain facade: its dependencies and the lookups they share. */
export interface BrainContext {
  readonly config: Config;
  readonly deps: BrainDeps;
  /** How long a claimed idempotency key counts as in progress (the function timeout). */
  readonly inProgressSeconds: number;
  target(id: string): Target;
  readActuals(): Promise<Record<string, ActualOrFailure>>;
  readonly log: Logger;
  /** The stored campaign calendar. */
  campaigns(now: Date): Promise<Campaign[]>;
}
