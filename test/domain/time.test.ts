import { describe, expect, it } from 'vitest';
import { iso, parseInstant, parseWhen } from '../../shared/domain/time.ts';
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

describe('Function: offsetClock', () => {
  it('starts at the chosen instant and runs at the pace of real time', () => {
    let real = 1_000_000;
    const clock = offsetClock(new Date(NOW), () => real);
    expect(clock.now().getTime()).toBe(NOW);
    real += 42_000;
    expect(clock.now().getTime()).toBe(NOW + 42_000);
  });
});
