/**
 * The brain's vocabulary. Everything here is plain data: no SDK, no clock, no environment.
 *
 * Capacity is always a number of "units" in the planner. For count targets a unit is a pod,
 * a spare node, a replica, an ACU...; for ladder targets (instance classes, node types) a unit
 * is the index of a tier in the target's ladder, and is shown as the tier name at the edges.
 */
import type { Direction } from './state.ts';

/** A kind's name, as in the kinds table (shared/kinds/index.ts); validation refuses any other. */
export type TargetKind = string;

/** How a target's capacity is counted. */
export type Scale = 'count' | 'ladder';

export interface Bounds {
  /** Units: a count, or a tier index for ladder targets. */
  min: number;
  max: number;
}

export interface CapacityModel {
  /** Name of a declared signal. */
  signal: string;
  /** Demand (per second, in the signal's converted unit) that one unit serves at most. */
  perUnit: number;
  /** The utilisation one unit should run at, 0 < u <= 1. */
  targetUtilization: number;
}

export interface PodResources {
  /** Millicores. */
  cpuMillis: number;
  /** Bytes. */
  memoryBytes: number;
}

/**
 * A target as the brain sees it after validation: kind-specific fields stay in `spec`
 * (the validated YAML object, durations still as written), common fields are normalised.
 */
export interface Target<S = Record<string, unknown>> {
  id: string;
  kind: TargetKind;
  scale: Scale;
  /** The field a step sets (CONTRACTS.md `set`): `minReplicas`, `instanceClass`... */
  field: string;
  /** Ladder targets only: tier names, smallest first. */
  tiers?: string[];
  bounds: Bounds;
  /** Smallest change (1 for counts, 0.5 for Aurora Serverless v2 ACUs). */
  granularity: number;
  leadTimeSeconds: number;
  /** Extra time before the lead time so capacity is ready with room to spare. */
  marginSeconds: number;
  /**
   * A dependency starts this much earlier than its own lead time, so that it is ready before its
   * dependents' first steps (config/dependencies.ts). Absent: nothing depends on it.
   */
  aheadOfDependentsSeconds?: number;
  cooldownSeconds: number;
  scaleDownDelaySeconds: number;
  maxStepPercent: number;
  dryRun: boolean;
  approval: 'none' | 'required';
  /** Ids of the targets this one is raised after (planner/dependencies.ts). */
  dependsOn: string[];
  /** Ids among `dependsOn` whose edge is soft: a blocked or unapproved dependency does not hold this target. */
  softDependsOn?: string[];
  capacity?: CapacityModel;
  /** Optional configured baseline (units) when Headroom has not recorded one. */
  baseline?: number;
  /** The cluster id for Kubernetes/EKS targets. */
  cluster?: string;
  region?: string;
  roleArn?: string;
  /** For pod workloads: the requests of one pod (used to size Karpenter headroom). */
  podResources?: PodResources;
  /** The validated kind-specific configuration (namespace, name, identifier, ...). */
  spec: S;
  /** Rules of the service on the values it accepts and how far one change moves (from the kind). */
  values?: ValueRules;
}

/**
 * What a service accepts beyond bounds and granularity, for count targets whose kind says so:
 * ElastiCache Serverless takes no ECPU/s minimum between 0 and 1,000 and a whole new minimum
 * at once; RDS storage grows by 10 % at least and never shrinks.
 */
export interface ValueRules {
  /** A value above 0 but below this is raised to it (0 stays: none). */
  leastAboveZero?: number;
  /** One change goes straight to the needed value: no `maxStepPercent` staging. */
  direct?: boolean;
  /** A raise is at least this many percent (RDS storage: 10), within bounds. */
  minRaisePercent?: number;
  /** Never lowered: why (shown instead of a scale-down). */
  neverLowered?: string;
}

export type SignalSource = 'cloudwatch' | 'prometheus' | 'csv' | 'sim';

export interface DemandSignal {
  name: string;
  source: SignalSource;
  /**
   * What one value of the source counts: requests per second, per minute, per hour, or per
   * step of the series (a trace's count per interval). `toPerSecond` converts.
   */
  unit: 'perSecond' | 'perMinute' | 'perHour' | 'perStep';
  /** Configured baseline demand per second, used when nothing has been observed yet. */
  baselinePerSecond?: number;
  spec: Record<string, unknown>;
}

export interface RaiseSpec {
  value: number;
  percent: boolean;
}

export type SourceKind =
  | 'alarm'
  | 'alert'
  | 'cron'
  | 'slack'
  | 'cli'
  | 'campaign'
  | 'forecast'
  | 'event'
  | 'schedule'
  | 'surge';

export interface IntentSource {
  kind: SourceKind;
  /** The rule, alarm, alert fingerprint, campaign, user... that caused it. */
  ref: string;
}

/**
 * A wish for a floor on one target over a time window. Relative raises are resolved to an
 * absolute floor against the actual capacity when the intent is created.
 */
export interface Intent {
  id: string;
  target: string;
  /** Absolute floor in units. */
  floor: number;
  /** The relative raise this floor came from, for explanations. */
  raise?: RaiseSpec;
  /** ISO-8601 instants. */
  from: string;
  until: string;
  reason: string;
  source: IntentSource;
  /** Campaign name when the intent belongs to a campaign. */
  campaign?: string;
  /** Rule name when a rule created it. */
  rule?: string;
  /** Advisory intents (forecast-only) are explained but never applied. */
  advisory?: boolean;
  /** An approved campaign carries approval for the steps it causes. */
  approved?: boolean;
  /** A surge already here (shared/app/surge-intents.ts): one step to the floor, no staging, no cooldown. */
  urgent?: boolean;
  /** A ceiling (docs/ceilings.md): an upper bound in units over the window; `floor` is then 0. */
  ceiling?: number;
  /** A ceiling that a campaign floor on the target lifts while the campaign holds. */
  yieldsToCampaigns?: boolean;
  createdAt: string;
}

export interface Campaign {
  name: string;
  /** ISO-8601 instant. */
  start: string;
  durationSeconds: number;
  multiplier: number;
  targets: string[];
  /** Explicit per-target floors (units; tier names are resolved at validation). */
  floors?: Record<string, number>;
  approved?: boolean;
  createdBy?: string;
  cancelled?: boolean;
  /** A recurring campaign's series (learning: its next multiplier from the last ones). */
  series?: string;
}

/** What an actuator reports about a target right now. */
export interface Actual {
  /** The value Headroom steers (floor, count, tier index) as configured now. */
  value: number;
  /** Capacity that is ready to serve now (units); defaults to value. */
  ready?: number;
  /** A change is under way and the target cannot take another one yet. */
  busy?: string;
  /** Someone else holds the target (a paused ScaledObject, a manual hold). */
  blocked?: string;
  /** A change of this target causes downtime (Single-AZ class change): needs approval. */
  risk?: string;
  /** Kind-specific facts for explanations and the API (currentReplicas, status...). */
  details?: Record<string, unknown>;
  /** Who last changed the steered field, where the API tells (a Kubernetes field manager). */
  changedBy?: string;
  /** For pod workloads: the requests of one pod, when the actuator can read them. */
  podResources?: PodResources;
  /** A ceiling Headroom set that is in force on a separate field (an HPA's maxReplicas). */
  ceiling?: number;
}

export type Decision = 'no-op' | 'scale-up' | 'scale-down' | 'wait' | 'needs-approval' | 'blocked';

export interface Step {
  /** Stable while the same change is pending: approvals refer to it. */
  id: string;
  target: string;
  /** ISO instant at which the step is due. */
  at: string;
  direction: Direction;
  from: number;
  to: number;
  /** Kind-specific field and display value, as in CONTRACTS.md (`{ "minReplicas": 9 }`). */
  set: Record<string, number | string>;
  needsApproval?: boolean;
  dryRun?: boolean;
  /** The step sets a ceiling (a number) or lifts Headroom's ceiling (null): docs/ceilings.md. */
  ceiling?: number | null;
  /** A PgBouncer pool-only step (the replicas stay): the pool each instance is to have. */
  pool?: number;
}

export interface TargetPlan {
  id: string;
  kind: TargetKind;
  /** Count, or tier name for ladder targets. */
  actual: number | string | null;
  desired: number | string | null;
  decision: Decision;
  reasons: string[];
  steps: Step[];
}

export interface Plan {
  at: string;
  targets: TargetPlan[];
}

/** Demand per second from one value of a signal measured over `stepSeconds`. */
export function toPerSecond(signal: Pick<DemandSignal, 'unit'>, value: number, stepSeconds: number): number {
  switch (signal.unit) {
    case 'perSecond':
      return value;
    case 'perMinute':
      return value / 60;
    case 'perHour':
      return value / 3600;
    case 'perStep':
      return value / stepSeconds;
  }
}

export type { DemandView, SloDecision } from './demand-view.ts';
export type {
  Approval,
  AuditEntry,
  Direction,
  PendingStep,
  PlannerState,
  TargetFailure,
  TargetState,
} from './state.ts';
