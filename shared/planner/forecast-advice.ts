import { iso } from '../domain/time.ts';
import type { Intent, Target } from '../domain/types.ts';
import { clampToBounds, display } from '../domain/units.ts';
import { intentEnd, intentStart } from './windows.ts';

export interface ForecastAdvice {
  /** Units. */
  floor: number;
  reason: string;
}

/** The forecast's say on a target, shown after the reasons for its decision. */
export interface ForecastNotes {
  reasons: string[];
  advice?: ForecastAdvice;
}

/**
 * What the forecast says about a target when it does not set the floor itself: the forecast
 * that holds now but stays within the floor (why no predictive raise), and for forecast-only
 * targets the highest advisory floor that would hold now, else the next one (what would be done).
 */
export function forecastNotes(
  target: Target,
  intents: Intent[],
  effective: Intent[],
  holder: Intent | undefined,
  baseline: number,
  desired: number,
  t: number,
): ForecastNotes {
  const out: string[] = [];
  const forecast = highest(effective.filter((i) => i.source.kind === 'forecast' && i !== holder));
  if (forecast && forecast.floor <= desired)
    out.push(`${forecast.reason} (within the floor ${display(target, desired)})`);
  const advisory = intents.filter((i) => i.advisory && t < intentEnd(target, i));
  if (advisory.length === 0) return { reasons: out };
  const now = highest(advisory.filter((i) => intentStart(target, i, baseline) <= t));
  const next = advisory
    .filter((i) => intentStart(target, i, baseline) > t)
    .sort((a, b) => intentStart(target, a, baseline) - intentStart(target, b, baseline))[0];
  const shown = now ?? next;
  if (!shown) return { reasons: out };
  const would = clampToBounds(target, shown.floor);
  const what =
    would > desired ? `would raise to ${display(target, would)}` : `would keep ${display(target, desired)}`;
  const reason = `forecast-only (not applied): ${what}${now ? '' : ` from ${iso(intentStart(target, shown, baseline))}`}: ${shown.reason}`;
  out.push(reason);
  return { reasons: out, advice: now && would > desired ? { floor: would, reason } : undefined };
}

function highest(xs: Intent[]): Intent | undefined {
  return xs.reduce<Intent | undefined>((a, b) => (a && a.floor >= b.floor ? a : b), undefined);
}
