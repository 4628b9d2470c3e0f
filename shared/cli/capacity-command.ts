import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { metricSources } from '../adapters/metrics/index.ts';
import { awsActuators } from '../app/actuators.ts';
import type { CurrentReader } from '../capacity/current.ts';
import { renderCapacityHtml } from '../capacity/html.ts';
import { measuresOf } from '../capacity/measures.ts';
import { capacityReview } from '../capacity/review.ts';
import { formatCapacity } from '../capacity/summary.ts';
import type { Config } from '../config/types.ts';
import { HeadroomError, InputError } from '../domain/errors.ts';
import type { Clock } from '../ports/clock.ts';
import { SimCloud, type SimTargetState } from '../sim/cloud.ts';
import { cliClock, optionTime } from './clock.ts';
import { loadConfigOption } from './options.ts';
import { SIM_FILE } from './runtime.ts';

interface CapacityOptions {
  config?: string;
  now?: string;
  json?: boolean;
  out?: string;
  trace: string[];
  cloud?: 'aws';
  state?: string;
}

/** `--state DIR`: the simulated cloud `headroom dev` keeps there, read as `plan --state` does. */
function simReader(config: Config, dir: string, clock: Clock): CurrentReader {
  const file = path.join(dir, SIM_FILE);
  if (!existsSync(file))
    throw new InputError(
      `--state ${dir}: no simulated cloud there (${file}); run headroom dev --state ${dir}`,
    );
  let snapshot: Record<string, SimTargetState>;
  try {
    snapshot = JSON.parse(readFileSync(file, 'utf8')) as Record<string, SimTargetState>;
  } catch (err) {
    throw new InputError(`--state ${dir}: ${file} is not a simulated cloud (${(err as Error).message})`);
  }
  const sim = new SimCloud(config, { clock });
  sim.restore(snapshot);
  return { cloud: 'sim', actuators: sim.registry, has: (id) => Number.isFinite(snapshot[id]?.value) };
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
    if (!existsSync(file)) throw new InputError(`--trace ${s}: no such file`);
    out[`${id}.${measure}`] = path.resolve(file);
  }
  return out;
}

/**
 * `headroom capacity [--config F] [--now ISO] [--trace T.M=FILE]... [--cloud aws | --state DIR] [--json] [--out F.html]`:
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
    .addOption(
      new Option(
        '--cloud <cloud>',
        "read the default CloudWatch metrics and each target's current state from AWS",
      ).choices(['aws']),
    )
    .addOption(
      new Option(
        '--state <dir>',
        "read each target's current state from the simulated cloud `dev` keeps in DIR",
      ).conflicts('cloud'),
    )
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
      const clock = cliClock();
      const current: CurrentReader | undefined =
        opts.cloud === 'aws'
          ? { cloud: 'aws', actuators: awsActuators(config, clock) }
          : opts.state !== undefined
            ? simReader(config, opts.state, clock)
            : undefined;
      try {
        const report = await capacityReview({
          config,
          now,
          metrics: metricSources({ baseDir }),
          remote: opts.cloud === 'aws',
          files,
          current,
        });
        // A target that could not be read is reported with its reason; the rest stands (exit 0).
        for (const w of report.warnings) console.error(`warning: ${w}`);
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
