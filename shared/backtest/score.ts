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
  /**
   * Requests per second one unit of the (first) serving target serves: the resource unit the
   * SPEC RG elasticity metrics count demand and supply in (default 1).
   */
  unitPerSecond?: number;
}

/**
 * The SPEC Research Group elasticity metrics (Herbst et al., "Quantifying Cloud Performance
 * and Dependability", ACM TOMPECS 2018) over the scored ticks. Demand `d` is the least whole
 * number of units that serves the demand; supply `s` the ready capacity in the same units.
 */
export interface ElasticityScores {
  /** accuracy_U: mean of (d - s)+ / d over time, percent (how much of the demand went short). */
  accuracyU: number;
  /** accuracy_O: mean of (s - d)+ / d over time, percent (how much was paid for beyond it). */
  accuracyO: number;
  /** timeshare_U: share of time with s < d, percent. */
  timeshareU: number;
  /** timeshare_O: share of time with s > d, percent. */
  timeshareO: number;
  /** instability: share of consecutive ticks where supply and demand did not move the same way, percent. */
  instability: number;
  /** jitter: (supply adaptations - demand changes) per hour; negative = inert, positive = restless. */
  jitter: number;
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
  elasticity: ElasticityScores;
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
  private readonly elastic = new ElasticityAccumulator();

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
    this.elastic.add(i, d / (this.tl.unitPerSecond ?? 1), capacity / (this.tl.unitPerSecond ?? 1));
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
      elasticity: this.elastic.result(this.tickHours),
    };
  }
}

/**
 * Sums of the SPEC RG metrics tick by tick: `add(i, demand, supply)` in units for scored
 * tick i (ticks must come in order; a gap between scored ticks restarts the change counts).
 */
export class ElasticityAccumulator {
  private ticks = 0;
  private under = 0;
  private over = 0;
  private underTicks = 0;
  private overTicks = 0;
  private pairs = 0;
  private unstable = 0;
  private supplyChanges = 0;
  private demandChanges = 0;
  private prev: { i: number; d: number; s: number } | undefined;

  add(i: number, demand: number, supply: number): void {
    const d = Math.ceil(demand - 1e-9);
    const s = supply;
    const base = Math.max(d, 1);
    this.ticks++;
    if (d > s + 1e-9) {
      this.under += (d - s) / base;
      this.underTicks++;
    } else if (s > d + 1e-9) {
      this.over += (s - d) / base;
      this.overTicks++;
    }
    const p = this.prev;
    if (p && p.i === i - 1) {
      const ds = Math.sign(round9(s - p.s));
      const dd = Math.sign(d - p.d);
      this.pairs++;
      if (ds !== dd) this.unstable++;
      if (ds !== 0) this.supplyChanges++;
      if (dd !== 0) this.demandChanges++;
    }
    this.prev = { i, d, s };
  }

  result(tickHours: number): ElasticityScores {
    const pct = (x: number, n: number) => (n > 0 ? (100 * x) / n : 0);
    const hours = this.ticks * tickHours;
    return {
      accuracyU: pct(this.under, this.ticks),
      accuracyO: pct(this.over, this.ticks),
      timeshareU: pct(this.underTicks, this.ticks),
      timeshareO: pct(this.overTicks, this.ticks),
      instability: pct(this.unstable, this.pairs),
      jitter: hours > 0 ? (this.supplyChanges - this.demandChanges) / hours : 0,
    };
  }
}

/** Supply sums of ready capacity carry float noise: changes below 1e-9 units are none. */
function round9(x: number): number {
  return Math.abs(x) < 1e-9 ? 0 : x;
}
