import { Command, Option } from 'commander';
import { readTraceCsv } from '../adapters/metrics/index.ts';
import { builtinConfig } from '../backtest/builtin-config.ts';
import { loadTrace } from '../backtest/trace.ts';
import type { Config, SloSpec } from '../config/types.ts';
import { InputError } from '../domain/errors.ts';
import { parseInstant } from '../domain/time.ts';
import { toPerSecond } from '../domain/types.ts';
import { fitForecaster, historyGrid } from '../forecast/forecaster.ts';
import { decisionHorizonFor, horizonFor } from '../forecast/provider.ts';
import { sloTargetOf } from '../forecast/slo-decisions.ts';
import { formatTune, type TuneResult } from '../forecast/slo-format.ts';
import { tuneQuantile } from '../forecast/slo-tuning.ts';
import type { Series } from '../ports/metrics.ts';
import { fromSignal } from './forecast-command.ts';
import { loadConfigOption } from './options.ts';

interface TuneOptions {
  signal?: string;
  config?: string;
  trace?: string;
  until?: string;
  target?: string;
  slo?: string;
  json?: boolean;
  cloud?: 'sim' | 'aws';
}

/** History a choice reads, as the forecast provider keeps it. */
const HISTORY_SECONDS = 14 * 86_400;
/** The SLO shown for a predictive entry that states none. */
const DEFAULT_SLO: SloSpec = { maxShortMinutesPercent: 0.5 };

/**
 * `headroom tune --signal NAME [--config F] [--trace CSV] [--until ISO] [--target ID] [--slo PCT] [--json]`:
 * the self-backtest an SLO runs (forecast/slo-tuning.ts) on the signal's last days: for each
 * candidate quantile (and no floors) the predicted short minutes and cost against the oracle,
 * and the point the SLO chooses. `--trace` alone tunes the built-in backtest service on it.
 */
export function tuneCommand(): Command {
  return new Command('tune')
    .description(
      "the cost vs short-minutes curve of a signal's predictive floors and the quantile its SLO chooses",
    )
    .option('--signal <name>', 'a signal of the configuration (the built-in service calls it traffic)')
    .option('--config <file>', 'configuration file (without it, --trace tunes the built-in backtest service)')
    .option('--trace <csv>', "the signal's history from a timestamp,value CSV file")
    .option('--until <iso>', 'cut the history here (default: now, or the end of the trace)')
    .option('--target <id>', 'one predictive target of the signal (default: all of them)')
    .option('--slo <percent>', 'short minutes allowed, percent (default: the entry slo, else 0.5)')
    .option('--json', 'print the curves as JSON')
    .addOption(
      new Option(
        '--cloud <cloud>',
        'read CloudWatch and Prometheus signals from aws or the simulator (sim)',
      ).choices(['sim', 'aws']),
    )
    .action(async function (this: Command, opts: TuneOptions) {
      if (opts.signal === undefined && opts.trace === undefined)
        this.error('error: give --signal NAME, --trace CSV or both', { exitCode: 2 });
      if (opts.config === undefined && opts.trace === undefined)
        this.error('error: without --trace, give --config with --signal', { exitCode: 2 });
      const slo = opts.slo !== undefined ? Number(opts.slo) : undefined;
      if (slo !== undefined && !(slo >= 0 && slo < 100))
        throw new InputError(`--slo: a percentage of minutes in [0, 100), got "${opts.slo}"`);
      const config =
        opts.config !== undefined
          ? loadConfigOption(opts.config)
          : builtinConfig(loadTrace(opts.trace!), 'perStep');
      const signal = opts.signal ?? Object.keys(config.signals)[0]!;
      if (!config.signals[signal])
        throw new InputError(`unknown signal "${signal}" (known: ${Object.keys(config.signals).join(', ')})`);
      const until = opts.until !== undefined ? parseInstant(opts.until, config.timezone) : undefined;
      if (opts.until !== undefined && until === undefined)
        throw new InputError(`--until: invalid time "${opts.until}" (ISO-8601)`);
      const { series, now } =
        opts.trace !== undefined
          ? traceHistory(opts.trace, until)
          : await fromSignal(config, signal, until, opts.cloud);
      const results = tune(config, signal, series, now, opts.target, slo);
      console.log(opts.json ? JSON.stringify({ signal, results }, null, 2) : formatTune(signal, results));
    });
}

function traceHistory(file: string, until: number | undefined): { series: Series; now: number } {
  const series = readTraceCsv(file);
  if (series.t.length === 0) throw new InputError(`${file}: no rows`);
  return { series, now: until ?? series.t.at(-1)! + (series.t.at(-1)! - series.t.at(-2)!) };
}

/** The self-backtest of every predictive entry of the signal (or of `only`). */
export function tune(
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
