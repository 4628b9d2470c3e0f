import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { ConfigError } from '../../shared/domain/errors.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

const example = readFileSync(EXAMPLE_CONFIG, 'utf8');

function problems(text: string): string[] {
  try {
    parseConfig(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('Function: parseConfig', () => {
  it('accepts the reference configuration with its defaults applied per target', () => {
    const c = parseConfig(example);
    expect(c.targets.map((t) => t.id)).toEqual([
      'api',
      'workers',
      'pgbouncer',
      'nodes',
      'db',
      'db-readers',
      'cache',
    ]);
    expect(c.rules).toHaveLength(5);
    expect(c.campaigns[0]!.start).toBe('2026-11-27T19:55:00.000Z');
    const api = c.targets.find((t) => t.id === 'api')!;
    expect(api.leadTimeSeconds).toBe(90);
    expect(api.cooldownSeconds).toBe(300);
    expect(api.scaleDownDelaySeconds).toBe(900);
    const db = c.targets.find((t) => t.id === 'db')!;
    expect(db.scale).toBe('ladder');
    expect(db.bounds).toEqual({ min: 0, max: 3 });
    expect(c.targets.find((t) => t.id === 'cache')!.spec.dimension).toBe('replicas');
    expect(c.signals.traffic!.unit).toBe('perMinute');
    expect(c.rules[0]!.then.raise).toEqual({ value: 50, percent: true });
    expect(c.rules[1]!.when.state).toBe('ALARM');
  });

  it('reports a wrong tier, an unknown rule target and a dependency cycle at once, by path', () => {
    const bad = example
      .replace('db.r6g.2xlarge, db.r6g.4xlarge]', 'db.r6g.2xlarge, db.r6g.5xlarge]')
      .replace('then: { target: cache, raise: 1, for: 6h }', 'then: { target: cahce, raise: 1, for: 6h }')
      .replace('    bounds: { min: 2, max: 4 }\n', '    bounds: { min: 2, max: 4 }\n    dependsOn: [api]\n');
    const p = problems(bad);
    expect(p).toContain('targets.db.tiers[3]: unknown RDS instance class "db.r6g.5xlarge"');
    expect(p).toContain('rules[3].then.target: unknown target "cahce"');
    expect(p.some((x) => /^targets\.(api|pgbouncer)\.dependsOn: dependency cycle/.test(x))).toBe(true);
  });

  it.each([
    [
      'timezone: Europe/Berlin',
      'timezone: Europe/Berlinn',
      'timezone: unknown IANA time zone "Europe/Berlinn"',
    ],
    [
      'leadTime: 90s\n    dependsOn',
      'leadTime: 90 seconds\n    dependsOn',
      'targets.api.leadTime: invalid duration "90 seconds"',
    ],
    [
      'cron: "0 7 * * 1-5"',
      'cron: "0 25 * * 1-5"',
      'rules[4].when.cron: invalid cron expression "0 25 * * 1-5"',
    ],
    [
      'signal: traffic, perUnit: 120',
      'signal: trafic, perUnit: 120',
      'targets.api.capacity.signal: unknown signal "trafic"',
    ],
    [
      'bounds: { min: db.r6g.large, max: db.r6g.4xlarge }',
      'bounds: { min: db.r6g.4xlarge, max: db.r6g.large }',
      'targets.db.bounds: min is above max on the ladder',
    ],
    ['kind: keda-scaledobject', 'kind: keda-scaler', 'targets.workers.kind: unknown kind "keda-scaler"'],
    [
      '    leadTime: 20m\n',
      '    leadTime: 20m\n    leadtime: 5m\n',
      'targets.cache: unknown field "leadtime"',
    ],
    [
      'then: { target: api, raise: 50%, for: 30m }',
      'then: { target: api, raise: lots, for: 30m }',
      'rules[0].then.raise: invalid raise "lots"',
    ],
    [
      'instanceClass: db.r6g.xlarge',
      'instanceClass: db.r6g.xxlarge',
      'targets.db-readers.instanceClass: unknown RDS instance class "db.r6g.xxlarge"',
    ],
    [
      '    cluster: prod\n    namespace: headroom',
      '    cluster: staging\n    namespace: headroom',
      'targets.nodes.cluster: unknown cluster "staging"',
    ],
    [
      'start: 2026-11-27T20:55:00+01:00',
      'start: next friday',
      'campaigns[0].start: invalid time "next friday"',
    ],
    [
      'targets: [api, workers, nodes',
      'targets: [api, wrkers, nodes',
      'campaigns[0].targets[1]: unknown target "wrkers"',
    ],
  ])('rejects %s changed to a mistake with a path and a message', (from, to, expected) => {
    expect(example).toContain(from);
    const found = problems(example.replace(from, to));
    expect(
      found.some((p) => p.startsWith(expected)),
      found.join('\n'),
    ).toBe(true);
  });

  it('reads campaign times without an offset in the config time zone', () => {
    const c = parseConfig(example.replace('start: 2026-11-27T20:55:00+01:00', 'start: 2026-07-03T20:55:00'));
    expect(c.campaigns[0]!.start).toBe('2026-07-03T18:55:00.000Z'); // CEST, UTC+2 in summer
  });

  it('reports a broken target once, not again at every reference to it', () => {
    const found = problems(example.replace('kind: keda-scaledobject', 'kind: keda-scaler'));
    expect(found).toHaveLength(1);
  });

  it('reports YAML syntax errors without guessing', () => {
    expect(problems('version: 1\ntargets: [\n')[0]).toMatch(/^\(yaml\): /);
  });
});
