import path from 'node:path';
import { metricSources } from '../adapters/metrics/index.ts';
import type { Config } from '../config/types.ts';
import { predictiveIntents } from '../forecast/predictive.ts';
import { ForecastDemandProvider } from '../forecast/provider.ts';
import type { DemandProvider, PredictiveIntents } from '../ports/demand.ts';
import type { Logger } from '../ports/logger.ts';
import type { MetricSource } from '../ports/metrics.ts';

export interface ForecastWiring {
  demand: DemandProvider;
  predictive: PredictiveIntents;
  /** Recent one-minute demand for the surge detector, when the config enables `surge`. */
  observed?: MetricSource;
}

/**
 * The forecasting half of a brain: demand from each signal's metric history through the
 * forecaster, and predictive intents from capacity models. On the simulated cloud, CloudWatch
 * and Prometheus signals are read from the simulator's demand curves (8 days at 5-minute
 * steps: the daily shape, cheap enough for `plan`); CSV signals always from their file.
 */
export function forecastWiring(
  config: Config,
  opts: { sim?: MetricSource; logger?: Logger; baseDir?: string } = {},
): ForecastWiring {
  const baseDir = opts.baseDir ?? (config.source ? path.dirname(path.resolve(config.source)) : process.cwd());
  const metrics = opts.sim
    ? metricSources({ sim: opts.sim, simulateAll: true, baseDir })
    : metricSources({ baseDir });
  const demand = opts.sim
    ? new ForecastDemandProvider({
        metrics,
        historySeconds: 8 * 86_400,
        stepSeconds: 300,
        logger: opts.logger,
      })
    : new ForecastDemandProvider({ metrics, logger: opts.logger });
  // The surge detector reads the same sources, the last minutes at one-minute steps.
  return { demand, predictive: predictiveIntents, observed: config.surge?.enabled ? metrics : undefined };
}
