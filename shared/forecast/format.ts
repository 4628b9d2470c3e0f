import { formatDuration } from '../domain/duration.ts';
import { iso } from '../domain/time.ts';
import type { Series } from '../ports/metrics.ts';
import type { ForecastResult } from './forecaster.ts';
import { toGrid } from './grid.ts';
import { quantileLabel } from './predictive.ts';

/** What the history looked like: size, span, gaps and range (the top of `headroom forecast`). */
export interface HistorySummary {
  points: number;
  stepSeconds: number;
  from?: string;
  to?: string;
  /** Runs of missing rows and the longest one (seconds). */
  gaps: number;
  longestGapSeconds: number;
  min?: number;
  mean?: number;
  max?: number;
}

export function summariseHistory(series: Series, until?: number): HistorySummary {
  const grid = toGrid(series, until);
  let gaps = 0;
  let run = 0;
  let longest = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i <= grid.last; i++) {
    const v = grid.v[i]!;
    if (Number.isNaN(v)) {
      if (run === 0) gaps++;
      run++;
      longest = Math.max(longest, run);
      continue;
    }
    run = 0;
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const step = grid.stepSeconds;
  return {
    points: grid.observed,
    stepSeconds: step,
    from: grid.observed > 0 ? iso(grid.start) : undefined,
    to: grid.observed > 0 ? iso(grid.start + grid.last * step * 1000) : undefined,
    gaps,
    longestGapSeconds: longest * step,
    min: grid.observed > 0 ? min : undefined,
    mean: grid.observed > 0 ? sum / grid.observed : undefined,
    max: grid.observed > 0 ? max : undefined,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** `3.4d`, `5.2h`, `17m`: a gap length people can read at a glance. */
function humanDuration(seconds: number): string {
  if (seconds >= 86_400) return `${Math.round((seconds / 86_400) * 10) / 10}d`;
  if (seconds >= 3600) return `${Math.round((seconds / 3600) * 10) / 10}h`;
  return formatDuration(seconds);
}

/**
 * The Forecast object of CONTRACTS.md. `historyPoints` counts the rows of history up to the
 * cut; `fittedPoints` the rows of the window the model was fitted on (at most 8 weeks).
 */
export function forecastJson(signal: string, history: HistorySummary, result: ForecastResult) {
  return {
    signal,
    stepSeconds: result.stepSeconds,
    historyPoints: history.points,
    fittedPoints: result.historyPoints,
    seasonality: result.seasonality,
    model: result.model,
    quantile: result.quantile,
    forecast: result.points.map((p) => ({
      t: iso(p.t),
      value: round(p.value),
      lower: round(p.lower),
      upper: round(p.upper),
    })),
  };
}

function periodName(seconds: number): string {
  if (seconds === 86_400) return 'daily';
  if (seconds === 7 * 86_400) return 'weekly';
  return formatDuration(seconds);
}

/** The human summary: history, seasonality, model and the forecast (at most `rows` rows). */
export function formatForecast(
  signal: string,
  history: HistorySummary,
  result: ForecastResult,
  rows = 48,
): string {
  const lines: string[] = [];
  const num = (x: number | undefined) => (x === undefined ? '-' : round(x).toString());
  lines.push(
    `signal ${signal}: ${history.points} points every ${formatDuration(history.stepSeconds)} from ${history.from ?? '-'} to ${history.to ?? '-'}`,
    `  range ${num(history.min)} .. ${num(history.max)} (mean ${num(history.mean)}); ${history.gaps} gap(s)${history.gaps ? `, longest ${humanDuration(history.longestGapSeconds)}` : ''} (not filled)`,
    `seasonality: ${result.seasonality.length ? result.seasonality.map(periodName).join(', ') : 'none detected'}`,
    `model: ${result.model}`,
  );
  const pts = result.points;
  if (pts.length === 0) {
    lines.push('forecast: no points in the horizon');
    return lines.join('\n');
  }
  const span = (pts.at(-1)!.t - pts[0]!.t) / 1000 + result.stepSeconds;
  const every = Math.max(1, Math.ceil(pts.length / rows));
  lines.push(
    `forecast for ${formatDuration(span)} (median, interval ${quantileLabel(1 - result.quantile)}..${quantileLabel(result.quantile)})${every > 1 ? `, every ${every}th point shown` : ''}:`,
  );
  const table = [['TIME', 'VALUE', 'LOWER', 'UPPER']];
  for (let i = 0; i < pts.length; i += every) {
    const p = pts[i]!;
    table.push([iso(p.t), num(p.value), num(p.lower), num(p.upper)]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  for (const r of table)
    lines.push(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
  return lines.join('\n');
}
