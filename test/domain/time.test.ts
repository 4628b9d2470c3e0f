import { describe, expect, it } from 'vitest';
import { iso, isRelativeTime, parseInstant, parseRfc3339, parseWhen } from '../../shared/domain/time.ts';
import { offsetClock } from '../../shared/ports/clock.ts';

const NOW = Date.parse('2031-06-01T12:00:00Z');

describe('Function: parseWhen', () => {
  it('reads now and times from now as a person types them', () => {
    expect(parseWhen('now', NOW)).toBe(NOW);
    expect(parseWhen('+2h', NOW)).toBe(NOW + 2 * 3600_000);
    expect(parseWhen('in 30m', NOW)).toBe(NOW + 30 * 60_000);
    expect(parseWhen('+1.5d', NOW)).toBe(NOW + 36 * 3600_000);
    expect(parseWhen('+90s', NOW)).toBe(NOW + 90_000);
  });

  it('reads ISO-8601 times with an offset, and local times in the given zone', () => {
    expect(parseWhen('2026-11-27T20:55:00+01:00', NOW)).toBe(Date.parse('2026-11-27T19:55:00Z'));
    expect(parseWhen('2026-07-01T09:00', NOW, 'Europe/Berlin')).toBe(Date.parse('2026-07-01T07:00:00Z'));
  });

  it('refuses what is not a time', () => {
    for (const bad of ['tomorrow', '+2', '+-2h', '2h', 'in', '+2w', '2026-13-01T00:00:00Z', ''])
      expect(parseWhen(bad, NOW), bad).toBeUndefined();
  });
});

describe('Function: parseInstant', () => {
  it('settles local times across a daylight saving change', () => {
    // 2026-03-29 02:30 does not exist in Berlin; 03:30 CEST is 01:30Z.
    expect(iso(parseInstant('2026-03-29T03:30', 'Europe/Berlin')!)).toBe('2026-03-29T01:30:00Z');
    expect(iso(parseInstant('2026-10-25T12:00', 'Europe/Berlin')!)).toBe('2026-10-25T11:00:00Z');
  });
});

describe('Function: parseInstant, strictly', () => {
  it('refuses days, hours and offsets that do not exist instead of rolling them over', () => {
    for (const bad of [
      '2026-02-31T00:00:00Z',
      '2027-02-29T00:00:00Z',
      '2026-11-27T24:00:00Z',
      '2026-11-27T23:60:00Z',
      '2026-11-27T23:00:61Z',
      '2026-11-27T20:00:00+25:00',
      '2026-11-27',
      'x',
    ])
      expect(parseInstant(bad), bad).toBeUndefined();
    expect(parseInstant('2028-02-29T00:00:00Z')).toBe(Date.parse('2028-02-29T00:00:00Z'));
    expect(parseInstant('2026-11-27T20:55:00+0100')).toBe(Date.parse('2026-11-27T19:55:00Z'));
  });

  it('refuses a time from now that no date can hold', () => {
    expect(parseWhen('+99999999999d', NOW)).toBeUndefined();
  });
});

describe('Function: parseRfc3339', () => {
  it('reads what AlertManager sends, nanoseconds and the zero time included, and nothing looser', () => {
    expect(parseRfc3339('2026-11-27T17:58:30.123456789Z')).toBe(Date.parse('2026-11-27T17:58:30.123Z'));
    expect(parseRfc3339('2026-11-27T18:58:30+01:00')).toBe(Date.parse('2026-11-27T17:58:30Z'));
    expect(parseRfc3339('0001-01-01T00:00:00Z')).toBe(Date.parse('0001-01-01T00:00:00Z'));
    for (const bad of [
      'x',
      '2026-11-27T17:58Z',
      '2026-11-27T17:58:30',
      '2026-11-27 17:58:30Z',
      '2026-02-31T00:00:00Z',
    ])
      expect(parseRfc3339(bad), bad).toBeUndefined();
  });
});

describe('Function: offsetClock', () => {
  it('starts at the chosen instant and runs at the pace of real time', () => {
    let real = 1_000_000;
    const clock = offsetClock(new Date(NOW), () => real);
    expect(clock.now().getTime()).toBe(NOW);
    real += 42_000;
    expect(clock.now().getTime()).toBe(NOW + 42_000);
  });
});

describe('Function: isRelativeTime (times counted from when they are read)', () => {
  it('knows now, +2h and in 30m from instants written out', () => {
    expect(['now', ' NOW ', '+2h', 'in 30m'].map(isRelativeTime)).toEqual([true, true, true, true]);
    expect(['2031-06-01T09:00', 'nowhere', 'tomorrow', '-2h'].map(isRelativeTime)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
