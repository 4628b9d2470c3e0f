import type * as z from 'zod';
import type { TargetKind } from '../domain/types.ts';
import { defaultLeadTimeSeconds, KINDS } from '../kinds/index.ts';
import type { BacktestSection, HpaBehavior, HpaSettings, SimSettings, scalingRules } from './backtest.ts';

/**
 * The backtest section resolved into the simulated world's settings, with the defaults of
 * each controller (Kubernetes HPA, KEDA, Karpenter, Cluster Autoscaler) and each kind's lead time.
 */

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
      nodeStartupSeconds: r.nodegroup?.nodeStartup ?? KINDS.of('eks-nodegroup').leadTime.seconds,
      // A stopped instance starts in well under a minute and rejoins the cluster (docs/backtest.md).
      warmStartSeconds: r.nodegroup?.warmStart ?? 90,
      scanIntervalSeconds: r.nodegroup?.scanInterval ?? 10,
      scaleDownUnneededSeconds: r.nodegroup?.scaleDownUnneeded ?? 600,
      scaleDownDelayAfterAddSeconds: r.nodegroup?.scaleDownDelayAfterAdd ?? 600,
      utilizationThreshold: r.nodegroup?.utilizationThreshold ?? 0.5,
    },
    leadTimeSeconds: (t) =>
      leadTimes[t.kind] ?? defaultLeadTimeSeconds(KINDS.of(t.kind), t.spec.dimension, t.spec),
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
 * alarms name declared targets, Single-AZ instances are declared targets of a kind whose changes
 * need approval when at risk (rds-instance).
 */
export function checkBacktestSection(
  raw: BacktestSection | undefined,
  targets: Map<string, TargetKind>,
  add: (path: (string | number)[], message: string) => void,
): void {
  if (!raw) return;
  for (const kind of Object.keys(raw.leadTimes ?? {}))
    if (!KINDS.has(kind))
      add(['backtest', 'leadTimes', kind], `unknown kind "${kind}" (one of ${KINDS.names.join(', ')})`);
  for (const [name, a] of Object.entries(raw.alarms ?? {})) {
    if (!targets.has(a.target)) add(['backtest', 'alarms', name, 'target'], `unknown target "${a.target}"`);
    if (a.period <= 0) add(['backtest', 'alarms', name, 'period'], 'must be positive');
  }
  (raw.singleAz ?? []).forEach((id, i) => {
    const kind = targets.get(id);
    if (!kind || !KINDS.of(kind).needsApproval) {
      const kinds = KINDS.all()
        .filter((k) => k.needsApproval)
        .map((k) => k.name);
      add(['backtest', 'singleAz', i], `"${id}" is not a declared ${kinds.join(' or ')} target`);
    }
  });
  if (raw.tick !== undefined && (raw.tick < 1 || raw.tick > 60 || 60 % raw.tick !== 0))
    add(['backtest', 'tick'], 'must divide a minute (1s, 5s, 15s, 30s, 60s...)');
  const ka = raw.karpenter;
  if (ka?.batchIdle !== undefined && ka.batchMax !== undefined && ka.batchIdle > ka.batchMax)
    add(['backtest', 'karpenter', 'batchIdle'], 'must not exceed batchMax');
}
