import type { Config } from '../config/types.ts';
import { iso } from '../domain/time.ts';
import type { SloDecision } from '../domain/types.ts';
import type { FittedForecaster } from './forecaster.ts';
import type { Grid } from './grid.ts';
import { type SloChoice, type SloTarget, tuneQuantile } from './slo-tuning.ts';

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
