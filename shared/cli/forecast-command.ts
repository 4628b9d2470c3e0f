import path from 'node:path';
import { Command, Option } from 'commander';
import { metricSources, readTraceCsv } from '../adapters/metrics/index.ts';
import type { Config } from '../config/types.ts';
import { parseDuration } from '../domain/duration.ts';
import { HeadroomError, InputError } from '../domain/errors.ts';
import { parseInstant } from '../domain/time.ts';
import type { DemandSignal } from '../domain/types.ts';
import { forecastSeries } from '../forecast/forecaster.ts';
import { forecastJson, formatForecast, summariseHistory } from '../forecast/format.ts';
import { horizonFor, quantilesFor } from '../forecast/provider.ts';
import { sloEntries } from '../forecast/slo-decisions.ts';
import { tuneSeries } from '../forecast/slo-series.ts';
import { ManualClock } from '../ports/clock.ts';
import type { Series } from '../ports/metrics.ts';
import { SimCloud } from '../sim/cloud.ts';
import { loadConfigOption } from './options.ts';

interface ForecastOptions {
  signal?: string;
  trace?: string;
  config?: string;
  until?: string;
  horizon?: string;
  quantile?: string;
  json?: boolean;
  /** Unset: a signal read from CloudWatch or Prometheus is refused rather than simulated. */
  cloud?: 'sim' | 'aws';
}

const SOURCE_NAMES: Partial<Record<DemandSignal['source'], string>> = {
  cloudwatch: 'CloudWatch',
  prometheus: 'Prometheus',
};

/** A trace's default horizon: one day shows the daily shape whatever the trace's step. */
const TRACE_HORIZON_SECONDS = 86_400;
/** History read for a configured signal: what CloudWatch keeps at 1-minute resolution. */
const SIGNAL_HISTORY_SECONDS = 14 * 86_400;

/**
 * `headroom forecast (--signal NAME [--config F] | --trace CSV) [--until ISO] [--horizon D] [--json]`:
 * the history summary, the detected seasonality and the forecast with its interval, in the
 * signal's own unit per step (CONTRACTS.md, Forecast JSON).
 */
export function forecastCommand(): Command {
  return new Command('forecast')
    .description('the forecast a signal gets: history, seasonality, forecast and interval')
    .option('--signal <name>', 'a signal of the configuration')
    .option('--config <file>', 'configuration file (with --signal)')
    .option('--trace <csv>', 'a timestamp,value CSV file instead of a configured signal')
    .option('--until <iso>', 'cut the history here (default: now, or the end of the trace)')
    .option(
      '--horizon <duration>',
      'how far ahead (default: the predictive horizon, else 2h; 1d for --trace)',
    )
    .option('--quantile <q>', 'upper bound quantile (default: the configured one, else 0.95)')
    .option('--json', 'print the Forecast object')
    .addOption(
      new Option(
        '--cloud <cloud>',
        'read CloudWatch and Prometheus signals from the real sources (aws) or the simulator (sim); required for them',
      ).choices(['sim', 'aws']),
    )
    .action(async function (this: Command, opts: ForecastOptions) {
      if ((opts.signal === undefined) === (opts.trace === undefined))
        this.error('error: give exactly one of --signal NAME or --trace CSV', { exitCode: 2 });
      const config = opts.signal !== undefined ? loadConfigOption(opts.config) : undefined;
      const until = opts.until !== undefined ? parseInstant(opts.until, config?.timezone) : undefined;
      if (opts.until !== undefined && until === undefined)
        throw new InputError(`--until: invalid time "${opts.until}" (ISO-8601)`);
      const horizon = opts.horizon !== undefined ? parseDuration(opts.horizon) : undefined;
      if (opts.horizon !== undefined && !(horizon !== undefined && horizon > 0))
        throw new InputError(`--horizon: invalid duration "${opts.horizon}" (use 90s, 5m, 2h, 1d)`);
      const quantile = opts.quantile !== undefined ? Number(opts.quantile) : undefined;
      if (quantile !== undefined && !(quantile > 0.5 && quantile < 1))
        throw new InputError(`--quantile: must be between 0.5 and 1, got "${opts.quantile}"`);

      try {
        const { name, series, now, horizonSeconds, q } = config
          ? await fromSignal(config, opts.signal!, until, opts.cloud)
          : fromTrace(opts.trace!, until);
        const result = forecastSeries(series, {
          horizonSeconds: horizon ?? horizonSeconds,
          quantile: quantile ?? q,
          now,
        });
        const history = summariseHistory(series, now);
        // The quantile each predictive entry's SLO chooses on this history, and its predicted score.
        const slo =
          config && sloEntries(config, name).length > 0 ? sloLines(config, name, series, now) : undefined;
        console.log(
          opts.json
            ? JSON.stringify(
                { ...forecastJson(name, history, result), ...(slo ? { slo: slo.json } : {}) },
                null,
                2,
              )
            : [formatForecast(name, history, result), ...(slo?.text ?? [])].join('\n'),
        );
      } catch (err) {
        // A source that cannot answer or a history too short to fit: exit 1 with the reason.
        if (err instanceof HeadroomError && !(err instanceof InputError)) throw new InputError(err.message);
        if (err instanceof RangeError) throw new InputError(err.message);
        throw err;
      }
    });
}

function fromTrace(file: string, until: number | undefined) {
  const all = readTraceCsv(file);
  if (all.t.length === 0) throw new InputError(`${file}: no rows`);
  const now = until ?? all.t.at(-1)!;
  return {
    name: path.basename(file).replace(/\.csv$/i, ''),
    series: all,
    now,
    horizonSeconds: TRACE_HORIZON_SECONDS,
    q: 0.95,
  };
}

function sloLines(config: Config, signal: string, series: Series, now: number) {
  const results = tuneSeries(config, signal, series, now).filter((r) => r.configured);
  return {
    json: results.map((r) => ({
      target: r.target,
      quantile: r.quantile,
      fallback: r.fallback,
      reason: r.reason,
      ...(r.predicted ? { predicted: r.predicted } : {}),
    })),
    text: results.map(
      (r) => `slo ${r.target}: ${r.reason} (headroom tune --signal ${signal} shows the curve)`,
    ),
  };
}

/** A configured signal's history up to `until` (default now), read as `forecast` and the provider read it. */
export async function fromSignal(
  config: Config,
  name: string,
  until: number | undefined,
  cloud: 'sim' | 'aws' | undefined,
) {
  const signal: DemandSignal | undefined = config.signals[name];
  if (!signal)
    throw new InputError(
      `unknown signal "${name}" (known: ${Object.keys(config.signals).join(', ') || 'none'})`,
    );
  const remote = SOURCE_NAMES[signal.source];
  if (remote && cloud === undefined)
    throw new InputError(
      `signal ${name} is read from ${remote}: pass --cloud aws to forecast its real history (--cloud sim forecasts the simulator's made-up history instead)`,
    );
  const now = until ?? Date.now();
  const sim = cloud !== 'aws' ? new SimCloud(config, { clock: new ManualClock(now) }) : undefined;
  const baseDir = config.source ? path.dirname(path.resolve(config.source)) : process.cwd();
  const metrics = metricSources({ sim: sim?.metrics, simulateAll: cloud === 'sim', baseDir });
  const series: Series = await metrics.history(signal, {
    from: new Date(now - SIGNAL_HISTORY_SECONDS * 1000),
    to: new Date(now),
    stepSeconds: 60,
  });
  if (series.t.length === 0)
    throw new InputError(`signal ${name}: no history up to ${new Date(now).toISOString()}`);
  return { name, series, now, horizonSeconds: horizonFor(config, name), q: quantilesFor(config, name)[0]! };
}
