import * as z from 'zod';
import { parseCpuMillis, parseDuration, parseMemoryBytes } from '../domain/duration.ts';
import type { Target } from '../domain/types.ts';

/**
 * The optional `backtest:` section of headroom.yaml: how the simulated Kubernetes and AWS world
 * behaves. Every field has a documented default (docs/backtest.md cites the source of each);
 * a team overrides only what differs in its clusters (a slower image pull, a custom HPA
 * behavior, a longer consolidateAfter). Durations are written as everywhere else (`90s`, `5m`).
 *
 * It lives with the config schema, which embeds it; the backtest imports it from here.
 */

const seconds = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  const s = typeof v === 'number' ? v : parseDuration(v);
  if (s === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid duration "${v}" (use 90s, 5m, 2h, 1d)` });
    return z.NEVER;
  }
  return s;
});
const cpu = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const m = parseCpuMillis(v);
  if (m === undefined || m <= 0) {
    ctx.addIssue({ code: 'custom', message: `invalid CPU quantity "${v}"` });
    return z.NEVER;
  }
  return m;
});
const memory = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const b = parseMemoryBytes(v);
  if (b === undefined || b <= 0) {
    ctx.addIssue({ code: 'custom', message: `invalid memory quantity "${v}"` });
    return z.NEVER;
  }
  return b;
});
const percent = z.number().positive().max(1000);

export const scalingRules = z.strictObject({
  stabilizationWindow: seconds.optional(),
  pods: z.number().int().positive().optional(),
  percent: percent.optional(),
  period: seconds.optional(),
});

const alarm = z.strictObject({
  /** The simulated CloudWatch alarm watches this target's workload. */
  target: z.string(),
  metric: z.enum(['utilization', 'demand']),
  threshold: z.number().nonnegative(),
  comparison: z.enum(['above', 'below']).default('above'),
  period: seconds.default(60),
  evaluationPeriods: z.number().int().positive().default(3),
});

export const backtestSchema = z.strictObject({
  /** Resolution of the simulation: every controller acts on this grid. */
  tick: seconds.optional(),
  /** History before the scored period: it feeds the forecaster and is not scored. */
  warmup: seconds.optional(),
  /** How demand moves between two trace rows. */
  interpolation: z.enum(['linear', 'hold']).optional(),
  /** How often the forecast is refreshed with the newest history during a backtest. */
  forecastRefit: seconds.optional(),
  /** How often the forecast model is chosen again from the whole history during a backtest. */
  forecastReselect: seconds.optional(),
  hpa: z
    .strictObject({
      syncPeriod: seconds.optional(),
      tolerance: z.number().nonnegative().lt(1).optional(),
      metricsDelay: seconds.optional(),
      scaleUp: scalingRules.optional(),
      scaleDown: scalingRules.optional(),
    })
    .optional(),
  keda: z
    .strictObject({
      metricsDelay: seconds.optional(),
      pollingInterval: seconds.optional(),
      cooldownPeriod: seconds.optional(),
    })
    .optional(),
  pods: z
    .strictObject({
      startup: seconds.optional(),
      preemption: seconds.optional(),
      pdbMaxUnavailable: z.number().gt(0).lte(1).optional(),
      cpu: cpu.optional(),
      memory: memory.optional(),
    })
    .optional(),
  nodes: z
    .strictObject({
      cpu: cpu.optional(),
      memory: memory.optional(),
      provisioner: z.enum(['karpenter', 'nodegroup', 'none']).optional(),
    })
    .optional(),
  karpenter: z
    .strictObject({
      batchIdle: seconds.optional(),
      batchMax: seconds.optional(),
      nodeStartup: seconds.optional(),
      consolidation: z.enum(['WhenEmpty', 'WhenEmptyOrUnderutilized', 'Never']).optional(),
      consolidateAfter: seconds.optional(),
      validation: seconds.optional(),
      budgetPercent: z.number().min(0).max(100).optional(),
    })
    .optional(),
  nodegroup: z
    .strictObject({
      nodeStartup: seconds.optional(),
      /** A warm-pool instance (prepared, stopped) started and joined: faster than a cold launch. */
      warmStart: seconds.optional(),
      scanInterval: seconds.optional(),
      scaleDownUnneeded: seconds.optional(),
      scaleDownDelayAfterAdd: seconds.optional(),
      utilizationThreshold: z.number().gt(0).lte(1).optional(),
    })
    .optional(),
  /** Time from a change to ready capacity for AWS kinds (default: the kind's default lead time). */
  /** Per kind; the names are checked against the kinds table with the rest of the config. */
  leadTimes: z.record(z.string(), seconds).optional(),
  /** RDS instances that are Single-AZ: a class change needs approval and means downtime. */
  singleAz: z.array(z.string()).optional(),
  /** Simulated CloudWatch alarms that fire the config's alarm rules. */
  alarms: z.record(z.string(), alarm).optional(),
});

export type BacktestSection = z.infer<typeof backtestSchema>;

export interface HpaBehavior {
  stabilizationWindowSeconds: number;
  pods: number;
  percent: number;
  periodSeconds: number;
}

export interface HpaSettings {
  syncPeriodSeconds: number;
  tolerance: number;
  metricsDelaySeconds: number;
  scaleUp: HpaBehavior;
  scaleDown: HpaBehavior;
}

export interface AlarmSettings {
  target: string;
  metric: 'utilization' | 'demand';
  threshold: number;
  comparison: 'above' | 'below';
  periodSeconds: number;
  evaluationPeriods: number;
}

/** Every simulated behaviour, in seconds, millicores and bytes, defaults filled in. */
export interface SimSettings {
  tickSeconds: number;
  warmupSeconds?: number;
  interpolation: 'linear' | 'hold';
  forecastRefitSeconds: number;
  forecastReselectSeconds: number;
  hpa: HpaSettings;
  keda: { metricsDelaySeconds: number; pollingIntervalSeconds: number; cooldownPeriodSeconds: number };
  pods: {
    startupSeconds: number;
    preemptionSeconds: number;
    pdbMaxUnavailable: number;
    cpuMillis: number;
    memoryBytes: number;
  };
  nodes: { cpuMillis: number; memoryBytes: number; provisioner?: 'karpenter' | 'nodegroup' | 'none' };
  karpenter: {
    batchIdleSeconds: number;
    batchMaxSeconds: number;
    nodeStartupSeconds: number;
    consolidation: 'WhenEmpty' | 'WhenEmptyOrUnderutilized' | 'Never';
    consolidateAfterSeconds: number;
    validationSeconds: number;
    budgetPercent: number;
  };
  nodegroup: {
    nodeStartupSeconds: number;
    warmStartSeconds: number;
    scanIntervalSeconds: number;
    scaleDownUnneededSeconds: number;
    scaleDownDelayAfterAddSeconds: number;
    utilizationThreshold: number;
  };
  /** The real time a change of an AWS target takes (the simulated truth, not the configured leadTime). */
  leadTimeSeconds: (target: Target) => number;
  singleAz: string[];
  alarms: Record<string, AlarmSettings>;
}

/** Kubernetes' default HPA behavior (autoscaling/v2), see docs/backtest.md. */
