import type { SurgeConfig } from '../config/surge.ts';
import { iso } from '../domain/time.ts';
import { formatRate } from './predictive.ts';

/** One observed demand sample: the middle of its interval (epoch ms) and demand per second. */
export interface SurgeSample {
  t: number;
  perSecond: number;
}

/** What the detector saw: demand out of the band, and the demand it projects one lead time ahead. */
export interface SurgeDetection {
  /** The last sample's demand per second. */
  observed: number;
  /** The forecast's upper bound at that sample. */
  expected: number;
  /** Demand per second projected `aheadSeconds` after now, capped at `maxMultiplier` x expected. */
  projected: number;
  trigger: 'level' | 'growth';
  reason: string;
}

/**
 * The surge detector (pure): the recent samples of a signal against the forecast's upper bound
 * at each. A surge is `samples` consecutive samples above `factor` x the upper bound (level),
 * or the last sample above it and `growth` x the mean of the earlier samples in the window
 * (growth: a TV ad seen one minute in). The projection extends the last sample's rise over
 * `aheadSeconds` past now (the lead time of the pods plus its margin), never below the last
 * sample and never above `maxMultiplier` x the upper bound.
 */
export function detectSurge(
  samples: SurgeSample[],
  upperAt: (t: number) => number | undefined,
  s: Pick<SurgeConfig, 'factor' | 'samples' | 'growth' | 'maxMultiplier'>,
  now: number,
  aheadSeconds: number,
): SurgeDetection | undefined {
  const last = samples[samples.length - 1];
  if (!last) return undefined;
  const expected = upperAt(last.t);
  if (expected === undefined || !(expected > 0)) return undefined;
  const above = (x: SurgeSample) => {
    const u = upperAt(x.t);
    return u !== undefined && x.perSecond > s.factor * u;
  };
  if (!above(last)) return undefined;
  let run = 0;
  for (let i = samples.length - 1; i >= 0 && above(samples[i]!); i--) run++;
  const earlier = samples.slice(0, -1);
  const mean = earlier.reduce((a, x) => a + x.perSecond, 0) / Math.max(1, earlier.length);
  const grew = earlier.length > 0 && last.perSecond >= s.growth * mean;
  if (run < s.samples && !grew) return undefined;
  const prev = samples[samples.length - 2];
  const slope =
    prev && last.t > prev.t ? Math.max(0, (last.perSecond - prev.perSecond) / (last.t - prev.t)) : 0;
  const ahead = Math.max(0, now + aheadSeconds * 1000 - last.t);
  const cap = s.maxMultiplier * expected;
  const projected = Math.min(cap, Math.max(last.perSecond, last.perSecond + slope * ahead));
  const trigger = run >= s.samples ? 'level' : 'growth';
  const why =
    trigger === 'level'
      ? `${run} samples above ${s.factor}x the forecast's upper bound`
      : `${(last.perSecond / mean).toFixed(1)}x the mean of the window before it`;
  return {
    observed: last.perSecond,
    expected,
    projected,
    trigger,
    reason: `surge: observed ${formatRate(last.perSecond)} at ${iso(last.t)} is ${(last.perSecond / expected).toFixed(1)}x the forecast's upper bound ${formatRate(expected)} (${why}); projected ${formatRate(projected)} ${Math.round(aheadSeconds)}s ahead${projected >= cap - 1e-9 ? ` (capped at ${s.maxMultiplier}x)` : ''}`,
  };
}

/** A surge being answered: what the floors are sized for, and how long they hold. */
export interface SurgeState {
  signal: string;
  /** When the surge was first seen (ISO). */
  since: string;
  /** The floors hold until then (ISO); each sample that still looks like a surge extends it. */
  until: string;
  /** Demand per second the floors are sized for. */
  perSecond: number;
  /** The last sample's demand per second when it was set: spare nodes cover the growth above it. */
  observed: number;
  /** When `perSecond` was last set (ISO): it is kept at least `hold` after a raise. */
  raisedAt: string;
  reason: string;
}

/**
 * The next state of a signal's surge: a detection starts or extends it by `holdSeconds`. The
 * demand the floors are sized for only rises until the instant a projection was made for has
 * passed (`aheadSeconds` after it, plus the minute a sample takes): from then on what was
 * observed supersedes it, and it follows the newer projections down. Without a detection the
 * state holds until `until`, then ends (undefined).
 */
export function nextSurgeState(
  prev: SurgeState | undefined,
  d: SurgeDetection | undefined,
  signal: string,
  now: number,
  s: { holdSeconds: number; aheadSeconds: number },
): SurgeState | undefined {
  const live = prev && Date.parse(prev.until) > now ? prev : undefined;
  if (!d) return live;
  const projectionFor = Date.parse(live?.raisedAt ?? '') + (s.aheadSeconds + 60) * 1000;
  const keep = live && live.perSecond >= d.projected && now < projectionFor;
  return {
    signal,
    since: live?.since ?? iso(now),
    until: iso(now + s.holdSeconds * 1000),
    perSecond: keep ? live.perSecond : d.projected,
    observed: keep ? live.observed : d.observed,
    raisedAt: keep ? live.raisedAt : iso(now),
    reason: keep ? live.reason : d.reason,
  };
}
