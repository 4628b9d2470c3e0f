/**
 * Times as users write them: ISO-8601 with an offset or `Z`, or a local wall-clock time that
 * is read in the config's IANA time zone.
 */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;
const ISO_ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Offset of `tz` from UTC at instant `ms`, in milliseconds. */
function zoneOffsetMs(tz: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Parses an instant; returns epoch ms or undefined. Local times are read in `tz`. */
export function parseInstant(text: string, tz = 'UTC'): number | undefined {
  const s = text.trim();
  if (ISO_ZONED.test(s)) {
    const ms = Date.parse(s.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : ms;
  }
  const m = ISO_LOCAL.exec(s);
  if (!m) return undefined;
  const wall = Date.UTC(
    +m[1]!,
    +m[2]! - 1,
    +m[3]!,
    +m[4]!,
    +m[5]!,
    +(m[6] ?? 0),
    Number(`0.${m[7] ?? 0}`) * 1000,
  );
  if (Number.isNaN(wall)) return undefined;
  // Two passes settle the offset across a DST change.
  let utc = wall - zoneOffsetMs(tz, wall);
  utc = wall - zoneOffsetMs(tz, utc);
  return utc;
}

const RELATIVE = /^(?:\+|in\s+)(\d+(?:\.\d+)?)\s*(s|m|h|d)$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * An instant as a person types it: `now`, a time from now (`+2h`, `in 30m`, `+1.5d`), or an
 * ISO-8601 time (local times read in `tz`). `now` is passed in: the core reads no clock.
 */
export function parseWhen(text: string, now: number, tz = 'UTC'): number | undefined {
  const s = text.trim();
  if (/^now$/i.test(s)) return now;
  const m = RELATIVE.exec(s);
  if (m) {
    const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
    return Number.isFinite(ms) ? now + Math.round(ms) : undefined;
  }
  return parseInstant(s, tz);
}

/** ISO-8601 in UTC without milliseconds when they are zero: `2026-11-27T19:55:00Z`. */
export function iso(ms: number | Date): string {
  const t = typeof ms === 'number' ? ms : ms.getTime();
  let s = isoCache.get(t);
  if (s === undefined) {
    s = new Date(t).toISOString();
    if (s.endsWith('.000Z')) s = `${s.slice(0, -5)}Z`;
    // A plan formats the same few instants (campaign starts, step times) thousands of times.
    if (isoCache.size >= 4096) isoCache.clear();
    isoCache.set(t, s);
  }
  return s;
}

const isoCache = new Map<number, string>();
