import type { HpaSettings } from '../../config/backtest.ts';
import { HpaController } from './hpa.ts';

/**
 * A KEDA ScaledObject: KEDA creates an HPA on an External metric (the trigger's value, with
 * an AverageValue target per pod), so from 1 replica up the HPA model above does the work.
 * KEDA itself only handles 0 <-> 1: every `pollingInterval` it checks the trigger, activates
 * the workload when the value is above the activation threshold (0), and scales it to zero
 * after `cooldownPeriod` without activity when `minReplicaCount` is 0.
 */
export class KedaScaler {
  readonly hpa: HpaController;
  private minCount: number;
  private readonly pollMs: number;
  private readonly cooldownMs: number;
  private nextPollAt = Number.NEGATIVE_INFINITY;
  private lastActiveAt = Number.NEGATIVE_INFINITY;
  changes = 0;

  constructor(
    spec: { minReplicaCount: number; maxReplicaCount: number; targetPerPod: number },
    hpa: HpaSettings,
    keda: { pollingIntervalSeconds: number; cooldownPeriodSeconds: number },
  ) {
    this.minCount = spec.minReplicaCount;
    this.hpa = new HpaController(
      {
        minReplicas: Math.max(1, spec.minReplicaCount),
        maxReplicas: spec.maxReplicaCount,
        target: spec.targetPerPod,
      },
      hpa,
    );
    this.pollMs = keda.pollingIntervalSeconds * 1000;
    this.cooldownMs = keda.cooldownPeriodSeconds * 1000;
  }

  get minReplicaCount(): number {
    return this.minCount;
  }

  /** Headroom's floor: KEDA passes it to its HPA as minReplicas (at least 1). */
  set minReplicaCount(n: number) {
    this.minCount = n;
    this.hpa.minReplicas = Math.max(1, n);
  }

  /** The `autoscaling.keda.sh/paused-replicas` annotation: KEDA holds the workload there and stops scaling. */
  pausedReplicas: number | undefined;

  /** One tick: KEDA's activation poll when due, then the HPA's sync when due. */
  step(now: number, current: number, value: number | undefined): number {
    if (this.pausedReplicas !== undefined) {
      if (current !== this.pausedReplicas) this.changes++;
      return this.pausedReplicas;
    }
    if (now >= this.nextPollAt) {
      this.nextPollAt = now + this.pollMs;
      if (value !== undefined && value > 0) this.lastActiveAt = now;
    }
    let next = current;
    if (this.minCount === 0 && current > 0 && now - this.lastActiveAt >= this.cooldownMs) next = 0;
    else if (current === 0) next = this.lastActiveAt === now || this.minCount > 0 ? this.hpa.minReplicas : 0;
    else if (this.hpa.due(now))
      next = this.hpa.sync(now, current, value === undefined ? undefined : { kind: 'external', value });
    if (next !== current && (current === 0 || next === 0)) this.changes++;
    return next;
  }

  get totalChanges(): number {
    return this.changes + this.hpa.changes;
  }
}
