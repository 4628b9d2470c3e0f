/** The seasonal periods Headroom looks for in demand: the day and the week. */
export const DAY_SECONDS = 86_400;
export const WEEK_SECONDS = 7 * DAY_SECONDS;

/** A period counts as present when the series correlates with itself one period back at least this much. */
export const MIN_AUTOCORRELATION = 0.3;

/**
 * Pearson correlation between z[i] and z[i - lag] over the pairs where both are observed
 * (gaps are skipped, never filled). NaN when fewer than two full periods of pairs exist.
 */
export function autocorrelation(z: Float64Array, lag: number): number {
  if (lag <= 0 || lag >= z.length) return Number.NaN;
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = lag; i < z.length; i++) {
    const a = z[i]!;
    const b = z[i - lag]!;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    n++;
    sa += a;
    sb += b;
    saa += a * a;
    sbb += b * b;
    sab += a * b;
  }
  if (n < Math.max(8, lag / 7)) return Number.NaN;
  const cov = sab - (sa * sb) / n;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  if (va <= 0 || vb <= 0) return 0;
  return cov / Math.sqrt(va * vb);
}

export interface SeasonalEvidence {
  periodSeconds: number;
  /** Lag in slots. */
  lag: number;
  autocorrelation: number;
  /** Enough history to estimate it (see seasonalEvidence). */
  feasible: boolean;
}

/** Autocorrelation evidence for the day and the week at this step and history length. */
export function seasonalEvidence(z: Float64Array, stepSeconds: number): SeasonalEvidence[] {
  return [DAY_SECONDS, WEEK_SECONDS].map((periodSeconds) => {
    const lag = Math.round(periodSeconds / stepSeconds);
    // Estimable once a full period plus a day of history exist: the in-sample evaluation then
    // has a whole day on which the period's profile is defined (a week and a day: the weekly
    // profile competes from the 8th day on, as naive-7-day does).
    const feasible = lag >= 2 && z.length >= lag + Math.min(lag, Math.round(DAY_SECONDS / stepSeconds));
    return {
      periodSeconds,
      lag,
      autocorrelation: feasible ? autocorrelation(z, lag) : Number.NaN,
      feasible,
    };
  });
}
