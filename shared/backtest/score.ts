import type { Target } from '../domain/types.ts';

/**
 * The simulated time on a fixed grid, shared by every policy: demand per second at each tick
 * (computed once), whether the trace had data there, and which ticks are scored (after the
 * warm-up, inside the trace, not in a gap).
 */
export interface Timeline {
  start: number;
  tickMs: number;
  demand: Float64Array;
  scored: Uint8Array;
  scoreStart: number;
  scoreEnd: number;
  /** First minute of the per-minute series (the scored period). */
  minuteStart: number;
  minutes: number;
}

export interface PolicyScores {
  underProvisionedMinutes: number;
  unservedFraction: number;
  capacityUnitHours: number;
  costVsOracle: number;
  scalingActions: number;
  /** Minutes in which demand was above `targetUtilization` of capacity (running hot, not short). */
  overTargetMinutes: number;
  /** Node-hours of the clusters (launching and ready nodes). */
  nodeHours: number;
  actions: Record<string, number>;
}

/** Per-minute aggregates of one policy, for the report's charts. */
export interface PolicySeries {
  /** Lowest ready capacity (requests per second) in the minute. */
  capacity: Float32Array;
  /** Mean provisioned units (the cost) in the minute. */
  units: Float32Array;
  /** Requests not served in the minute. */
  unserved: Float32Array;
  nodes: Float32Array;
}

/** A capacity target: what one unit serves, and the utilisation it should run at. */
export interface ServingTarget {
  target: Target;
  perUnit: number;
  targetUtilization: number;
}

/** Requests per second `units` of a target serve: a ladder's tier doubles at each step. */
export function capacityOf(s: ServingTarget, units: number): number {
  return s.target.scale === 'ladder' ? s.perUnit * 2 ** units : s.perUnit * units;
}

/**
 * Accumulates a policy's scores over the scored ticks, per CONTRACTS.md: a minute is
 * under-provisioned when demand exceeded ready capacity at any tick in it; unserved demand
 * is the excess summed over all demand; cost is the integral of provisioned units.
 */
export class Scorer {
  readonly series: PolicySeries;
  private readonly tl: Timeline;
  private readonly tickHours: number;
  private readonly tickSeconds: number;
  private lastShortMinute = -1;
  private lastHotMinute = -1;
  private shortMinutes = 0;
  private hotMinutes = 0;
  private unserved = 0;
  private demandSum = 0;
  private unitHours = 0;
  private nodeHours = 0;
  private readonly perMinuteTicks: number;

  constructor(tl: Timeline) {
    this.tl = tl;
    this.tickSeconds = tl.tickMs / 1000;
    this.tickHours = this.tickSeconds / 3600;
    this.perMinuteTicks = 60_000 / tl.tickMs;
    this.series = {
      capacity: new Float32Array(tl.minutes).fill(Number.POSITIVE_INFINITY),
      units: new Float32Array(tl.minutes),
      unserved: new Float32Array(tl.minutes),
      nodes: new Float32Array(tl.minutes),
    };
  }

  /**
   * One tick: `capacity` is what the ready units serve (the tightest serving target),
   * `hot` whether demand is above some target's utilisation goal, `units` the provisioned
   * units of the serving targets, `nodes` the cluster's nodes.
   */
  record(i: number, capacity: number, hot: boolean, units: number, nodes: number): void {
    if (!this.tl.scored[i]) return;
    const t = this.tl.start + i * this.tl.tickMs;
    const m = Math.floor((t - this.tl.minuteStart) / 60_000);
    const d = this.tl.demand[i]!;
    const short = d - capacity;
    this.demandSum += d;
    if (short > 1e-9) {
      this.unserved += short;
      if (m !== this.lastShortMinute) {
        this.shortMinutes++;
        this.lastShortMinute = m;
      }
      this.series.unserved[m]! += short * this.tickSeconds;
    }
    if (hot && m !== this.lastHotMinute) {
      this.hotMinutes++;
      this.lastHotMinute = m;
    }
    this.unitHours += units * this.tickHours;
    this.nodeHours += nodes * this.tickHours;
    if (capacity < this.series.capacity[m]!) this.series.capacity[m] = capacity;
    this.series.units[m]! += units / this.perMinuteTicks;
    this.series.nodes[m]! += nodes / this.perMinuteTicks;
  }

  result(actions: Record<string, number>, scalingActions: number): PolicyScores {
    return {
      underProvisionedMinutes: this.shortMinutes,
      unservedFraction: this.demandSum > 0 ? this.unserved / this.demandSum : 0,
      capacityUnitHours: this.unitHours,
      costVsOracle: Number.NaN,
      scalingActions,
      overTargetMinutes: this.hotMinutes,
      nodeHours: this.nodeHours,
      actions,
    };
  }
}
