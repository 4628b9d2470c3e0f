import type { SimSettings } from '../config/backtest.ts';
import { predictiveIntents } from '../forecast/predictive.ts';
import { ForecastDemandProvider } from '../forecast/provider.ts';
import type { Forecasting } from './policies.ts';

/**
 * The production forecasting path for the headroom policy: the ForecastDemandProvider reading
 * the trace's history up to the simulated now, and the predictive intents from capacity
 * models. Its forecast is refreshed every `forecastRefit` (default 60 s: every reconcile, as
 * in production; a refresh reads the new rows into the kept history and costs tens of
 * microseconds) and its model chosen again every `forecastReselect` (default 1 d, coarser than
 * production's 6 h so a month replays in seconds: choosing a model is the costly part).
 */
export function productionForecasting(settings: SimSettings): Forecasting {
  return {
    provider: (metrics) =>
      new ForecastDemandProvider({
        metrics,
        refitSeconds: settings.forecastRefitSeconds,
        reselectSeconds: settings.forecastReselectSeconds,
      }),
    predictive: predictiveIntents,
  };
}
