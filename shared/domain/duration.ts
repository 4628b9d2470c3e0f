const UNIT_SECONDS = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 } as const;
const UNITS = Object.keys(UNIT_SECONDS) as (keyof typeof UNIT_SECONDS)[];

/** No duration anywhere is longer than a year: beyond it a typo (`99999d`), not a plan. */
export const MAX_DURATION_SECONDS = 366 * 86400;

/** Intents and campaigns last at least a minute: shorter ones end before a reconcile sees them. */
export const MIN_INTENT_SECONDS = 60;

/** `limits.maxIntentDuration` when the config does not set it. */
export const DEFAULT_MAX_INTENT_SECONDS = 30 * 86400;

/** The longest campaign accepted: a month of events. */
export const MAX_CAMPAIGN_SECONDS = 31 * 86400;

/**
 * Durations as users write them: `90s`, `5m`, `2h`, `1d`, `2w`, `1h30m`. Whole numbers only,
 * each unit once and largest first, at most MAX_DURATION_SECONDS; `0.0001ms`, `1.5h`, `1e3s`
 * and `99999d` are refused. Returns seconds or undefined.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d{1,7}[wdhms])+$/.test(s)) return undefined;
  let total = 0;
  let last = -1;
  for (const [, n, u] of s.matchAll(/(\d+)([wdhms])/g)) {
    const i = UNITS.indexOf(u as keyof typeof UNIT_SECONDS);
    if (i <= last) return undefined;
    last = i;
    total += Number(n) * UNIT_SECONDS[u as keyof typeof UNIT_SECONDS];
  }
  return total <= MAX_DURATION_SECONDS ? total : undefined;
}

export const DURATION_RULE = 'a duration such as 90s, 5m, 2h, 1d or 1h30m';

/**
 * Why a duration cannot be the length of an intent or a campaign (at least a minute, at most
 * `max`), or undefined when it can.
 */
export function durationProblem(seconds: number, max: number): string | undefined {
  if (!Number.isFinite(seconds) || seconds < MIN_INTENT_SECONDS)
    return `must be at least ${formatDuration(MIN_INTENT_SECONDS)}`;
  if (seconds > max) return `at most ${formatDuration(max)}, got ${formatDuration(seconds)}`;
  return undefined;
}

export function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0 && seconds >= 86400) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600}h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * `50%` -> { value: 50, percent: true }; `1` -> { value: 1, percent: false }. A count raise is a
 * whole number (`^\d+$`), a percentage has at most 2 decimals; both lie in (0, 1000]
 * (a 1000 % raise is eleven times the value).
 */
export function parseRaise(text: string | number): { value: number; percent: boolean } | undefined {
  if (typeof text === 'number')
    return Number.isInteger(text) && text > 0 && text <= 1000 ? { value: text, percent: false } : undefined;
  const m = /^\s*(\d{1,4}(\.\d{1,2})?)\s*(%?)\s*$/.exec(text);
  if (!m) return undefined;
  const percent = m[3] === '%';
  if (!percent && m[2]) return undefined;
  const value = Number(m[1]);
  if (!(value > 0 && value <= 1000)) return undefined;
  return { value, percent };
}

/** Kubernetes quantities: `3500m` cpu -> 3500 millicores; `14Gi` -> bytes. */
export function parseCpuMillis(q: string | number): number | undefined {
  if (typeof q === 'number') return q * 1000;
  const m = /^(\d+(\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) return undefined;
  return m[3] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}

export function parseMemoryBytes(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = /^(\d+(\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k)?$/.exec(q.trim());
  if (!m) return undefined;
  const f: Record<string, number> = {
    '': 1,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  return Number(m[1]) * f[m[3] ?? '']!;
}
