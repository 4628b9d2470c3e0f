/**
 * Expected demand per second for one signal over the coming hours, as the planner and the
 * campaign logic consume it. Built by the app layer from metric history and the forecaster.
 */
export interface DemandView {
  signal: string;
  /** Forecast points (epoch ms), demand per second; `upper` is the bound `quantile` picks. */
  points: { t: number; value: number; lower: number; upper: number }[];
  stepSeconds: number;
  quantile: number;
  model: string;
  /** The last observed demand per second, if any. */
  observedPerSecond?: number;
  /** The newest row, campaign windows included (observedPerSecond skips them): what a campaign brought. */
  latest?: { t: number; perSecond: number };
  /**
   * Upper bounds at the other quantiles configured for this signal, aligned with `points`,
   * keyed by the quantile as a string (`"0.9"`): two predictive targets on one signal may ask
   * for different quantiles.
   */
  upperByQuantile?: Record<string, number[]>;
  /** Per predictive target with an `slo`: the quantile its self-backtest chose (its bounds are in upperByQuantile). */
  slo?: Record<string, SloDecision>;
}

/** The quantile an SLO chose for a predictive target (forecast/slo-tuning.ts). */
export interface SloDecision {
  /** null: no floors (the reactive autoscaler alone meets the SLO). */
  quantile: number | null;
  /** True while the history is too short: the configured quantile. */
  fallback: boolean;
  reason: string;
  /** The chosen point's predicted score on the evaluated history. */
  predicted?: { shortMinutesPercent: number; costVsOracle: number };
  /** When it was chosen (ISO). */
  at: string;
}
