import type { Config, SloSpec } from '../config/types.ts';
import { InputError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import { type SloDecision, toPerSecond } from '../domain/types.ts';
import type { Series } from '../ports/metrics.ts';
import { type FittedForecaster, fitForecaster, historyGrid } from './forecaster.ts';
import type { Grid } from './grid.ts';
import { decisionHorizonFor, horizonFor } from './provider.ts';
import type { TuneResult } from './slo-format.ts';
import { type SloChoice, type SloTarget, tuneQuantile } from './slo-tuning.ts';

/** History a choice reads, as the forecast provider keeps it. */
const HISTORY_SECONDS = 14 * 86_400;
/** The SLO `headroom tune` shows for a predictive entry that states none. */
const DEFAULT_SLO: SloSpec = { maxShortMinutesPercent: 0.5 };

/** How often a signal's SLO choices are made again (they read days of history: once a day). */
export const SLO_RETUNE_SECONDS = 86_400;

/** The predictive entries of a signal that state an SLO. */
export function sloEntries(config: Config, signal: string) {
  return config.predictive.filter((p) => p.signal === signal && p.slo);
}

/** What the self-backtest plays for a target: its capacity model, bounds and decision time. */
export function sloTargetOf(config: Config, targetId: string): SloTarget | undefined {
  const t = config.targets.find((x) => x.id === targetId);
  if (!t?.capacity) return undefined;
  return {
    perUnit: t.capacity.perUnit,
    targetUtilization: t.capacity.targetUtilization,
    min: t.bounds.min,
    max: t.bounds.max,
    decisionSeconds: t.leadTimeSeconds + t.marginSeconds,
  };
}

/** One self-backtest per predictive entry of the signal with an SLO, keyed by target. */
export function sloChoices(
  config: Config,
  signal: string,
  grid: Grid,
  fitted: FittedForecaster,
  perSecond: (v: number) => number,
  previous: Record<string, SloChoice> = {},
): Record<string, SloChoice> {
  const out: Record<string, SloChoice> = {};
  for (const p of sloEntries(config, signal)) {
    const target = sloTargetOf(config, p.target);
    if (!target) continue;
    out[p.target] = tuneQuantile({
      grid,
      perSecond,
      fitted,
      target,
      slo: p.slo!,
      fallbackQuantile: p.quantile,
      tallies: previous[p.target]?.tallies,
    });
  }
  return out;
}

/** The decision a view carries (the curve stays with `headroom tune`). */
export function sloDecision(choice: SloChoice, at: number): SloDecision {
  const d: SloDecision = {
    quantile: choice.quantile,
    fallback: choice.fallback,
    reason: choice.reason,
    at: iso(at),
  };
  if (choice.predicted)
    d.predicted = {
      shortMinutesPercent: choice.predicted.shortMinutesPercent,
      costVsOracle: choice.predicted.costVsOracle,
    };
  return d;
}

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
