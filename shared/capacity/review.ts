import type { Config } from '../config/types.ts';
import type { DemandSignal, Target } from '../domain/types.ts';
import { describeError } from '../executor/executor.ts';
import type { MetricSource, Series } from '../ports/metrics.ts';
import { type CurrentReader, type CurrentSource, readCurrent, type TargetCurrent } from './current.ts';
import { customMeasure, type MeasureDef, measuresOf } from './measures.ts';
import { PRICE_SOURCE } from './prices.ts';
import { type Recommendation, recommend } from './recommend.ts';
import { type CapacitySection, DEFAULT_CAPACITY, type MeasureOverride } from './schema.ts';
import { crossingOf, dailyAggregates, fitTrend, projection } from './trend.ts';

/**
 * `headroom capacity`: per target and measure, the last `window` of daily peaks from the
 * metric sources, the trend, the projection over `horizon` with its interval, the date the
 * threshold is crossed and what to do about it, ahead of the change's lead time.
 * The JSON shape is documented in docs/capacity.md.
 */

/** CloudWatch keeps hourly data 455 days: the review reads hourly peaks. */
const PERIOD_SECONDS = 3600;

export type MeasureStatus = 'over' | 'crosses' | 'ok' | 'no-data' | 'not-measured';

export interface MeasureReport {
  target: string;
  kind: string;
  measure: string;
  label: string;
  unit: string;
  /** Percent of the limit. */
  threshold: number;
  limit?: number;
  status: MeasureStatus;
  /** Why a measure was not assessed, or what the review assumed. */
  note?: string;
  source?: string;
  /** Daily peaks, in percent of the limit. */
  history: { t: string; percent: number }[];
  latest?: { value: number; percent: number };
  trend?: { model: 'compound' | 'linear'; perDay: number; perDayText: string; days: number };
  /** Every 3 days over the horizon, percent of the limit. */
  projection: { t: string; percent: number; lower: number; upper: number }[];
  crossing?: { at?: string; earliest?: string; latest?: string };
  action?: Recommendation & { actBy?: string };
  /** What the target runs on now, the base of the action, and where that came from. */
  current?: { value: string | number; unit: string; source: CurrentSource; error?: string };
  /** The metric could not be read (the mapped error): the measure is not assessed. */
  error?: string;
}

export interface CapacityReport {
  at: string;
  windowDays: number;
  horizonDays: number;
  interval: number;
  measures: MeasureReport[];
  prices: typeof PRICE_SOURCE;
  /** Targets whose state or metrics could not be read; the rest of the review stands. */
  warnings: string[];
}

export interface ReviewInputs {
  config: Config;
  now: number;
  metrics: MetricSource;
  /** CloudWatch (and Prometheus) may be read; false: their measures are listed as not measured. */
  remote: boolean;
  /** `target.measure` -> CSV file with what CloudWatch would return for the measure's metric. */
  files?: Record<string, string>;
  /** Reads what each target runs on now (AWS, or `--state`'s simulated cloud); else the config's. */
  current?: CurrentReader;
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

function measuresFor(
  t: Target,
  section: CapacitySection,
): { def: MeasureDef; o: MeasureOverride | undefined }[] {
  const overrides = section.targets[t.id] ?? {};
  const own = measuresOf(t.kind).map((def) => ({ def, o: overrides[def.name] }));
  const custom = Object.entries(overrides)
    .filter(([name]) => !own.some((m) => m.def.name === name))
    .map(([name, o]) => ({ def: customMeasure(name), o }));
  return [...own, ...custom].filter((m) => m.o?.enabled !== false);
}

type Source = { signals: DemandSignal[]; label: string; remote: boolean };

function sourceOf(
  t: Target,
  def: MeasureDef,
  o: MeasureOverride | undefined,
  inputs: ReviewInputs,
): Source | undefined {
  const file = inputs.files?.[`${t.id}.${def.name}`];
  const name = `${t.id}.${def.name}`;
  if (file)
    return {
      signals: [{ name, source: 'csv', unit: 'perStep', spec: { file } }],
      label: file,
      remote: false,
    };
  if (o?.signal) {
    const s = inputs.config.signals[o.signal]!;
    return {
      signals: [s],
      label: `signal ${o.signal}`,
      remote: s.source === 'cloudwatch' || s.source === 'prometheus',
    };
  }
  const metrics = def.metrics?.(t);
  if (!metrics) return undefined;
  return {
    signals: metrics.map((m, i) => ({
      name: metrics.length > 1 ? `${name}[${i}]` : name,
      source: 'cloudwatch',
      unit: 'perStep',
      spec: { region: t.region, metric: { ...m, period: PERIOD_SECONDS } },
    })),
    label: `CloudWatch ${metrics.map((m) => `${m.namespace} ${m.name} ${m.stat}`).join(' + ')}`,
    remote: true,
  };
}

/** The sum of several series by timestamp (GetTypeCmds + SetTypeCmds). */
function sumSeries(all: Series[]): Series {
  if (all.length === 1) return all[0]!;
  const by = new Map<number, number>();
  for (const s of all) for (let i = 0; i < s.t.length; i++) by.set(s.t[i]!, (by.get(s.t[i]!) ?? 0) + s.v[i]!);
  const t = [...by.keys()].sort((a, b) => a - b);
  return { t, v: t.map((x) => by.get(x)!), stepSeconds: all[0]!.stepSeconds };
}

async function reviewMeasure(
  t: Target,
  def: MeasureDef,
  o: MeasureOverride | undefined,
  inputs: ReviewInputs,
  section: CapacitySection,
  current: TargetCurrent,
): Promise<MeasureReport> {
  const threshold = o?.threshold ?? section.thresholds[def.name] ?? def.threshold;
  const tier = current.tier;
  const limit = o?.limit ?? def.limit?.(t, current);
  const base: MeasureReport = {
    target: t.id,
    kind: t.kind,
    measure: def.name,
    label: def.label,
    unit: def.unit,
    threshold,
    limit,
    status: 'not-measured',
    history: [],
    projection: [],
    current: currentOf(t, def, current, o?.limit),
  };
  const key = `capacity.targets.${t.id}.${def.name}`;
  if (limit === undefined) return { ...base, note: `needs ${key}.limit (${def.limitHelp})` };
  const src = sourceOf(t, def, o, inputs);
  if (!src) return { ...base, note: `no default metric: set ${key}.signal` };
  if (src.remote && !inputs.remote)
    return {
      ...base,
      source: src.label,
      note: `read from ${src.label}: pass --cloud aws, or --trace ${t.id}.${def.name}=FILE`,
    };
  const { now } = inputs;
  const q = { from: new Date(now - section.window * 1000), to: new Date(now), stepSeconds: PERIOD_SECONDS };
  let series: Series;
  try {
    series = sumSeries(await Promise.all(src.signals.map((s) => inputs.metrics.history(s, q))));
  } catch (err) {
    const error = describeError(err);
    return { ...base, source: src.label, error, note: `${src.label} could not be read: ${error}` };
  }
  const step = series.stepSeconds || PERIOD_SECONDS;
  const values = series.v.map((v) => (def.convert ? def.convert(v, step, limit) : v));
  const daily = dailyAggregates(series.t, values).filter((p) => p.day <= now);
  const withData = {
    ...base,
    source: src.label,
    history: daily.map((p) => ({ t: iso(p.day), percent: round((p.value / limit) * 100) })),
  };
  const fit = fitTrend(daily, now, { model: def.model ?? section.trend, interval: section.interval });
  if (!fit)
    return {
      ...withData,
      status: 'no-data',
      note: `${daily.length} days of data: the trend needs at least 7`,
    };
  const latest = daily.at(-1)!.value;
  const horizonDays = section.horizon / 86_400;
  const limitAt = (threshold / 100) * limit;
  const crossing = crossingOf(fit, now, horizonDays, limitAt, latest);
  const proj = projection(fit, now, horizonDays, 3);
  const end = proj.at(-1)!;
  const pct = (v: number) => round((v / limit) * 100);
  const perDayText =
    fit.model === 'compound'
      ? `${fit.slopePerDay >= 0 ? '+' : ''}${(fit.slopePerDay * 100).toFixed(2)} %/day`
      : `${fit.slopePerDay >= 0 ? '+' : ''}${round(fit.slopePerDay, 3)} ${def.unit}/day`;
  const report: MeasureReport = {
    ...withData,
    status: crossing.already
      ? 'over'
      : crossing.at !== undefined || crossing.earliest !== undefined
        ? 'crosses'
        : 'ok',
    note: tier && t.tiers ? `tier ${tier} (${tierNote(t, current)})` : undefined,
    latest: { value: round(latest), percent: pct(latest) },
    trend: { model: fit.model, perDay: fit.slopePerDay, perDayText, days: fit.days },
    projection: proj.map((p) => ({
      t: iso(p.at),
      percent: pct(p.value),
      lower: pct(p.lower),
      upper: pct(p.upper),
    })),
    crossing: {
      at: crossing.at !== undefined ? iso(crossing.at) : undefined,
      earliest: crossing.earliest !== undefined ? iso(crossing.earliest) : undefined,
      latest: crossing.latest !== undefined ? iso(crossing.latest) : undefined,
    },
  };
  if (report.status === 'ok') return report;
  const action = recommend({
    target: t,
    measure: def,
    tier,
    current,
    limit,
    projectedAtHorizon: Math.max(end.value, latest),
    threshold,
  });
  const first = crossing.earliest ?? crossing.at ?? now;
  return {
    ...report,
    action: { ...action, actBy: iso(Math.max(now, first - action.leadTimeSeconds * 1000)) },
  };
}

function tierNote(t: Target, c: TargetCurrent): string {
  if (c.source === 'config') return `capacity.current.${t.id}`;
  if (c.source !== 'assumed') return `read from ${c.source === 'aws' ? 'AWS' : 'the simulated cloud'}`;
  return `bounds.min; ${c.error ? `not read: ${c.error}` : `set capacity.current.${t.id} if it runs on another`}`;
}

/** The current value a measure's action starts from: the tier, the replicas, the shards, the GiB. */
function currentOf(
  t: Target,
  def: MeasureDef,
  c: TargetCurrent,
  configuredLimit: number | undefined,
): MeasureReport['current'] {
  const src = { source: c.source, ...(c.error ? { error: c.error } : {}) };
  if (def.action === 'more-storage') {
    if (configuredLimit !== undefined) return { value: configuredLimit, unit: 'GiB', source: 'config' };
    return c.storageGiB !== undefined
      ? { value: c.storageGiB, unit: 'GiB', source: c.storageSource ?? c.source }
      : undefined;
  }
  const counted = def.action === 'more-replicas' && t.scale !== 'ladder';
  if (counted && c.replicas !== undefined) return { value: c.replicas, unit: 'replicas', ...src };
  if (def.action === 'cluster-mode' && c.shards !== undefined)
    return { value: c.shards, unit: 'shards', ...src };
  if (c.tier !== undefined)
    return { value: c.tier, unit: t.kind.startsWith('elasticache') ? 'node type' : 'class', ...src };
  if (c.replicas !== undefined) return { value: c.replicas, unit: 'replicas', ...src };
  return undefined;
}

/** The review of every target the config declares (measures of kinds it knows, and the config's own). */
export async function capacityReview(inputs: ReviewInputs): Promise<CapacityReport> {
  const section = inputs.config.capacity ?? DEFAULT_CAPACITY;
  const all = inputs.config.targets;
  const reviewed = all.filter((t) => measuresFor(t, section).length > 0);
  const current = await readCurrent(reviewed, all, section, inputs.current);
  const measures: MeasureReport[] = [];
  for (const t of reviewed)
    for (const { def, o } of measuresFor(t, section))
      measures.push(await reviewMeasure(t, def, o, inputs, section, current.get(t.id)!));
  const warnings = [
    ...reviewed.flatMap((t) => {
      const c = current.get(t.id)!;
      return c.error
        ? [
            `${t.id}: current state not read from ${inputs.current?.cloud} (${c.error}); its actions assume the config`,
          ]
        : [];
    }),
    ...measures.filter((m) => m.error).map((m) => `${m.target} ${m.label}: ${m.note}`),
  ];
  const order: Record<MeasureStatus, number> = {
    over: 0,
    crosses: 1,
    ok: 2,
    'no-data': 3,
    'not-measured': 4,
  };
  measures.sort(
    (a, b) =>
      order[a.status] - order[b.status] || (a.crossing?.at ?? '~').localeCompare(b.crossing?.at ?? '~'),
  );
  return {
    at: iso(inputs.now),
    windowDays: section.window / 86_400,
    horizonDays: section.horizon / 86_400,
    interval: section.interval,
    measures,
    prices: PRICE_SOURCE,
    warnings,
  };
}
