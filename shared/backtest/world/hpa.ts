import type { HpaBehavior, HpaSettings } from '../../config/backtest.ts';

/**
 * What the HPA controller sees at one sync of a per-pod resource metric (CPU utilisation).
 * The metric comes from metrics-server and is some seconds old, so pods split into: pods
 * that have a sample (`withMetrics`, at `utilization` of their request on average), pods that
 * are ready but were not yet ready when the sample was taken (`missing`), and pods that are
 * not ready (pending or starting: `notReady`).
 */
export interface ResourceObservation {
  kind: 'resource';
  withMetrics: number;
  missing: number;
  notReady: number;
  /** Mean utilisation of the pods with metrics, as a fraction of their request. */
  utilization: number;
}

/** An external metric with an AverageValue target (how KEDA drives its HPA). */
export interface ExternalObservation {
  kind: 'external';
  /** The metric's total value (requests per second, queue length...). */
  value: number;
}

export type Observation = ResourceObservation | ExternalObservation | undefined;

interface Recommendation {
  at: number;
  replicas: number;
}

interface ScaleEvent {
  at: number;
  /** Replicas added (positive) or removed (negative). */
  delta: number;
}

/**
 * A model of the Kubernetes HorizontalPodAutoscaler controller (autoscaling/v2) for one HPA,
 * as its documentation describes it:
 * - `desired = ceil(current * metric / target)`; no change when the ratio is within the
 *   tolerance (0.1) of 1;
 * - not-ready pods are set aside, and counted as using 0 % when the HPA would scale up;
 *   ready pods without a sample count 100 % of the target on a scale-down, 0 % on a scale-up;
 *   if that reverses the direction or lands within tolerance, nothing changes;
 * - when the current count is below `minReplicas` (Headroom raised the floor) or above
 *   `maxReplicas`, the HPA goes straight to the bound, without rate limits;
 * - otherwise the recommendation is stabilised (scale-down uses the highest recommendation
 *   of the last 300 s, scale-up the lowest of its window, 0 s by default) and rate-limited
 *   per period (scale-up at most max(4 pods, 100 %) per 15 s; scale-down 100 % per 15 s).
 * The sources are listed in docs/backtest.md. Time is passed in (epoch ms); nothing here
 * reads a clock.
 */
export class HpaController {
  minReplicas: number;
  maxReplicas: number;
  /** Utilisation target (resource metric) or per-pod average value target (external metric). */
  target: number;
  private readonly settings: HpaSettings;
  private readonly recommendations: Recommendation[] = [];
  private readonly events: ScaleEvent[] = [];
  private nextSyncAt = Number.NEGATIVE_INFINITY;
  /** Replica changes this HPA made (for the scores' scaling actions). */
  changes = 0;

  constructor(spec: { minReplicas: number; maxReplicas: number; target: number }, settings: HpaSettings) {
    this.minReplicas = spec.minReplicas;
    this.maxReplicas = spec.maxReplicas;
    this.target = spec.target;
    this.settings = settings;
  }

  /** True when a sync is due at `now` (every `syncPeriod` on the controller's own clock). */
  due(now: number): boolean {
    if (now < this.nextSyncAt) return false;
    const period = this.settings.syncPeriodSeconds * 1000;
    this.nextSyncAt = this.nextSyncAt === Number.NEGATIVE_INFINITY ? now + period : this.nextSyncAt + period;
    if (this.nextSyncAt <= now) this.nextSyncAt = now + period;
    return true;
  }

  /** One reconcile of the controller: returns the replica count it sets on the workload. */
  sync(now: number, current: number, obs: Observation): number {
    let desired: number;
    if (current > this.maxReplicas) desired = this.maxReplicas;
    else if (current < this.minReplicas) desired = this.minReplicas;
    else {
      const proposed = obs ? this.recommend(current, obs) : current;
      desired = this.normalise(now, current, proposed);
    }
    if (desired !== current) {
      this.events.push({ at: now, delta: desired - current });
      this.changes++;
    }
    this.prune(now);
    return desired;
  }

  /** The metric-based recommendation, before stabilisation and rate limits. */
  recommend(current: number, obs: ResourceObservation | ExternalObservation): number {
    const tol = this.settings.tolerance;
    if (obs.kind === 'external') {
      // AverageValue: the total divided by the per-pod target; tolerance against the current count.
      if (current === 0) return Math.ceil(obs.value / this.target - 1e-9);
      const ratio = obs.value / (this.target * current);
      if (Math.abs(1 - ratio) <= tol) return current;
      return Math.ceil(obs.value / this.target - 1e-9);
    }
    const { withMetrics, missing, notReady, utilization } = obs;
    if (withMetrics <= 0) return current; // no metrics for any pod: the HPA cannot compute
    const ratio = utilization / this.target;
    const upWithUnready = notReady > 0 && ratio > 1;
    if (!upWithUnready && missing === 0) {
      if (Math.abs(1 - ratio) <= tol) return current;
      return Math.ceil(ratio * withMetrics - 1e-9);
    }
    // Recompute conservatively: missing pods at 100 % of target on a scale-down, 0 % on a
    // scale-up; not-ready pods at 0 % when scaling up.
    let usage = utilization * withMetrics;
    let pods = withMetrics + missing;
    if (missing > 0 && ratio < 1) usage += this.target * missing;
    if (upWithUnready) pods += notReady;
    const newRatio = usage / (pods * this.target);
    if (Math.abs(1 - newRatio) <= tol || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1))
      return current;
    const next = Math.ceil(newRatio * pods - 1e-9);
    if ((newRatio < 1 && next > current) || (newRatio > 1 && next < current)) return current;
    return next;
  }

  /** Stabilisation windows, then the per-period rate limits, then the bounds. */
  private normalise(now: number, current: number, proposed: number): number {
    const up = this.settings.scaleUp;
    const down = this.settings.scaleDown;
    let upRec = proposed;
    let downRec = proposed;
    for (const r of this.recommendations) {
      if (r.at > now - up.stabilizationWindowSeconds * 1000) upRec = Math.min(upRec, r.replicas);
      if (r.at > now - down.stabilizationWindowSeconds * 1000) downRec = Math.max(downRec, r.replicas);
    }
    this.recommendations.push({ at: now, replicas: proposed });
    let desired = current;
    if (desired < upRec) desired = upRec;
    if (desired > downRec) desired = downRec;

    if (desired > current) {
      const limit = Math.max(current, this.upLimit(now, current, up));
      return Math.min(desired, limit, this.maxReplicas);
    }
    if (desired < current) {
      const limit = Math.min(current, this.downLimit(now, current, down));
      return Math.max(desired, limit, this.minReplicas);
    }
    return Math.min(this.maxReplicas, Math.max(this.minReplicas, desired));
  }

  /** The most replicas the scale-up policies allow now (selectPolicy Max). */
  private upLimit(now: number, current: number, rule: HpaBehavior): number {
    const since = now - rule.periodSeconds * 1000;
    let added = 0;
    for (const e of this.events) if (e.at > since && e.delta > 0) added += e.delta;
    const start = current - added;
    return Math.max(start + rule.pods, Math.ceil(start * (1 + rule.percent / 100)));
  }

  /** The fewest replicas the scale-down policies allow now (selectPolicy Max: the largest drop). */
  private downLimit(now: number, current: number, rule: HpaBehavior): number {
    const since = now - rule.periodSeconds * 1000;
    let removed = 0;
    for (const e of this.events) if (e.at > since && e.delta < 0) removed -= e.delta;
    const start = current + removed;
    const byPercent = Math.ceil(start * (1 - rule.percent / 100));
    const byPods = rule.pods > 0 ? start - rule.pods : byPercent;
    return Math.max(0, Math.min(byPercent, byPods));
  }

  private prune(now: number): void {
    const keep =
      Math.max(
        this.settings.scaleUp.stabilizationWindowSeconds,
        this.settings.scaleDown.stabilizationWindowSeconds,
        this.settings.scaleUp.periodSeconds,
        this.settings.scaleDown.periodSeconds,
      ) * 1000;
    while (this.recommendations.length && this.recommendations[0]!.at <= now - keep)
      this.recommendations.shift();
    while (this.events.length && this.events[0]!.at <= now - keep) this.events.shift();
  }
}
