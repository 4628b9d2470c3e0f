import type { CapacitySection } from '../capacity/schema.ts';
import type { Campaign, DemandSignal, RaiseSpec, Target } from '../domain/types.ts';
import type { BacktestSection } from './backtest.ts';
import type { ConnectionBudget } from './constraints.ts';
import type { SurgeConfig } from './surge.ts';

export interface ClusterConfig {
  id: string;
  /** EKS cluster name: endpoint and CA come from DescribeCluster. */
  eksCluster?: string;
  region?: string;
  /** Assumed with STS before any call (cross-account). */
  roleArn?: string;
  /** Reach the cluster through a kubeconfig context instead of EKS (local use, other clusters). */
  kubeconfig?: { context: string; path?: string };
}

export interface RuleWhen {
  /** Alarm name, exact or glob (`*`, `?`). */
  alarm?: string;
  /** Alarm state to match; default ALARM. */
  state?: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  /** AlertManager label matchers: `value` exact, `=~regex`, `!=value`, `!~regex`. */
  alert?: Record<string, string>;
  /** Cron schedule in the config time zone. */
  cron?: string;
}

export interface RuleThen {
  target: string;
  floor?: number;
  raise?: RaiseSpec;
  forSeconds: number;
}

export interface Rule {
  name: string;
  when: RuleWhen;
  then: RuleThen;
  /** A resolved alert / an OK alarm releases the intents this rule created. */
  releaseOnResolve: boolean;
}

export interface PredictiveConfig {
  target: string;
  signal: string;
  horizonSeconds: number;
  quantile: number;
  mode: 'apply' | 'forecast-only';
  /**
   * When set, the quantile is chosen by a self-backtest on the signal's recent history (the
   * cheapest meeting the SLO); `quantile` is the fallback while the history is too short.
   */
  slo?: SloSpec;
}

export interface SloSpec {
  /** Share of minutes (percent) the target may be short of capacity. */
  maxShortMinutesPercent: number;
  /** Quantiles whose predicted cost exceeds this multiple of the oracle's are not chosen. */
  maxCostVsOracle?: number;
}

export interface Defaults {
  cooldownSeconds: number;
  scaleDownDelaySeconds: number;
  maxStepPercent: number;
  dryRun: boolean;
  /** How often the periodic reconcile runs. */
  reconcileIntervalSeconds: number;
  /** Steps applied at once by one reconcile (default 1: one after the other). */
  parallelSteps?: number;
}

/** Caps on what triggers may ask for (`limits` in headroom.yaml). */
export interface Limits {
  /** The longest intent a rule, a person or another system may create (default 30 days). */
  maxIntentSeconds: number;
}

export interface SlackAccess {
  allowedUsers: string[];
  approvers: string[];
  channels: string[];
}

export interface NotificationsConfig {
  slack?: { channel: string };
  eventBus?: { name: string };
}

/** A ceiling on a cron (`schedules:`, docs/ceilings.md), validated. */
export interface Schedule {
  name: string;
  targets: string[];
  ceiling: number;
  cron: string;
  durationSeconds: number;
  timezone: string;
  yieldsToCampaigns: boolean;
}

/** The validated, normalised configuration. */
export interface Config {
  version: 1;
  timezone: string;
  defaults: Defaults;
  limits: Limits;
  clusters: Record<string, ClusterConfig>;
  /** In declaration order. */
  targets: Target[];
  signals: Record<string, DemandSignal>;
  rules: Rule[];
  predictive: PredictiveConfig[];
  campaigns: Campaign[];
  /** Connection budgets the planner keeps every plan inside (docs/constraints.md). */
  constraints?: ConnectionBudget[];
  /** The response to unannounced surges; absent: none. */
  surge?: SurgeConfig;
  /** Ceilings on a cron (docs/ceilings.md); absent in configs built before them. */
  schedules?: Schedule[];
  access: { slack?: SlackAccess };
  notifications: NotificationsConfig;
  /** Overrides of the backtest's simulated world (defaults in shared/config/backtest.ts). */
  backtest?: BacktestSection;
  /** The capacity review's settings (`headroom capacity`, docs/capacity.md). */
  capacity?: CapacitySection;
  /** Where it was read from, for messages. */
  source?: string;
}
