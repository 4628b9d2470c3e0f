import type { SimSettings } from '../config/backtest.ts';
import { resolveSimSettings } from '../config/sim-settings.ts';
import type { Config } from '../config/types.ts';
import { InputError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type { Campaign, DemandSignal } from '../domain/types.ts';
import { toPerSecond } from '../domain/types.ts';
import { kindOf } from '../kinds/index.ts';
import { builtinConfig } from './builtin-config.ts';
import { DemandTimeline, type Surge } from './demand.ts';
import { productionForecasting } from './forecasts.ts';
import { type OracleTarget, runOracle } from './oracle.ts';
import {
  type Forecasting,
  type HeadroomTrace,
  POLICIES,
  type PolicyContext,
  type PolicyName,
  runHeadroom,
  runReactive,
} from './policies.ts';
import { type PolicyScores, type PolicySeries, Scorer, type ServingTarget } from './score.ts';
import {
  type SweepJson,
  type SweepPoint,
  type SweepSpec,
  sweepJson,
  withTargetUtilization,
} from './sweep.ts';
import { buildTimeline, minuteDemand } from './timeline.ts';
import { cutTrace, endOf, type Trace } from './trace.ts';
import type { World } from './world/world.ts';

export interface BacktestInput {
  trace: Trace;
  /** The targets, capacity models and rules; the built-in single service when absent. */
  config?: Config;
  /** Campaigns added to the config's calendar (`--calendar`). */
  calendar?: Campaign[];
  /** The config signal the trace replays (default: the signal of the first capacity model). */
  signal?: string;
  /** What one trace value counts (default: requests per row, `perStep`). */
  unit?: DemandSignal['unit'];
  from?: number;
  to?: number;
  /** History before the scored period (default `backtest.warmup`, else 7 days or a quarter of the trace). */
  warmupSeconds?: number;
  policies?: PolicyName[];
  surges?: Surge[];
  /** `--sweep`: reactive run again at each value, its frontier against Headroom's cost. */
  sweep?: SweepSpec;
  /** Headroom's forecasts (default: the production forecaster); `null` runs the brain without them. */
  forecasting?: Forecasting | null;
  onProgress?: (policy: PolicyName, fraction: number) => void;
  /** Sees each simulated policy's world after every tick (diagnostics). */
  observe?: (policy: PolicyName, t: number, world: World, demand: number) => void;
}

/** The scores of one policy as CONTRACTS.md names them (rounded for print), plus a few more facts. */
export type PolicyJson = PolicyScores;

/** The Backtest object of CONTRACTS.md (`trace`, `policies`), with what a reader needs to trust it. */
export interface BacktestJson {
  trace: { file: string; points: number; stepSeconds: number; from: string; to: string };
  policies: Partial<Record<PolicyName, PolicyJson>>;
  scored: { from: string; to: string; minutes: number; gapMinutes: number; warmupSeconds: number };
  config: string;
  signal: string;
  serving: { target: string; perUnit: number; targetUtilization: number }[];
  campaigns: { name: string; start: string; end: string; multiplier: number }[];
  surges: { start: string; end: string; multiplier: number; rampSeconds: number }[];
  tickSeconds: number;
  elapsedSeconds: number;
  sweep?: SweepJson;
}

/** Everything the HTML report draws. */
export interface BacktestReportData {
  json: BacktestJson;
  minuteStart: number;
  /** Mean demand per second per minute of the scored period (NaN in gaps). */
  demand: Float32Array;
  series: Partial<Record<PolicyName, PolicySeries>>;
  headroom?: HeadroomTrace;
}

export interface BacktestResult {
  json: BacktestJson;
  report: BacktestReportData;
}

const DAY = 86_400;

function round(x: number, digits: number): number {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : x;
}

function toJson(s: PolicyScores): PolicyJson {
  return {
    underProvisionedMinutes: s.underProvisionedMinutes,
    unservedFraction: s.unservedFraction === 0 ? 0 : Number(s.unservedFraction.toPrecision(4)),
    capacityUnitHours: round(s.capacityUnitHours, 1),
    costVsOracle: round(s.costVsOracle, 3),
    scalingActions: s.scalingActions,
    overTargetMinutes: s.overTargetMinutes,
    nodeHours: round(s.nodeHours, 1),
    actions: s.actions,
    elasticity: {
      accuracyU: round(s.elasticity.accuracyU, 3),
      accuracyO: round(s.elasticity.accuracyO, 3),
      timeshareU: round(s.elasticity.timeshareU, 3),
      timeshareO: round(s.elasticity.timeshareO, 3),
      instability: round(s.elasticity.instability, 3),
      jitter: round(s.elasticity.jitter, 3),
    },
  };
}

/** The config the brain runs with: the replayed signal in the trace's unit, the calendar added. */
function prepareConfig(
  config: Config,
  signal: string,
  unit: DemandSignal['unit'],
  calendar: Campaign[],
): Config {
  const sig = config.signals[signal]!;
  const names = new Set(config.campaigns.map((c) => c.name));
  for (const c of calendar)
    if (names.has(c.name)) throw new InputError(`--calendar: campaign "${c.name}" is already in the config`);
  return {
    ...config,
    signals: { ...config.signals, [signal]: { ...sig, unit } },
    campaigns: [...config.campaigns, ...calendar],
  };
}

function servingTargets(config: Config, signal: string): ServingTarget[] {
  return config.targets
    .filter((t) => t.capacity?.signal === signal)
    .map((t) => ({
      target: t,
      perUnit: t.capacity!.perUnit,
      targetUtilization: t.capacity!.targetUtilization,
    }));
}

/** Nodes the oracle needs: its pods (and the other workloads at their floor) packed by resources. */
function oracleNodes(
  config: Config,
  settings: SimSettings,
  serving: OracleTarget[],
): (units: number[]) => number {
  const shape = (id: string) => {
    const t = config.targets.find((x) => x.id === id)!;
    return t.podResources ?? { cpuMillis: settings.pods.cpuMillis, memoryBytes: settings.pods.memoryBytes };
  };
  const pods = serving.map((s) => (kindOf(s.target).isWorkload ? shape(s.target.id) : undefined));
  let baseCpu = 0;
  let baseMem = 0;
  for (const t of config.targets) {
    if (!kindOf(t).isWorkload || serving.some((s) => s.target.id === t.id)) continue;
    const sh = shape(t.id);
    baseCpu += (t.baseline ?? t.bounds.min) * sh.cpuMillis;
    baseMem += (t.baseline ?? t.bounds.min) * sh.memoryBytes;
  }
  const hasCluster =
    config.targets.some((t) => kindOf(t).cluster !== undefined) && settings.nodes.provisioner !== 'none';
  return (units) => {
    if (!hasCluster) return 0;
    let cpu = baseCpu;
    let mem = baseMem;
    units.forEach((u, k) => {
      const p = pods[k];
      if (p) {
        cpu += u * p.cpuMillis;
        mem += u * p.memoryBytes;
      }
    });
    return Math.ceil(Math.max(cpu / settings.nodes.cpuMillis, mem / settings.nodes.memoryBytes) - 1e-9);
  };
}

/**
 * Replays a trace through the three policies on the same simulated world and scores them
 * (CONTRACTS.md, Backtest). Bad input throws before anything runs.
 */
export async function runBacktest(input: BacktestInput): Promise<BacktestResult> {
  const t0 = performance.now();
  const unit = input.unit ?? 'perStep';
  const trace = cutTrace(input.trace, input.from, input.to);
  const base = input.config ?? builtinConfig(trace, unit);
  const settings = resolveSimSettings(base.backtest);
  const signal = input.signal ?? base.targets.find((t) => t.capacity)?.capacity?.signal;
  if (!signal)
    throw new InputError('no target has a capacity model: nothing turns the trace into needed capacity');
  if (!base.signals[signal])
    throw new InputError(
      `--signal: unknown signal "${signal}" (known: ${Object.keys(base.signals).join(', ') || 'none'})`,
    );
  const config = prepareConfig(base, signal, unit, input.calendar ?? []);
  const serving = servingTargets(config, signal);
  if (serving.length === 0) throw new InputError(`no target has a capacity model on signal "${signal}"`);
  const policies = input.policies ?? [...POLICIES];
  const spanSeconds = (endOf(trace) - trace.startMs) / 1000;
  const warmupSeconds =
    input.warmupSeconds ??
    settings.warmupSeconds ??
    Math.min(7 * DAY, Math.floor((spanSeconds * 0.25) / 3600) * 3600);
  const surges = input.surges ?? [];
  const demand = new DemandTimeline(trace, {
    perSecondFactor: toPerSecond({ unit }, 1, trace.stepSeconds),
    interpolation: settings.interpolation,
    surges,
  });
  const tl = buildTimeline(demand, trace, warmupSeconds, settings, serving[0]!.perUnit);
  const forecasting =
    input.forecasting === undefined ? productionForecasting(settings) : (input.forecasting ?? undefined);
  const ctx = (name: PolicyName): PolicyContext => ({
    config,
    settings,
    timeline: tl,
    demand,
    signal,
    serving,
    forecasting,
    onProgress: input.onProgress ? (f) => input.onProgress!(name, f) : undefined,
    observe: input.observe ? (t, w, d) => input.observe!(name, t, w, d) : undefined,
  });

  const oracleTargets: OracleTarget[] = serving.map((s) => ({
    ...s,
    leadSeconds: kindOf(s.target).isWorkload
      ? settings.pods.startupSeconds
      : settings.leadTimeSeconds(s.target),
  }));
  const oracleScorer = new Scorer(tl);
  const oracle = runOracle(tl, oracleTargets, oracleScorer, oracleNodes(config, settings, oracleTargets));
  input.onProgress?.('oracle', 1);
  const scores: Partial<Record<PolicyName, PolicyScores>> = {};
  const series: Partial<Record<PolicyName, PolicySeries>> = {};
  let headroom: HeadroomTrace | undefined;
  for (const name of policies) {
    if (name === 'oracle') {
      scores.oracle = oracle;
      series.oracle = oracleScorer.series;
      continue;
    }
    const run = name === 'reactive' ? runReactive(ctx(name)) : await runHeadroom(ctx(name));
    input.onProgress?.(name, 1);
    scores[name] = { ...run.scores, costVsOracle: run.scores.capacityUnitHours / oracle.capacityUnitHours };
    series[name] = run.series;
    headroom = run.headroom ?? headroom;
  }

  const sweep = input.sweep
    ? sweepJson(
        input.sweep.values.map((value): SweepPoint => {
          const swept = withTargetUtilization(config, serving, value);
          const run = runReactive({
            ...ctx('reactive'),
            ...swept,
            onProgress: undefined,
            observe: undefined,
          });
          return {
            value,
            underProvisionedMinutes: run.scores.underProvisionedMinutes,
            capacityUnitHours: round(run.scores.capacityUnitHours, 1),
            costVsOracle: round(run.scores.capacityUnitHours / oracle.capacityUnitHours, 3),
          };
        }),
        scores.headroom && {
          costVsOracle: round(scores.headroom.costVsOracle, 3),
          underProvisionedMinutes: scores.headroom.underProvisionedMinutes,
        },
      )
    : undefined;
  let scoredMinutes = 0;
  let gapMinutes = 0;
  const d = minuteDemand(tl);
  for (const v of d) if (Number.isNaN(v)) gapMinutes++;
  scoredMinutes = tl.minutes - gapMinutes;
  const json: BacktestJson = {
    trace: {
      file: trace.file,
      points: trace.points,
      stepSeconds: trace.stepSeconds,
      from: iso(trace.startMs),
      to: iso(endOf(trace)),
    },
    policies: Object.fromEntries(policies.map((p) => [p, toJson(scores[p]!)])),
    scored: {
      from: iso(tl.scoreStart),
      to: iso(tl.scoreEnd),
      minutes: scoredMinutes,
      gapMinutes,
      warmupSeconds,
    },
    config: input.config ? (input.config.source ?? 'config') : 'built-in',
    signal,
    serving: serving.map((s) => ({
      target: s.target.id,
      perUnit: s.perUnit,
      targetUtilization: s.targetUtilization,
    })),
    campaigns: config.campaigns.map((c) => ({
      name: c.name,
      start: iso(Date.parse(c.start)),
      end: iso(Date.parse(c.start) + c.durationSeconds * 1000),
      multiplier: c.multiplier,
    })),
    surges: surges.map((s) => ({
      start: iso(s.startMs),
      end: iso(s.startMs + s.durationSeconds * 1000),
      multiplier: s.multiplier,
      rampSeconds: s.rampSeconds,
    })),
    tickSeconds: settings.tickSeconds,
    elapsedSeconds: round((performance.now() - t0) / 1000, 2),
    ...(sweep ? { sweep } : {}),
  };
  return { json, report: { json, minuteStart: tl.minuteStart, demand: d, series, headroom } };
}
