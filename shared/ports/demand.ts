import type { Config } from '../config/types.ts';
import type { DemandView, Intent } from '../domain/types.ts';

/** Expected demand per signal for this reconcile (forecasts, or the simulated curves). */
export interface DemandProvider {
  /** `until`: the latest instant the views should cover (upcoming campaign windows). */
  demand(
    config: Config,
    now: Date,
    until: Date,
    context?: DemandContext,
  ): Promise<Record<string, DemandView>>;
}

export interface DemandContext {
  /**
   * Windows (epoch ms) whose history is not baseline demand: campaigns that ran or are running.
   * A forecaster leaves them out, so campaign demand (multiplier x the forecast) is computed
   * from the forecast without the campaign and a surge never compounds into its own floor.
   */
  exclude?: { from: number; to: number }[];
}

/** Turns demand into predictive intents (the forecasting module's `predictiveIntents`). */
export type PredictiveIntents = (config: Config, demand: Record<string, DemandView>, now: Date) => Intent[];
