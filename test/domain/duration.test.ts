import { describe, expect, it } from 'vitest';
import { durationProblem, parseDuration, parseRaise } from '../../shared/domain/duration.ts';
import { isAwsRegion, isCampaignName, parseCount, parseMultiplier } from '../../shared/domain/input.ts';

describe('Function: parseDuration', () => {
  it('reads whole numbers of seconds, minutes, hours, days and weeks, largest unit first', () => {
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('1d')).toBe(86400);
    expect(parseDuration('2w')).toBe(14 * 86400);
    expect(parseDuration('0s')).toBe(0);
  });

  it('refuses fractions, milliseconds, repeated or reversed units and absurd lengths', () => {
    for (const bad of [
      '0.0001ms',
      '1.5h',
      '500ms',
      '1e3s',
      '99999d',
      '99999999d',
      '1h1h',
      '30m1h',
      '2',
      'h',
      '',
    ])
      expect(parseDuration(bad), bad).toBeUndefined();
  });
});

describe('Function: durationProblem', () => {
  it('holds intents and campaigns to at least a minute and at most their cap', () => {
    expect(durationProblem(60, 3600)).toBeUndefined();
    expect(durationProblem(59, 3600)).toBe('must be at least 1m');
    expect(durationProblem(7200, 3600)).toBe('at most 1h, got 2h');
  });
});

describe('Function: parseCount', () => {
  it('takes decimal digits only, and halves only where the target counts in halves', () => {
    expect(parseCount('12')).toBe(12);
    expect(parseCount(12)).toBe(12);
    for (const bad of [
      '0x10',
      '1e1',
      '12.0',
      ' 12',
      '-1',
      '',
      'Infinity',
      2.5,
      Number.POSITIVE_INFINITY,
      1e308,
    ])
      expect(parseCount(bad), String(bad)).toBeUndefined();
    expect(parseCount('1.5', 0.5)).toBe(1.5);
    expect(parseCount('1.2', 0.5)).toBeUndefined();
  });
});

describe('Function: parseMultiplier and parseRaise', () => {
  it('keeps multipliers and raise factors finite and in (0, 1000]', () => {
    expect(parseMultiplier('15')).toBe(15);
    expect(parseMultiplier(1.5)).toBe(1.5);
    expect(parseMultiplier(1000)).toBe(1000);
    for (const bad of [
      'Infinity',
      '1e308',
      '9'.repeat(400),
      '0',
      '1001',
      '0x10',
      Number.POSITIVE_INFINITY,
      1e308,
      0,
      -2,
    ])
      expect(parseMultiplier(bad), String(bad).slice(0, 20)).toBeUndefined();
    expect(parseRaise('50%')).toEqual({ value: 50, percent: true });
    expect(parseRaise(2)).toEqual({ value: 2, percent: false });
    for (const bad of ['1001%', '1e308', '0x10', '1.5', 'Infinity', 1e308, Number.POSITIVE_INFINITY, 0.5])
      expect(parseRaise(bad), String(bad)).toBeUndefined();
  });
});

describe('Function: isCampaignName and isAwsRegion', () => {
  it('allows lower-case names of 1 to 63 characters and region codes, nothing a shell, Slack or IAM reads', () => {
    for (const ok of ['black-friday-tv', 'a', 'x2', 'a'.repeat(63)])
      expect(isCampaignName(ok), ok).toBe(true);
    for (const bad of ['black/friday', '$(reboot)', '<!channel>', 'Black', '-x', 'x-', 'a'.repeat(64), ''])
      expect(isCampaignName(bad), bad).toBe(false);
    for (const ok of ['eu-central-1', 'us-gov-west-1', 'us-iso-east-1', 'us-isob-east-1', 'ap-southeast-5'])
      expect(isAwsRegion(ok), ok).toBe(true);
    for (const bad of ['*', 'eu-*', 'eu-central-?', 'EU-CENTRAL-1', 'eu-central', ''])
      expect(isAwsRegion(bad), bad).toBe(false);
  });
});
