import { accessSync, constants, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadConfigFile } from '../app/config-file.ts';
import { builtinConfig } from '../backtest/builtin-config.ts';
import { loadCalendar } from '../backtest/calendar.ts';
import { parseSurge, type Surge } from '../backtest/demand.ts';
import { POLICIES, type PolicyName } from '../backtest/policies.ts';
import { progressBar } from '../backtest/progress.ts';
import { renderReport } from '../backtest/report/html.ts';
import { type BacktestJson, runBacktest } from '../backtest/run.ts';
import { parseSweep } from '../backtest/sweep.ts';
import { loadTrace } from '../backtest/trace.ts';
import { parseDuration } from '../domain/duration.ts';
import { InputError } from '../domain/errors.ts';
import { parseInstant } from '../domain/time.ts';
import type { DemandSignal } from '../domain/types.ts';

interface BacktestOptions {
  trace: string;
  config?: string;
  calendar?: string;
  policies: string;
  json?: boolean;
  report?: string;
  from?: string;
  to?: string;
  warmup?: string;
  signal?: string;
  unit: DemandSignal['unit'];
  surge: string[];
  progress: boolean;
  sweep?: string;
}

function parsePolicies(text: string): PolicyName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new InputError('--policies: name at least one policy');
  for (const n of names)
    if (!(POLICIES as readonly string[]).includes(n))
      throw new InputError(`--policies: unknown policy "${n}" (one of ${POLICIES.join(', ')})`);
  return [...new Set(names)] as PolicyName[];
}

function time(opt: string, value: string | undefined, tz: string): number | undefined {
  if (value === undefined) return undefined;
  const t = parseInstant(value, tz);
  if (t === undefined) throw new InputError(`${opt}: invalid time "${value}" (ISO-8601)`);
  return t;
}

/** Fails before a long run if the report cannot be written there. */
function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new InputError(`--report: cannot write to ${dir}`);
  }
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

export function formatBacktestTable(j: BacktestJson): string {
  const lines = [
    `trace   ${j.trace.file}: ${j.trace.points} rows, step ${j.trace.stepSeconds}s, ${j.trace.from} to ${j.trace.to}`,
    `scored  ${j.scored.from} to ${j.scored.to}: ${j.scored.minutes} minutes${j.scored.gapMinutes ? ` (${j.scored.gapMinutes} minutes of gaps not scored)` : ''} after a ${(j.scored.warmupSeconds / 3600).toFixed(1)} h warm-up`,
    `config  ${j.config}; ${j.signal} served by ${j.serving.map((s) => `${s.target} (${s.perUnit}/s per unit at ${s.targetUtilization * 100}%)`).join(', ')}`,
  ];
  for (const c of j.campaigns) lines.push(`campaign ${c.name} x${c.multiplier} ${c.start} to ${c.end}`);
  for (const s of j.surges)
    lines.push(`surge   x${s.multiplier} ${s.start} to ${s.end} (ramp ${s.rampSeconds}s)`);
  lines.push(
    '',
    `${'policy'.padEnd(10)}${pad('short min', 10)}${pad('unserved', 11)}${pad('unit-hours', 12)}${pad('vs oracle', 10)}${pad('actions', 9)}${pad('hot min', 9)}${pad('node-h', 9)}`,
  );
  for (const [name, s] of Object.entries(j.policies)) {
    lines.push(
      `${name.padEnd(10)}${pad(s.underProvisionedMinutes, 10)}${pad(`${(s.unservedFraction * 100).toFixed(3)}%`, 11)}${pad(s.capacityUnitHours, 12)}${pad(s.costVsOracle.toFixed(3), 10)}${pad(s.scalingActions, 9)}${pad(s.overTargetMinutes, 9)}${pad(s.nodeHours, 9)}`,
    );
  }
  lines.push(
    '',
    'short min: minutes with demand above ready capacity; hot min: minutes above the target utilisation.',
    '',
    `${'elasticity'.padEnd(10)}${pad('acc_U %', 10)}${pad('acc_O %', 10)}${pad('time_U %', 10)}${pad('time_O %', 10)}${pad('instab %', 10)}${pad('jitter/h', 10)}`,
  );
  for (const [name, s] of Object.entries(j.policies)) {
    const e = s.elasticity;
    lines.push(
      `${name.padEnd(10)}${pad(e.accuracyU.toFixed(2), 10)}${pad(e.accuracyO.toFixed(1), 10)}${pad(e.timeshareU.toFixed(2), 10)}${pad(e.timeshareO.toFixed(1), 10)}${pad(e.instability.toFixed(1), 10)}${pad(e.jitter.toFixed(2), 10)}`,
    );
  }
  lines.push('SPEC RG elasticity metrics (Herbst et al., TOMPECS 2018), demand and supply in units.');
  if (j.sweep) {
    lines.push('', `sweep ${j.sweep.parameter}: reactive's cost / short-minutes frontier`);
    for (const p of j.sweep.points)
      lines.push(
        `  ${String(p.value).padEnd(6)} short min ${pad(p.underProvisionedMinutes, 7)}   vs oracle ${p.costVsOracle.toFixed(3)}`,
      );
    const h = j.sweep.atHeadroomCost;
    if (h)
      lines.push(
        h.reactiveUnderProvisionedMinutes === null
          ? `  headroom at ${h.costVsOracle.toFixed(3)}x the oracle: ${h.headroomUnderProvisionedMinutes} short minutes; outside the swept costs (sweep lower or higher values)`
          : `  at headroom's cost (${h.costVsOracle.toFixed(3)}x the oracle) reactive would be short ${h.reactiveUnderProvisionedMinutes} minutes, headroom ${h.headroomUnderProvisionedMinutes}${h.ratio === null ? '' : ` (${h.ratio}x)`}`,
      );
  }
  return lines.join('\n');
}

export function backtestCommand(): Command {
  return new Command('backtest')
    .description('replay a timestamp,value trace through the real brain against simulated Kubernetes and AWS')
    .requiredOption('--trace <csv>', 'the traffic trace: timestamp,value rows (gaps allowed)')
    .option('--config <file>', 'targets, capacity models and rules (default: a built-in single service)')
    .option('--calendar <file>', 'campaigns to add (YAML, the config campaign format)')
    .option('--policies <list>', 'policies to run and score', POLICIES.join(','))
    .option('--json', 'print the Backtest JSON object')
    .option('--report <file.html>', 'write a self-contained HTML report with charts')
    .option('--from <iso>', 'cut the trace: first instant')
    .option('--to <iso>', 'cut the trace: end (exclusive)')
    .option(
      '--warmup <duration>',
      'history before the scored period that feeds the forecaster (default 7d, or a quarter of a short trace)',
    )
    .option('--signal <name>', 'the config signal the trace replays (default: the first capacity model’s)')
    .addOption(
      new Option('--unit <unit>', 'what one trace value counts')
        .choices(['perStep', 'perSecond', 'perMinute', 'perHour'])
        .default('perStep'),
    )
    .option(
      '--surge <start,duration,xN[,ramp]>',
      'lay a synthetic surge over the trace (repeatable), e.g. 2014-11-20T23:00:00Z,2h,x15,2m',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option(
      '--sweep <parameter=values>',
      'run reactive again at each value and compare Headroom at equal cost, e.g. reactive.targetUtilization=0.7,0.5,0.4,0.3',
    )
    .option('--no-progress', 'no progress bar')
    .action(async (opts: BacktestOptions) => {
      const config = opts.config ? loadConfigFile(opts.config) : undefined;
      const tz = config?.timezone ?? 'UTC';
      const policies = parsePolicies(opts.policies);
      const from = time('--from', opts.from, tz);
      const to = time('--to', opts.to, tz);
      if (from !== undefined && to !== undefined && from >= to)
        throw new InputError('--from must be before --to');
      let warmupSeconds: number | undefined;
      if (opts.warmup !== undefined) {
        warmupSeconds = parseDuration(opts.warmup);
        if (warmupSeconds === undefined)
          throw new InputError(`--warmup: invalid duration "${opts.warmup}" (e.g. 7d)`);
      }
      const surges: Surge[] = opts.surge.map((s) => parseSurge(s, tz));
      const sweep = opts.sweep === undefined ? undefined : parseSweep(opts.sweep);
      if (opts.report) checkWritable(opts.report);
      const trace = loadTrace(opts.trace);
      // The calendar is checked against the config that will run (the built-in one names api and nodes).
      const calendar = opts.calendar
        ? loadCalendar(opts.calendar, config ?? builtinConfig(trace, opts.unit))
        : [];

      const bar = progressBar(process.stderr, opts.progress && !opts.json, policies);
      let result: Awaited<ReturnType<typeof runBacktest>>;
      try {
        result = await runBacktest({
          trace,
          config,
          calendar,
          signal: opts.signal,
          unit: opts.unit,
          from,
          to,
          warmupSeconds,
          policies,
          surges,
          sweep,
          onProgress: (p, f) => bar.update(p, f),
        });
      } finally {
        bar.stop();
      }
      if (opts.report) {
        const file = path.resolve(opts.report);
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, renderReport(result.report));
        renameSync(tmp, file);
      }
      if (opts.json) console.log(JSON.stringify(result.json, null, 2));
      else {
        console.log(formatBacktestTable(result.json));
        // What the brain learnt from each campaign that ended (audit `campaign-outcome`).
        for (const o of result.report.headroom?.outcomes ?? []) console.log(`learnt  ${o.reason}`);
        if (opts.report) console.log(`report  ${path.resolve(opts.report)}`);
      }
    });
}
