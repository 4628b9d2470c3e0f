import { predictiveIntents } from '../forecast/predictive.ts';
import { ForecastDemandProvider } from '../forecast/provider.ts';
import type { Forecasting } from './policies.ts';
import type { SimSettings } from './settings.ts';

/**
 * The production forecasting path for the headroom policy: the ForecastDemandProvider reading
 * the trace's history up to the simulated now, and the predictive intents from capacity
 * models. Its cached forecast is refreshed every `forecastRefit` and its model chosen again every
 * `forecastReselect` of simulated time (2 h and 1 d by default: coarser than production's
 * 15 min and 6 h so a month replays in seconds; on NASA's month the scores barely move: 1 h,
 * 2 h and 30 min give 310, 301 and 328 short minutes at 1.35-1.37x the oracle's cost; set
 * them to 15m and 6h to replay production exactly).
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
