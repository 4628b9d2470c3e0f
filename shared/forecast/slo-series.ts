import type { Config, SloSpec } from '../config/types.ts';
import { InputError } from '../domain/errors.ts';
import { toPerSecond } from '../domain/types.ts';
import type { Series } from '../ports/metrics.ts';
import { fitForecaster, historyGrid } from './forecaster.ts';
import { decisionHorizonFor, horizonFor } from './provider.ts';
import { sloTargetOf } from './slo-decisions.ts';
import type { TuneResult } from './slo-format.ts';
import { tuneQuantile } from './slo-tuning.ts';

/** History a choice reads, as the forecast provider keeps it. */
const HISTORY_SECONDS = 14 * 86_400;
/** The SLO `headroom tune` shows for a predictive entry that states none. */
const DEFAULT_SLO: SloSpec = { maxShortMinutesPercent: 0.5 };

/**
 * The self-backtest of every predictive entry of the signal (or of `only`) on a series, as
 * `headroom tune` and `forecast` show it; `slo` overrides the entries' SLO (percent).
 */
export function tuneSeries(
  config: Config,
  signal: string,
  series: Series,
  now: number,
  only?: string,
  slo?: number,
): TuneResult[] {
  const entries = config.predictive.filter(
    (p) => p.signal === signal && (only === undefined || p.target === only),
  );
  if (entries.length === 0)
    throw new InputError(
      only !== undefined
        ? `no predictive entry for target "${only}" on signal ${signal}`
        : `signal ${signal} has no predictive entries: nothing to tune`,
    );
  // The rows complete by now, as the forecast provider reads them (the row stamped now is still counting).
  const grid = historyGrid(series, { now: now - 1, historySeconds: HISTORY_SECONDS });
  if (grid.observed < 12) throw new InputError(`signal ${signal}: too little history to forecast`);
  const fitted = fitForecaster(grid, horizonFor(config, signal), decisionHorizonFor(config, signal));
  const signalConfig = config.signals[signal]!;
  return entries.map((p) => {
    const spec: SloSpec =
      slo !== undefined ? { ...p.slo, maxShortMinutesPercent: slo } : (p.slo ?? DEFAULT_SLO);
    const choice = tuneQuantile({
      grid,
      perSecond: (v) => toPerSecond(signalConfig, v, grid.stepSeconds),
      fitted,
      target: sloTargetOf(config, p.target)!,
      slo: spec,
      fallbackQuantile: p.quantile,
    });
    return {
      target: p.target,
      slo: spec,
      configured: p.slo !== undefined,
      model: fitted.description,
      ...choice,
    };
  });
}
