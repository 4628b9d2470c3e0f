/**
 * What the executor remembers between reconciles (per target and for the whole brain), and the
 * audit log's entries: the state store's shapes, as the planner reads them.
 */
export type Direction = 'up' | 'down';

/** Per-target memory of the executor, as the planner needs it. */
export interface TargetState {
  lastUp?: string;
  lastDown?: string;
  /** The value Headroom replaced at its first raise: the revert goes back to it. */
  original?: number;
  /**
   * The value Headroom's last applied step set, while it holds a raise: a higher actual value
   * was set by someone else, and Headroom does not lower it.
   */
  lastSet?: number;
  /** Kind-specific values replaced (an HPA's maxReplicas...), restored by the actuator. */
  remembered?: Record<string, unknown>;
  lastError?: string;
  /**
   * Write-ahead record of a step being applied: written before the actuator is called, cleared
   * once the outcome is recorded. Left behind by a crash, it tells the next reconcile to read the
   * resource and find out whether the change happened.
   */
  pending?: PendingStep;
  /** The failure of the last attempt, until a step succeeds: what the failure policy acts on. */
  failure?: TargetFailure;
  paused?: { by: string; at: string };
  /** A ceiling Headroom applied and has not lifted yet; `original` holds the value to restore. */
  ceiling?: { value: number; since: string };
}

export interface PendingStep {
  stepId: string;
  direction: Direction;
  from: number;
  to: number;
  startedAt: string;
  owner: string;
  /** This step recorded `original` (the first raise): undone if the change never happened. */
  setOriginal?: boolean;
  /** The actuator threw something other than a mapped refusal: the outcome is unknown. */
  failed?: boolean;
  ceiling?: number | null;
}

/** A step that failed: retried with backoff, or held until the config or the resource changes. */
export interface TargetFailure {
  code: string;
  message: string;
  retryable: boolean;
  /** When this failure (same code and message) first happened. */
  since: string;
  attempts: number;
  lastAttemptAt: string;
  /** Retryable failures: not tried again before this. */
  nextRetryAt?: string;
  /** Non-retryable failures: the config and resource value they happened with. */
  fingerprint?: string;
}

export interface Approval {
  stepId: string;
  decision: 'approved' | 'rejected';
  by: string;
  at: string;
}

export interface PlannerState {
  targets: Record<string, TargetState>;
  approvals: Record<string, Approval>;
  /** The whole brain paused (Slack `pause`). */
  paused?: { by: string; at: string };
}

export interface AuditEntry {
  id: string;
  at: string;
  action:
    | 'step-executed'
    | 'step-started'
    | 'step-failed'
    | 'failure-cleared'
    | 'step-recovered'
    | 'manual-change'
    | 'step-dry-run'
    | 'step-skipped'
    | 'approval-requested'
    | 'approval'
    | 'blocked'
    | 'intent-created'
    | 'intent-released'
    | 'campaign-added'
    | 'campaign-cancelled'
    | 'paused'
    | 'resumed'
    | 'campaign-outcome';
  target?: string;
  stepId?: string;
  before?: unknown;
  after?: unknown;
  reason: string;
  actor?: string;
  error?: string;
}
