import { describe, expect, it } from 'vitest';
import {
  cronIntents,
  globMatch,
  labelsMatch,
  matchingRules,
  releasingRules,
  resolveFloor,
} from '../../shared/rules/rules.ts';
import { exampleConfig } from '../helpers/example.ts';

const config = exampleConfig();
const target = (id: string) => config.targets.find((t) => t.id === id)!;

describe('Function: matchingRules', () => {
  it('matches alarms by name and state', () => {
    const r = matchingRules(config, {
      kind: 'alarm',
      name: 'kaireon-api-cpu-high',
      state: 'ALARM',
      id: 'e1',
    });
    expect(r.map((x) => x.name)).toEqual(['api-cpu-sustained']);
    expect(
      matchingRules(config, { kind: 'alarm', name: 'kaireon-api-cpu-high', state: 'OK', id: 'e2' }),
    ).toEqual([]);
    expect(matchingRules(config, { kind: 'alarm', name: 'other', state: 'ALARM', id: 'e3' })).toEqual([]);
  });

  it('matches alerts by label matchers, extra labels allowed', () => {
    const labels = { alertname: 'WorkerQueueBacklog', severity: 'critical', queue: 'orders' };
    const r = matchingRules(config, {
      kind: 'alert',
      labels,
      status: 'firing',
      fingerprint: 'f',
      startsAt: 's',
    });
    expect(r.map((x) => x.name)).toEqual(['worker-backlog']);
    const warn = { ...labels, severity: 'warning' };
    expect(
      matchingRules(config, {
        kind: 'alert',
        labels: warn,
        status: 'firing',
        fingerprint: 'f',
        startsAt: 's',
      }),
    ).toEqual([]);
  });

  it('releases only rules that ask for it', () => {
    expect(
      releasingRules(config, { kind: 'alarm', name: 'kaireon-api-cpu-high', state: 'OK', id: 'e' }),
    ).toEqual([]);
  });
});

describe('Function: globMatch and labelsMatch', () => {
  it('matches globs anchored and escapes regex characters', () => {
    expect(globMatch('kaireon-*-cpu-*', 'kaireon-api-cpu-high')).toBe(true);
    expect(globMatch('kaireon-db-cpu-7?', 'kaireon-db-cpu-70')).toBe(true);
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(globMatch('api', 'api-2')).toBe(false);
  });
  it('supports =~, != and !~ matchers', () => {
    expect(labelsMatch({ severity: '=~crit.*|page' }, { severity: 'critical' })).toBe(true);
    expect(labelsMatch({ env: '!=staging' }, { env: 'prod' })).toBe(true);
    expect(labelsMatch({ env: '!~stag.*' }, { env: 'staging' })).toBe(false);
  });
});

describe('Function: resolveFloor', () => {
  it('raises relative to the actual capacity', () => {
    expect(resolveFloor(target('api'), 10, { raise: { value: 50, percent: true } })).toBe(15);
    expect(resolveFloor(target('api'), 3, { raise: { value: 50, percent: true } })).toBe(5);
    expect(resolveFloor(target('db-readers'), 1, { raise: { value: 1, percent: false } })).toBe(2);
    expect(resolveFloor(target('workers'), 7, { floor: 20 })).toBe(20);
    expect(resolveFloor(target('db'), 1, { raise: { value: 1, percent: false } })).toBe(2);
  });
});

describe('Function: cronIntents', () => {
  it('fires on weekday mornings in the config time zone and looks ahead for lead times', () => {
    // Friday 2026-11-27 05:00Z = 06:00 in Berlin: the 07:00 Berlin run is 06:00Z.
    const intents = cronIntents(config, new Date('2026-11-27T05:00:00Z'), () => 3, 6 * 3600);
    expect(intents.map((i) => [i.target, i.floor, i.from, i.until])).toEqual([
      ['api', 8, '2026-11-27T06:00:00Z', '2026-11-27T09:00:00Z'],
    ]);
    // Saturday: no run.
    expect(cronIntents(config, new Date('2026-11-28T05:00:00Z'), () => 3, 6 * 3600)).toEqual([]);
  });
});
