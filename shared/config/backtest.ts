import * as z from 'zod';
import { parseCpuMillis, parseDuration, parseMemoryBytes } from '../domain/duration.ts';
import { defaultLeadTimeSeconds, KINDS } from '../domain/kinds.ts';
import { TARGET_KINDS, type Target, type TargetKind } from '../domain/types.ts';

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

const scalingRules = z.strictObject({
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
      scanInterval: seconds.optional(),
      scaleDownUnneeded: seconds.optional(),
      scaleDownDelayAfterAdd: seconds.optional(),
      utilizationThreshold: z.number().gt(0).lte(1).optional(),
    })
    .optional(),
  /** Time from a change to ready capacity for AWS kinds (default: the kind's default lead time). */
  leadTimes: z.partialRecord(z.enum(TARGET_KINDS), seconds).optional(),
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
export const DEFAULT_HPA: HpaSettings = {
  syncPeriodSeconds: 15,
  tolerance: 0.1,
  metricsDelaySeconds: 60,
  scaleUp: { stabilizationWindowSeconds: 0, pods: 4, percent: 100, periodSeconds: 15 },
  scaleDown: { stabilizationWindowSeconds: 300, pods: 0, percent: 100, periodSeconds: 15 },
};

/** Allocatable of an m6i.xlarge-class node (4 vCPU, 16 GiB) after kube-reserved and eviction thresholds. */
const NODE = { cpuMillis: 3920, memoryBytes: 14.5 * 1024 ** 3 };

function behavior(base: HpaBehavior, raw: z.infer<typeof scalingRules> | undefined): HpaBehavior {
  return {
    stabilizationWindowSeconds: raw?.stabilizationWindow ?? base.stabilizationWindowSeconds,
    pods: raw?.pods ?? base.pods,
    percent: raw?.percent ?? base.percent,
    periodSeconds: raw?.period ?? base.periodSeconds,
  };
}

export function resolveSimSettings(raw: BacktestSection | undefined): SimSettings {
  const r = raw ?? {};
  const leadTimes = r.leadTimes ?? {};
  return {
    tickSeconds: r.tick ?? 5,
    warmupSeconds: r.warmup,
    interpolation: r.interpolation ?? 'linear',
    forecastRefitSeconds: r.forecastRefit ?? 60,
    forecastReselectSeconds: r.forecastReselect ?? 86_400,
    hpa: {
      syncPeriodSeconds: r.hpa?.syncPeriod ?? DEFAULT_HPA.syncPeriodSeconds,
      tolerance: r.hpa?.tolerance ?? DEFAULT_HPA.tolerance,
      metricsDelaySeconds: r.hpa?.metricsDelay ?? DEFAULT_HPA.metricsDelaySeconds,
      scaleUp: behavior(DEFAULT_HPA.scaleUp, r.hpa?.scaleUp),
      scaleDown: behavior(DEFAULT_HPA.scaleDown, r.hpa?.scaleDown),
    },
    keda: {
      metricsDelaySeconds: r.keda?.metricsDelay ?? 30,
      pollingIntervalSeconds: r.keda?.pollingInterval ?? 30,
      cooldownPeriodSeconds: r.keda?.cooldownPeriod ?? 300,
    },
    pods: {
      startupSeconds: r.pods?.startup ?? 30,
      preemptionSeconds: r.pods?.preemption ?? 5,
      pdbMaxUnavailable: r.pods?.pdbMaxUnavailable ?? 0.25,
      cpuMillis: r.pods?.cpu ?? 500,
      memoryBytes: r.pods?.memory ?? 1024 ** 3,
    },
    nodes: {
      cpuMillis: r.nodes?.cpu ?? NODE.cpuMillis,
      memoryBytes: r.nodes?.memory ?? NODE.memoryBytes,
      provisioner: r.nodes?.provisioner,
    },
    karpenter: {
      batchIdleSeconds: r.karpenter?.batchIdle ?? 1,
      batchMaxSeconds: r.karpenter?.batchMax ?? 10,
      nodeStartupSeconds: r.karpenter?.nodeStartup ?? 45,
      consolidation: r.karpenter?.consolidation ?? 'WhenEmptyOrUnderutilized',
      consolidateAfterSeconds: r.karpenter?.consolidateAfter ?? 0,
      validationSeconds: r.karpenter?.validation ?? 15,
      budgetPercent: r.karpenter?.budgetPercent ?? 10,
    },
    nodegroup: {
      nodeStartupSeconds: r.nodegroup?.nodeStartup ?? KINDS['eks-nodegroup'].defaultLeadTimeSeconds,
      scanIntervalSeconds: r.nodegroup?.scanInterval ?? 10,
      scaleDownUnneededSeconds: r.nodegroup?.scaleDownUnneeded ?? 600,
      scaleDownDelayAfterAddSeconds: r.nodegroup?.scaleDownDelayAfterAdd ?? 600,
      utilizationThreshold: r.nodegroup?.utilizationThreshold ?? 0.5,
    },
    leadTimeSeconds: (t) => leadTimes[t.kind] ?? defaultLeadTimeSeconds(t.kind, t.spec.dimension),
    singleAz: r.singleAz ?? [],
    alarms: Object.fromEntries(
      Object.entries(r.alarms ?? {}).map(([name, a]) => [
        name,
        {
          target: a.target,
          metric: a.metric,
          threshold: a.threshold,
          comparison: a.comparison,
          periodSeconds: a.period,
          evaluationPeriods: a.evaluationPeriods,
        },
      ]),
    ),
  };
}

/**
 * Cross-references of the section, reported like every other config problem (`path: message`):
 * alarms name declared targets, Single-AZ instances are declared rds-instance targets.
 */
export function checkBacktestSection(
  raw: BacktestSection | undefined,
  targets: Map<string, TargetKind>,
  add: (path: (string | number)[], message: string) => void,
): void {
  if (!raw) return;
  for (const [name, a] of Object.entries(raw.alarms ?? {})) {
    if (!targets.has(a.target)) add(['backtest', 'alarms', name, 'target'], `unknown target "${a.target}"`);
    if (a.period <= 0) add(['backtest', 'alarms', name, 'period'], 'must be positive');
  }
  (raw.singleAz ?? []).forEach((id, i) => {
    if (targets.get(id) !== 'rds-instance')
      add(['backtest', 'singleAz', i], `"${id}" is not a declared rds-instance target`);
  });
  if (raw.tick !== undefined && (raw.tick < 1 || raw.tick > 60 || 60 % raw.tick !== 0))
    add(['backtest', 'tick'], 'must divide a minute (1s, 5s, 15s, 30s, 60s...)');
  const ka = raw.karpenter;
  if (ka?.batchIdle !== undefined && ka.batchMax !== undefined && ka.batchIdle > ka.batchMax)
    add(['backtest', 'karpenter', 'batchIdle'], 'must not exceed batchMax');
}
