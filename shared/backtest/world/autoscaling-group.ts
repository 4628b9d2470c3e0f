/**
 * An EC2 Auto Scaling group under a target tracking policy on average CPU: the reactive baseline
 * of an `ec2-autoscaling-group` target whose capacity model reads the replayed signal. As AWS
 * creates them for a target tracking policy, the policy's alarms evaluate one-minute datapoints:
 * the high alarm after 3 consecutive datapoints above the target, the low one after 15 below 90 %
 * of it (AWS Auto Scaling user guide, "Target tracking scaling policies"). A datapoint is the
 * utilisation of the instances serving a minute earlier (CloudWatch's one-minute metrics arrive
 * about a minute late). On the high alarm desired capacity goes to what the metric needs, on the
 * low one down to it (never below MinSize, which Headroom raises and which lifts desired at once).
 * A launched instance serves after the target's lead time (launch plus the group's warmup);
 * terminations take instances still on their way first.
 */
export interface TargetTrackingSpec {
  minSize: number;
  maxSize: number;
  /** Demand (per second) one instance serves at 100 % CPU. */
  perUnit: number;
  /** The policy's target utilisation (0.6 for 60 % CPU). */
  target: number;
  leadSeconds: number;
}

const MINUTE = 60_000;
const HIGH_DATAPOINTS = 3;
const LOW_DATAPOINTS = 15;
const LOW_FRACTION = 0.9;
const METRIC_DELAY_MS = MINUTE;

export class TargetTrackingGroup {
  minSize: number;
  maxSize: number;
  desired: number;
  private readonly s: TargetTrackingSpec;
  private readyNow: number;
  /** When each instance on its way serves, oldest first. */
  private readonly arriving: number[] = [];
  private above = 0;
  private below = 0;
  private nextEvalAt = Number.NEGATIVE_INFINITY;
  /** Desired capacity changes made by the policy. */
  changes = 0;

  constructor(initial: number, spec: TargetTrackingSpec) {
    this.s = spec;
    this.minSize = spec.minSize;
    this.maxSize = spec.maxSize;
    this.desired = Math.min(spec.maxSize, Math.max(spec.minSize, initial));
    this.readyNow = this.desired;
  }

  /** Instances serving at `now`. */
  ready(now: number): number {
    while (this.arriving.length && this.arriving[0]! <= now) {
      this.arriving.shift();
      this.readyNow++;
    }
    return this.readyNow;
  }

  /** Instances launching or warming up (the real group reports a scaling activity in progress). */
  launching(now: number): number {
    this.ready(now);
    return this.arriving.length;
  }

  /** Instances needed for `demand` per second at the policy's target. */
  private need(demand: number): number {
    return Math.ceil(demand / (this.s.perUnit * this.s.target) - 1e-9);
  }

  step(now: number, demand: (t: number) => number): void {
    if (this.desired < this.minSize) this.resize(now, Math.min(this.maxSize, this.minSize));
    if (now < this.nextEvalAt) return;
    this.nextEvalAt = now + MINUTE;
    const then = now - METRIC_DELAY_MS;
    const d = demand(then);
    const serving = this.ready(then);
    const u = serving > 0 ? d / (serving * this.s.perUnit) : d > 0 ? Number.POSITIVE_INFINITY : 0;
    this.above = u > this.s.target ? this.above + 1 : 0;
    this.below = u < this.s.target * LOW_FRACTION ? this.below + 1 : 0;
    if (this.above >= HIGH_DATAPOINTS) {
      this.above = 0;
      const next = Math.min(this.maxSize, this.need(d));
      if (next > this.desired) {
        this.resize(now, next);
        this.changes++;
      }
    } else if (this.below >= LOW_DATAPOINTS) {
      this.below = 0;
      const next = Math.max(this.minSize, this.need(d));
      if (next < this.desired) {
        this.resize(now, next);
        this.changes++;
      }
    }
  }

  /** Headroom's floor: desired rises to it at once; on a release, desired goes to `desired` when given. */
  setMinSize(now: number, minSize: number, desired?: number): void {
    this.minSize = minSize;
    const to = Math.max(minSize, desired ?? this.desired);
    if (to !== this.desired) this.resize(now, Math.min(this.maxSize, to));
  }

  /** A ceiling (or its lift): MaxSize set, MinSize and desired down to it when above. */
  setMaxSize(now: number, maxSize: number): void {
    this.maxSize = maxSize;
    this.minSize = Math.min(this.minSize, maxSize);
    if (this.desired > maxSize) this.resize(now, maxSize);
  }

  private resize(now: number, to: number): void {
    this.ready(now);
    for (let n = this.desired; n < to; n++) this.arriving.push(now + this.s.leadSeconds * 1000);
    for (let n = this.desired; n > to; n--) {
      if (this.arriving.length) this.arriving.pop();
      else this.readyNow--;
    }
    this.desired = to;
  }
}
