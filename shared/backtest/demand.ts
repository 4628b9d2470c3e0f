import { parseDuration } from '../domain/duration.ts';
import { InputError } from '../domain/errors.ts';
import { MAX_MULTIPLIER, parseMultiplier } from '../domain/input.ts';
import { parseInstant } from '../domain/time.ts';
import { type DemandSignal, toPerSecond } from '../domain/types.ts';
import type { Clock } from '../ports/clock.ts';
import type { MetricQuery, MetricSource, Series } from '../ports/metrics.ts';
import type { Trace } from './trace.ts';

/**
 * A synthetic surge laid over the real trace: demand rises linearly to `multiplier` x the
 * trace over `rampSeconds` from `startMs`, holds, and falls back over the last `rampSeconds`
 * of the window (a TV ad: 15x in two minutes). There are no public traces of campaigns, so
 * this is how a backtest asks "what if the ad had run that evening?".
 */
export interface Surge {
  startMs: number;
  durationSeconds: number;
  multiplier: number;
  rampSeconds: number;
}

/** `2014-11-20T23:00:00Z,2h,x15[,2m]`: start, duration, multiplier and optional ramp (default 2m). */
export function parseSurge(text: string, timezone = 'UTC'): Surge {
  const [start, duration, mult, ramp] = text.split(',').map((s) => s.trim());
  const startMs = start ? parseInstant(start, timezone) : undefined;
  if (startMs === undefined) throw new InputError(`--surge: invalid start "${start ?? ''}" (ISO-8601)`);
  const durationSeconds = duration ? parseDuration(duration) : undefined;
  if (!durationSeconds) throw new InputError(`--surge: invalid duration "${duration ?? ''}" (e.g. 2h)`);
  const multiplier = parseMultiplier((mult ?? '').replace(/^x/i, ''));
  if (multiplier === undefined)
    throw new InputError(
      `--surge: invalid multiplier "${mult ?? ''}" (e.g. x15, at most x${MAX_MULTIPLIER})`,
    );
  const rampSeconds = ramp === undefined ? 120 : parseDuration(ramp);
  if (rampSeconds === undefined || rampSeconds * 2 > durationSeconds)
    throw new InputError(`--surge: invalid ramp "${ramp}" (a duration at most half the surge)`);
  return { startMs, durationSeconds, multiplier, rampSeconds };
}

/** The surge factor at `t` (1 outside every surge; overlapping surges multiply). */
export function surgeFactor(surges: Surge[], t: number): number {
  let f = 1;
  for (const s of surges) {
    const end = s.startMs + s.durationSeconds * 1000;
    if (t < s.startMs || t >= end) continue;
    const ramp = Math.max(1, s.rampSeconds * 1000);
    const up = Math.min(1, (t - s.startMs) / ramp, (end - t) / ramp);
    f *= 1 + (s.multiplier - 1) * up;
  }
  return f;
}

/**
 * Demand per second over the simulated time, from a trace: gap slots are bridged linearly
 * (the controllers need some traffic to act on) but flagged unknown so they are not scored.
 * Values are converted with the signal's unit (a trace row is a count per row by default).
 */
export class DemandTimeline {
  readonly trace: Trace;
  readonly surges: Surge[];
  /** Demand per second that one trace value stands for. */
  readonly perSecondFactor: number;
  private readonly filled: Float64Array;
  private readonly stepMs: number;
  private readonly hold: boolean;

  constructor(
    trace: Trace,
    opts: { perSecondFactor: number; interpolation: 'linear' | 'hold'; surges: Surge[] },
  ) {
    this.trace = trace;
    this.surges = opts.surges;
    this.perSecondFactor = opts.perSecondFactor;
    this.stepMs = trace.stepSeconds * 1000;
    this.hold = opts.interpolation === 'hold';
    this.filled = bridgeGaps(trace.values);
  }

  /** Whether the trace has data for the slot that contains `t`. */
  known(t: number): boolean {
    const i = Math.floor((t - this.trace.startMs) / this.stepMs);
    return i >= 0 && i < this.trace.values.length && !Number.isNaN(this.trace.values[i]!);
  }

  /** The trace alone, per second (no surge). */
  base(t: number): number {
    const n = this.filled.length;
    if (this.hold) {
      const i = Math.min(n - 1, Math.max(0, Math.floor((t - this.trace.startMs) / this.stepMs)));
      return this.filled[i]! * this.perSecondFactor;
    }
    // Each value stands for the middle of its slot; demand moves linearly between middles.
    const x = (t - this.trace.startMs) / this.stepMs - 0.5;
    if (x <= 0) return this.filled[0]! * this.perSecondFactor;
    if (x >= n - 1) return this.filled[n - 1]! * this.perSecondFactor;
    const i = Math.floor(x);
    const f = x - i;
    return (this.filled[i]! * (1 - f) + this.filled[i + 1]! * f) * this.perSecondFactor;
  }

  at(t: number): number {
    return this.surges.length ? this.base(t) * surgeFactor(this.surges, t) : this.base(t);
  }

  /**
   * What monitoring recorded for slot `i`, in the trace's own unit: the row, times the mean
   * surge factor over the slot (a surge is real traffic once it happens).
   */
  observed(i: number): number {
    const v = this.trace.values[i]!;
    if (Number.isNaN(v) || this.surges.length === 0) return v;
    const start = this.trace.startMs + i * this.stepMs;
    let sum = 0;
    const samples = 30;
    for (let k = 0; k < samples; k++)
      sum += surgeFactor(this.surges, start + ((k + 0.5) * this.stepMs) / samples);
    return (v * sum) / samples;
  }
}

/** Gaps bridged linearly between the rows around them (edges hold the nearest row). */
function bridgeGaps(values: Float64Array): Float64Array {
  const out = Float64Array.from(values);
  let last = -1;
  for (let i = 0; i < out.length; i++) {
    if (Number.isNaN(out[i]!)) continue;
    if (last < 0) out.fill(out[i]!, 0, i);
    else if (i - last > 1) {
      const a = out[last]!;
      const b = out[i]!;
      for (let k = last + 1; k < i; k++) out[k] = a + ((b - a) * (k - last)) / (i - last);
    }
    last = i;
  }
  if (last >= 0) out.fill(out[last]!, last + 1);
  return out;
}

/**
 * The trace as monitoring would have served it to Headroom: only slots that ended by the
 * simulated now (never the future), gaps left out, in the signal's own unit per step.
 */
export class TraceMetricSource implements MetricSource {
  private readonly demand: DemandTimeline;
  private readonly clock: Clock;
  private readonly signal: string;
  constructor(demand: DemandTimeline, clock: Clock, signal: string) {
    this.demand = demand;
    this.clock = clock;
    this.signal = signal;
  }

  async history(signal: DemandSignal, q: MetricQuery): Promise<Series> {
    const { trace } = this.demand;
    const stepMs = trace.stepSeconds * 1000;
    const t: number[] = [];
    const v: number[] = [];
    if (signal.name !== this.signal) return { t, v, stepSeconds: trace.stepSeconds };
    const until = Math.min(q.to.getTime(), this.clock.now().getTime() - stepMs);
    const first = Math.max(0, Math.ceil((q.from.getTime() - trace.startMs) / stepMs));
    const last = Math.min(trace.values.length - 1, Math.floor((until - trace.startMs) / stepMs));
    for (let i = first; i <= last; i++) {
      const x = this.demand.observed(i);
      if (Number.isNaN(x)) continue;
      t.push(trace.startMs + i * stepMs);
      v.push(x);
    }
    return { t, v, stepSeconds: trace.stepSeconds };
  }
}

/**
 * What a one-minute metric (CloudWatch at period 60, a Prometheus rate over 1m) shows of the
 * replayed demand, surges included: the mean of each minute that ended by the simulated now,
 * in the signal's own unit per minute step. The surge detector reads it.
 */
export class ObservedDemandSource implements MetricSource {
  private readonly demand: DemandTimeline;
  private readonly clock: Clock;
  private readonly signal: string;
  constructor(demand: DemandTimeline, clock: Clock, signal: string) {
    this.demand = demand;
    this.clock = clock;
    this.signal = signal;
  }

  async history(signal: DemandSignal, q: MetricQuery): Promise<Series> {
    const t: number[] = [];
    const v: number[] = [];
    const step = 60_000;
    if (signal.name !== this.signal) return { t, v, stepSeconds: 60 };
    const perStep = toPerSecond(signal, 1, 60);
    const until = Math.min(q.to.getTime(), this.clock.now().getTime());
    for (let m = Math.ceil(q.from.getTime() / step) * step; m + step <= until; m += step) {
      if (!this.demand.known(m)) continue;
      let sum = 0;
      for (let k = 0; k < 6; k++) sum += this.demand.at(m + (k + 0.5) * 10_000);
      t.push(m);
      v.push(sum / 6 / perStep);
    }
    return { t, v, stepSeconds: 60 };
  }
}
