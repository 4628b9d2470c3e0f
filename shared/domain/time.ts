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

/**
 * ISO-8601 as people and machines write it: date, `T` (or a space), hours and minutes, optional
 * seconds and fraction (up to nanoseconds, as Go writes them), optional offset (`Z`, `+01:00`,
 * `+0100`). Every field is range-checked: `2026-02-31`, `24:00` and `+25:00` are refused
 * instead of rolling over into another day as `Date.parse` does.
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
/** RFC 3339 `date-time`: seconds and an offset are required, the offset with its colon. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** The largest instant a JavaScript Date holds (ECMA-262 time values). */
const MAX_TIME_MS = 8.64e15;

interface IsoParts {
  /** The wall-clock time read as UTC. */
  wall: number;
  /** Offset from UTC in ms, or undefined for a local time. */
  offset?: number;
}

function isoParts(s: string): IsoParts | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59) return undefined;
  const days = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  if (d < 1 || d > days) return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: years 0-99 stay what they are (AlertManager's 0001-01-01).
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, sec, Math.floor(Number(`0.${m[7] ?? 0}`) * 1000));
  const wall = date.getTime();
  if (m[8]) return { wall, offset: 0 };
  if (!m[9]) return { wall };
  const oh = Number(m[10]);
  const om = Number(m[11]);
  if (oh > 23 || om > 59) return undefined;
  return { wall, offset: (m[9] === '-' ? -1 : 1) * (oh * 3600_000 + om * 60_000) };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** An RFC 3339 date-time (what AlertManager and other machines send); epoch ms or undefined. */
export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const p = isoParts(text);
  return p?.offset === undefined ? undefined : p.wall - p.offset;
}

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
  const p = isoParts(text.trim());
  if (!p) return undefined;
  if (p.offset !== undefined) return inRange(p.wall - p.offset);
  // Two passes settle the offset across a DST change.
  let utc = p.wall - zoneOffsetMs(tz, p.wall);
  utc = p.wall - zoneOffsetMs(tz, utc);
  return inRange(utc);
}

function inRange(ms: number): number | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : undefined;
}

const RELATIVE = /^(?:\+|in\s+)(\d+(?:\.\d+)?)\s*(s|m|h|d)$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * An instant as a person types it: `now`, a time from now (`+2h`, `in 30m`, `+1.5d`), or an
 * ISO-8601 time (local times read in `tz`). `now` is passed in: the core reads no clock.
 */
/** `now`, `+2h`, `in 30m`: a time counted from the moment it is read (parseWhen resolves it). */
export function isRelativeTime(text: string): boolean {
  return /^(now$|\+|in\s)/i.test(text.trim());
}

export function parseWhen(text: string, now: number, tz = 'UTC'): number | undefined {
  const s = text.trim();
  if (/^now$/i.test(s)) return now;
  const m = RELATIVE.exec(s);
  if (m) {
    const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
    return Number.isFinite(ms) ? inRange(now + Math.round(ms)) : undefined;
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
