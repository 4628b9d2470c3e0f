import type { Config } from '../config/types.ts';
import type { Actual, Target } from '../domain/types.ts';
import type { Clock } from './clock.ts';

export interface ApplyContext {
  /** The planner's step id (stable for one pending change). */
  stepId: string;
  reason: string;
  now: Date;
  /** Kind-specific values this actuator asked to remember on earlier applies (for restores). */
  remembered: Record<string, unknown>;
  /** The step was approved by a person or an approved campaign (downtime-causing changes need it). */
  approved: boolean;
  /** True while a campaign that includes this target is running (Karpenter disruption budgets...). */
  campaignActive: boolean;
  /** A PgBouncer target of a connection budget: the pool of each instance (planner/constraints.ts). */
  connections?: { pool: number; budget: string };
  /**
   * Kinds with a ceiling on a separate field (docs/ceilings.md): cap it at this value, or lift
   * Headroom's ceiling (null) restoring what it replaced; absent: leave the ceiling as it is.
   */
  ceiling?: number | null;
}

export interface ApplyResult {
  /** `applied`: the change was issued; `in-progress`: an earlier change is still under way. */
  status: 'applied' | 'no-op' | 'in-progress' | 'blocked';
  /** The fields Headroom owns, before and after, for the audit log. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** Values replaced by this apply that a later revert must restore (first write wins). */
  remember?: Record<string, unknown>;
  /** Keys of `remembered` that this apply restored and that can be forgotten. */
  forget?: string[];
  message?: string;
  /** `in-progress` because this apply started a change that completes later: audited `step-started`. */
  started?: boolean;
}

/**
 * One per target kind. `read` never changes anything; `apply` moves the target towards
 * `desired` (units: a count, or a tier index) and returns what it did. Expected outcomes are
 * values; outages and bugs are thrown as `ActuatorError`s.
 */
export interface Actuator<S = Record<string, unknown>> {
  read(target: Target<S>): Promise<Actual>;
  apply(target: Target<S>, desired: number, ctx: ApplyContext): Promise<ApplyResult>;
}

export type ActuatorRegistry = (target: Target) => Actuator;

/** What an actuator factory gets: the config (clusters, regions) and the clock. */
export interface ActuatorContext {
  config: Config;
  clock: Clock;
}

/**
 * Builds the actuators of one target kind (its kind module in shared/kinds/ loads it). `S` is
 * what the actuator needs from the target's spec; the kind's schema must provide it.
 */
export type ActuatorFactory<S = Record<string, unknown>> = (
  ctx: ActuatorContext,
) => (target: Target<S>) => Actuator<S>;
