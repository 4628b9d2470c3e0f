import { describe, expect, it } from 'vitest';
import { cliClock, optionTime } from '../../shared/cli/clock.ts';
import { InputError } from '../../shared/domain/errors.ts';

describe('Function: cliClock', () => {
  it('is the system clock unless HEADROOM_NOW is set', () => {
    const before = Date.now();
    const t = cliClock({}).now().getTime();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('stands at HEADROOM_NOW and runs on from there', () => {
    const t = cliClock({ HEADROOM_NOW: '2026-11-27T19:00:00Z' }).now().getTime();
    expect(t - Date.parse('2026-11-27T19:00:00Z')).toBeGreaterThanOrEqual(0);
    expect(t - Date.parse('2026-11-27T19:00:00Z')).toBeLessThan(60_000);
  });

  it('refuses a HEADROOM_NOW that is not a time, naming the variable', () => {
    expect(() => cliClock({ HEADROOM_NOW: 'yesterday' })).toThrow(InputError);
    expect(() => cliClock({ HEADROOM_NOW: 'yesterday' })).toThrow(/HEADROOM_NOW: invalid time "yesterday"/);
  });
});

describe('Function: optionTime', () => {
  it('names the option in its error', () => {
    expect(() => optionTime('--start', 'soon', new Date(0), 'UTC')).toThrow(/--start: invalid time "soon"/);
  });
});
