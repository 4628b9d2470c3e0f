import { Command, Option } from 'commander';
import { readTraceCsv } from '../adapters/metrics/index.ts';
import { builtinConfig } from '../backtest/builtin-config.ts';
import { loadTrace } from '../backtest/trace.ts';
import { InputError } from '../domain/errors.ts';
import { parseInstant } from '../domain/time.ts';
import { formatTune } from '../forecast/slo-format.ts';
import { tuneSeries } from '../forecast/slo-series.ts';
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
      const results = tuneSeries(config, signal, series, now, opts.target, slo);
      console.log(opts.json ? JSON.stringify({ signal, results }, null, 2) : formatTune(signal, results));
    });
}

function traceHistory(file: string, until: number | undefined): { series: Series; now: number } {
  const series = readTraceCsv(file);
  if (series.t.length === 0) throw new InputError(`${file}: no rows`);
  return { series, now: until ?? series.t.at(-1)! + (series.t.at(-1)! - series.t.at(-2)!) };
}
