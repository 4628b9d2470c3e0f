import type { SimSettings } from '../config/backtest.ts';
import { InputError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type { DemandTimeline } from './demand.ts';
import type { Timeline } from './score.ts';
import { endOf, type Trace } from './trace.ts';

/** The scored timeline of a backtest: demand per tick, which ticks count, the minute grid. */

const SETTLE_SECONDS = 3600;

export function buildTimeline(
  demand: DemandTimeline,
  trace: Trace,
  warmupSeconds: number,
  settings: SimSettings,
  unitPerSecond?: number,
): Timeline {
  const tickMs = settings.tickSeconds * 1000;
  const end = Math.floor(endOf(trace) / tickMs) * tickMs;
  const scoreStart = Math.ceil((trace.startMs + warmupSeconds * 1000) / tickMs) * tickMs;
  if (scoreStart >= end)
    throw new InputError(
      `the warm-up (${warmupSeconds / 3600} h) leaves nothing to score in ${iso(trace.startMs)} to ${iso(endOf(trace))}`,
    );
  const settle = Math.min(SETTLE_SECONDS, warmupSeconds) * 1000;
  const start = Math.max(
    Math.ceil(trace.startMs / tickMs) * tickMs,
    Math.floor((scoreStart - settle) / tickMs) * tickMs,
  );
  const n = Math.round((end - start) / tickMs);
  const d = new Float64Array(n);
  const scored = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = start + i * tickMs;
    d[i] = demand.at(t);
    scored[i] = t >= scoreStart && demand.known(t) ? 1 : 0;
  }
  if (!scored.includes(1))
    throw new InputError(
      `nothing to score: the trace has no rows from ${iso(scoreStart)} to ${iso(end)} (all gaps after the warm-up)`,
    );
  const minuteStart = Math.floor(scoreStart / 60_000) * 60_000;
  return {
    start,
    tickMs,
    demand: d,
    scored,
    scoreStart,
    scoreEnd: end,
    minuteStart,
    minutes: Math.ceil((end - minuteStart) / 60_000),
    unitPerSecond,
  };
}

/** Mean demand per second per minute of the scored period (NaN in gaps). */
export function minuteDemand(tl: Timeline): Float32Array {
  const sum = new Float64Array(tl.minutes);
  const count = new Uint16Array(tl.minutes);
  for (let i = 0; i < tl.demand.length; i++) {
    if (!tl.scored[i]) continue;
    const m = Math.floor((tl.start + i * tl.tickMs - tl.minuteStart) / 60_000);
    sum[m]! += tl.demand[i]!;
    count[m]!++;
  }
  return Float32Array.from(sum, (s, m) => (count[m]! > 0 ? s / count[m]! : Number.NaN));
}
