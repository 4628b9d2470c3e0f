import type { Series } from '../ports/metrics.ts';
import { type Grid, maskWindows, tail, toGrid } from './grid.ts';
import { ForecastHistory, type HistoryReader } from './history.ts';
import {
  describeProfile,
  fitProfile,
  type ProfileModel,
  type ProfilePoint,
  predictProfile,
  predictProfileUppers,
} from './profile-model.ts';

/**
 * The pure forecaster: metric history in, seasonality, a point forecast and a prediction
 * interval out. No clock, no I/O; `now` is a parameter (default: the last observation).
 */

export interface ForecastOptions {
  horizonSeconds: number;
  /** The upper bound is the q-quantile of the forecast error distribution; lower is 1 - q. */
  quantile: number;
  /** Epoch ms. History after it is ignored; the forecast starts after it. */
  now?: number;
  /** History used for fitting (default 8 weeks; older rows do not change the model). */
  historySeconds?: number;
  /** Windows whose rows are treated as missing (campaign surges are not baseline demand). */
  exclude?: { from: number; to: number }[];
}

export interface ForecastPoint {
  t: number;
  value: number;
  lower: number;
  upper: number;
}

export interface ForecastResult {
  stepSeconds: number;
  /** Seasonal periods detected in the history, in seconds (86400 daily, 604800 weekly). */
  seasonality: number[];
  model: string;
  quantile: number;
  /** Values in the series' own unit per step, like the history. */
  points: ForecastPoint[];
  /** Observed rows the model was fitted on (gaps excluded). */
  historyPoints: number;
  /** The last observation used (epoch ms and value), if any. */
  lastObserved?: { t: number; value: number };
}

/** Default history a fit looks at: 8 weeks covers the weekly profile and a week of evaluation. */
export const DEFAULT_HISTORY_SECONDS = 8 * 7 * 86_400;

/** A fitted forecaster that can be re-run on newer data without refitting (see provider.ts). */
export interface FittedForecaster {
  model: ProfileModel;
  description: string;
  seasonality: number[];
}

/** The history a forecast at `now` may use, on a grid, with excluded windows blanked. */
export function historyGrid(
  series: Series,
  opts: Pick<ForecastOptions, 'now' | 'historySeconds' | 'exclude'>,
): Grid {
  const grid = toGrid(series, opts.now);
  const slots = Math.ceil((opts.historySeconds ?? DEFAULT_HISTORY_SECONDS) / grid.stepSeconds);
  return maskWindows(tail(grid, slots), opts.exclude ?? []);
}

/**
 * Chooses and calibrates the model on a history grid for forecasts up to `horizonSeconds`;
 * `selectionSeconds` (when shorter) is how far ahead the forecast decides something, and the
 * variant is chosen by its accuracy there (intervals still cover the whole horizon).
 */
export function fitForecaster(
  grid: Grid,
  horizonSeconds: number,
  selectionSeconds?: number,
): FittedForecaster {
  const slots = (s: number) => Math.max(1, Math.ceil(s / grid.stepSeconds));
  const model = fitProfile(grid, {
    horizonSlots: slots(horizonSeconds),
    selectionSlots: selectionSeconds === undefined ? undefined : slots(selectionSeconds),
  });
  return { model, description: describeProfile(model), seasonality: [...model.periods] };
}

/** The forecast from `originMs` for `horizonSeconds` with a fitted model, over a history (history.ts). */
export function predict(
  fitted: FittedForecaster,
  history: HistoryReader,
  originMs: number,
  horizonSeconds: number,
  quantile: number,
): ProfilePoint[] {
  return predictProfile(fitted.model, history, originMs, originMs + horizonSeconds * 1000, quantile);
}

/** The upper bounds at several quantiles from `originMs` for `horizonSeconds` (one projection). */
export function predictUppers(
  fitted: FittedForecaster,
  history: HistoryReader,
  originMs: number,
  horizonSeconds: number,
  quantiles: number[],
): { t: number; upper: number[] }[] {
  return predictProfileUppers(fitted.model, history, originMs, originMs + horizonSeconds * 1000, quantiles);
}

/**
 * Fits and forecasts in one call: the next `horizonSeconds` after `now` at the series' step.
 * Throws a RangeError when the history has too few observed points to fit anything.
 */
export function forecastSeries(series: Series, opts: ForecastOptions): ForecastResult {
  if (!(opts.quantile > 0 && opts.quantile < 1))
    throw new RangeError(`quantile must be in (0, 1), got ${opts.quantile}`);
  if (!(opts.horizonSeconds > 0))
    throw new RangeError(`horizon must be positive, got ${opts.horizonSeconds}s`);
  const grid = historyGrid(series, opts);
  const fitted = fitForecaster(grid, opts.horizonSeconds);
  const lastT = grid.start + grid.last * grid.stepSeconds * 1000;
  const origin = opts.now ?? lastT;
  return {
    stepSeconds: grid.stepSeconds,
    seasonality: fitted.seasonality,
    model: fitted.description,
    quantile: opts.quantile,
    points: predict(
      fitted,
      ForecastHistory.fromGrid(grid, fitted.model.transform),
      origin,
      opts.horizonSeconds,
      opts.quantile,
    ),
    historyPoints: grid.observed,
    lastObserved: grid.last >= 0 ? { t: lastT, value: grid.v[grid.last]! } : undefined,
  };
}
