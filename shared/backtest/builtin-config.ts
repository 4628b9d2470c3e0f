import { parseConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { type DemandSignal, toPerSecond } from '../domain/types.ts';
import type { Trace } from './trace.ts';

/** The built-in service peaks at about this many pods, whatever the trace's volume. */
export const BUILTIN_PEAK_PODS = 20;
/** The built-in HPA's CPU utilisation target (the common 70 %). */
export const BUILTIN_TARGET_UTILIZATION = 0.7;

/** What one pod serves so that the trace's 99th percentile needs BUILTIN_PEAK_PODS pods at 70 %. */
export function builtinPerUnit(trace: Trace, unit: DemandSignal['unit']): number {
  const perSecond = toPerSecond({ unit }, 1, trace.stepSeconds);
  const known = Array.from(trace.values)
    .filter((v) => !Number.isNaN(v))
    .sort((a, b) => a - b);
  const p99 = (known[Math.floor(0.99 * (known.length - 1))] ?? 1) * perSecond;
  const raw = p99 / (BUILTIN_TARGET_UTILIZATION * BUILTIN_PEAK_PODS);
  return Number((raw > 0 ? raw : 1).toPrecision(3));
}

/**
 * A sensible single service for `backtest` without `--config`: one API Deployment under an
 * HPA at 70 % CPU (2 to 1000 pods of 500m/1Gi) on Karpenter nodes, sized so that the trace's
 * busiest minutes need about 20 pods; Headroom's predictive floors over the next 10 minutes at
 * the quantile its SLO chooses (at most 1 % of minutes short, at most 1.4x the oracle's cost, by a
 * self-backtest on the recent history, forecast/slo-tuning.ts; p80 while the history is too short;
 * the floor must be right one lead time ahead: 90 s + 60 s margin); placeholder pods (`nodes`, one
 * per spare node) for campaigns; the surge response (`surge:` defaults) for surges nobody put in
 * the calendar. Calendars name
 * the targets `api` and `nodes`.
 */
export function builtinConfigYaml(trace: Trace, unit: DemandSignal['unit']): string {
  const perUnit = builtinPerUnit(trace, unit);
  return `# Built-in backtest service for ${trace.file}: perUnit sized so the p99 of the trace needs ~${BUILTIN_PEAK_PODS} pods
version: 1
timezone: UTC
defaults: { cooldown: 5m, scaleDownDelay: 15m, reconcileInterval: 1m }
clusters:
  backtest: { kubeconfig: { context: backtest } }
signals:
  traffic: { source: csv, file: ${JSON.stringify(trace.file)}, unit: ${unit} }
targets:
  api:
    kind: k8s-hpa
    cluster: backtest
    namespace: default
    name: api
    bounds: { min: 2, max: 1000 }
    capacity: { signal: traffic, perUnit: ${perUnit}, targetUtilization: ${BUILTIN_TARGET_UTILIZATION} }
    pod: { cpu: 500m, memory: 1Gi }
  nodes:
    kind: karpenter-headroom
    cluster: backtest
    namespace: headroom
    nodePool: default
    placeholder: { cpu: 3500m, memory: 12Gi }
    bounds: { min: 0, max: 100 }
predictive:
  - { target: api, signal: traffic, horizon: 10m, quantile: 0.8, mode: apply, slo: { maxShortMinutesPercent: 1, maxCostVsOracle: 1.4 } }
surge: { enabled: true }
`;
}

export function builtinConfig(trace: Trace, unit: DemandSignal['unit']): Config {
  return parseConfig(builtinConfigYaml(trace, unit), 'built-in');
}
