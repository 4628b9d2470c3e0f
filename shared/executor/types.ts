/** What the executor is given and what it reports per step. */
import type { ActuatorRegistry } from '../ports/actuator.ts';
import type { Clock } from '../ports/clock.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { Repo } from '../state/repo.ts';

export interface ExecutorDeps {
  repo: Repo;
  actuators: ActuatorRegistry;
  clock: Clock;
  notifier: Notifier;
  /** The process or invocation; each `execute` call holds its leases as `<owner>:<random>`. */
  owner: string;
  /** Lease time: longer than any single actuator call. */
  leaseSeconds?: number;
  /** The jitter of retry backoff (default Math.random); tests inject a fixed one. */
  random?: () => number;
}

export type StepOutcome =
  | 'executed'
  | 'dry-run'
  | 'already-done'
  | 'stale'
  | 'leased-elsewhere'
  | 'in-progress'
  | 'cooldown'
  | 'backoff'
  | 'blocked'
  | 'failed'
  | 'approval-requested';

export interface StepResult {
  target: string;
  stepId: string;
  outcome: StepOutcome;
  message?: string;
}
