import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { metricSources } from '../adapters/metrics/index.ts';
import { renderCapacityHtml } from '../capacity/html.ts';
import { measuresOf } from '../capacity/measures.ts';
import { capacityReview } from '../capacity/review.ts';
import { formatCapacity } from '../capacity/summary.ts';
import type { Config } from '../config/types.ts';
import { HeadroomError, InputError } from '../domain/errors.ts';
import { cliClock, optionTime } from './clock.ts';
import { loadConfigOption } from './options.ts';

interface CapacityOptions {
  config?: string;
  now?: string;
  json?: boolean;
  out?: string;
  trace: string[];
  cloud?: 'aws';
}

/** `--trace db.cpu=FILE`: the file holds what the measure's metric returns, per period. */
function traceFiles(config: Config, specs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of specs) {
    const m = /^([^.=]+)\.([^=]+)=(.+)$/.exec(s);
    if (!m) throw new InputError(`--trace: expected TARGET.MEASURE=FILE, got "${s}"`);
    const [, id, measure, file] = m as unknown as [string, string, string, string];
    const t = config.targets.find((x) => x.id === id);
    if (!t)
      throw new InputError(
        `--trace ${s}: unknown target "${id}" (known: ${config.targets.map((x) => x.id).join(', ')})`,
      );
    const known = [
      ...measuresOf(t.kind).map((d) => d.name),
      ...Object.keys(config.capacity?.targets[id] ?? {}),
    ];
    if (!known.includes(measure))
      throw new InputError(
        `--trace ${s}: ${id} (${t.kind}) has no measure "${measure}" (${known.join(', ') || 'none'})`,
      );
    out[`${id}.${measure}`] = path.resolve(file);
  }
  return out;
}

/**
 * `headroom capacity [--config F] [--now ISO] [--trace T.M=FILE]... [--cloud aws] [--json] [--out F.html]`:
 * per target and measure the trend, the projection, the date its threshold is crossed and the
 * recommended action (docs/capacity.md).
 */
export function capacityCommand(): Command {
  return new Command('capacity')
    .description('capacity review: trend, projection, threshold crossing dates and the action to take')
    .option('--config <file>', 'configuration file')
    .option('--now <iso>', 'review as of this time (default: now)')
    .option(
      '--trace <target.measure=csv>',
      'read a measure from a timestamp,value CSV (what its CloudWatch metric returns); repeatable',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addOption(new Option('--cloud <cloud>', 'read the default CloudWatch metrics from AWS').choices(['aws']))
    .option('--json', 'print the CapacityReport JSON')
    .option('--out <file.html>', 'write the self-contained HTML report')
    .action(async (opts: CapacityOptions) => {
      const config = loadConfigOption(opts.config);
      const now =
        opts.now !== undefined
          ? optionTime('--now', opts.now, cliClock().now(), config.timezone)
          : cliClock().now().getTime();
      const files = traceFiles(config, opts.trace);
      const baseDir = config.source ? path.dirname(path.resolve(config.source)) : process.cwd();
      try {
        const report = await capacityReview({
          config,
          now,
          metrics: metricSources({ baseDir }),
          remote: opts.cloud === 'aws',
          files,
        });
        if (opts.out) {
          writeFileSync(opts.out, renderCapacityHtml(report, config.source ?? 'config'));
          if (!opts.json) console.error(`wrote ${opts.out}`);
        }
        console.log(opts.json ? JSON.stringify(report, null, 2) : formatCapacity(report));
      } catch (err) {
        // A source that cannot answer (a missing file, CloudWatch refusing): exit 1 with the reason.
        if (err instanceof HeadroomError && !(err instanceof InputError)) throw new InputError(err.message);
        throw err;
      }
    });
}
