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

describe('Function: parseConfig (strict input)', () => {
  const long = (n: number) => 'a'.repeat(n);
  it.each([
    // Floors are whole numbers in decimal digits: no hex, exponents or fractions of a pod.
    [
      'floor: 20',
      'floor: "0x10"',
      'rules[2].then.floor: expected a whole number from 0 to 1000000000, written in decimal digits, got "0x10"',
    ],
    [
      'floor: 20',
      'floor: "1e1"',
      'rules[2].then.floor: expected a whole number from 0 to 1000000000, written in decimal digits, got "1e1"',
    ],
    [
      'floor: 20',
      'floor: 2.5',
      'rules[2].then.floor: expected a whole number from 0 to 1000000000, written in decimal digits, got "2.5"',
    ],
    // Durations: whole numbers of known units, at least a minute and at most the intent cap.
    ['for: 30m }', 'for: 0.0001ms }', 'rules[0].then.for: invalid duration "0.0001ms"'],
    ['for: 30m }', 'for: 99999d }', 'rules[0].then.for: invalid duration "99999d"'],
    ['for: 30m }', 'for: 30s }', 'rules[0].then.for: must be at least 1m'],
    ['for: 30m }', 'for: 45d }', 'rules[0].then.for: at most 30d, got 45d (limits.maxIntentDuration)'],
    ['    duration: 3h', '    duration: 32d', 'campaigns[0].duration: at most 31d, got 32d'],
    ['    duration: 3h', '    duration: 10s', 'campaigns[0].duration: must be at least 1m'],
    // Multipliers and raise factors: finite, in (0, 1000].
    ['multiplier: 15 ', 'multiplier: .inf ', 'campaigns[0].multiplier: '],
    [
      'multiplier: 15 ',
      'multiplier: 1e308 ',
      'campaigns[0].multiplier: 1e+308 is not a number greater than 0 and at most 1000',
    ],
    ['multiplier: 15 ', `multiplier: ${'9'.repeat(400)} `, 'campaigns[0].multiplier: '],
    [
      'multiplier: 15 ',
      'multiplier: 0 ',
      'campaigns[0].multiplier: 0 is not a number greater than 0 and at most 1000',
    ],
    ['raise: 50%', 'raise: 1001%', 'rules[0].then.raise: invalid raise "1001%"'],
    ['raise: 50%', 'raise: 1e308', 'rules[0].then.raise: invalid raise "1e+308"'],
    ['raise: 50%', 'raise: .inf', 'rules[0].then.raise: '],
    // Regions become ARNs in the IAM policy: codes only.
    [
      '    identifier: kaireon-prod\n    region: eu-central-1',
      '    identifier: kaireon-prod\n    region: "*"',
      'targets.db.region: invalid region "*"',
    ],
    [
      'eksCluster: kaireon-prod     # EKS cluster name (endpoint and CA come from DescribeCluster)\n    region: eu-central-1',
      'eksCluster: kaireon-prod\n    region: eu-*',
      'clusters.prod.region: invalid region "eu-*"',
    ],
    // Kubernetes names: DNS-1123 labels for namespaces, subdomains for object names.
    [
      'namespace: kaireon\n    name: kaireon-api-hpa',
      'namespace: Kaireon\n    name: kaireon-api-hpa',
      'targets.api.namespace: invalid namespace "Kaireon"',
    ],
    [
      'namespace: kaireon\n    name: kaireon-api-hpa',
      `namespace: ${long(64)}\n    name: kaireon-api-hpa`,
      `targets.api.namespace: invalid namespace "${long(64)}"`,
    ],
    ['name: kaireon-api-hpa', 'name: kaireon_api_hpa', 'targets.api.name: invalid name "kaireon_api_hpa"'],
    ['name: kaireon-api-hpa', `name: ${long(254)}`, `targets.api.name: invalid name "${long(254)}"`],
    ['nodePool: default', 'nodePool: "default/x"', 'targets.nodes.nodePool: invalid name "default/x"'],
    // Campaign names: [a-z0-9-], 1 to 63, alphanumeric at both ends.
    [
      '- name: black-friday-tv',
      '- name: "black/friday"',
      'campaigns[0].name: invalid campaign name "black/friday"',
    ],
    [
      '- name: black-friday-tv',
      '- name: "$(reboot)"',
      'campaigns[0].name: invalid campaign name "$(reboot)"',
    ],
    [
      '- name: black-friday-tv',
      '- name: "<!channel>"',
      'campaigns[0].name: invalid campaign name "<!channel>"',
    ],
    [
      '- name: black-friday-tv',
      '- name: Black-Friday',
      'campaigns[0].name: invalid campaign name "Black-Friday"',
    ],
    [
      '- name: black-friday-tv',
      '- name: black-friday-',
      'campaigns[0].name: invalid campaign name "black-friday-"',
    ],
    [
      '- name: black-friday-tv',
      `- name: ${long(64)}`,
      `campaigns[0].name: invalid campaign name "${long(64)}"`,
    ],
    // Times are read strictly: no 31st of February rolling over into March.
    [
      'start: 2026-11-27T20:55:00+01:00',
      'start: 2026-02-31T20:55:00+01:00',
      'campaigns[0].start: invalid time "2026-02-31T20:55:00+01:00"',
    ],
  ])('refuses %s written as %s, naming the field', (from, to, expected) => {
    expect(example).toContain(from);
    const found = problems(example.replace(from, to));
    expect(
      found.some((p) => p.startsWith(expected)),
      found.join('\n'),
    ).toBe(true);
  });

  it('caps intents at limits.maxIntentDuration, 30 days unless the config says otherwise', () => {
    const longRule = example.replace(
      'then: { target: api, raise: 50%, for: 30m }',
      'then: { target: api, raise: 50%, for: 45d }',
    );
    expect(problems(longRule)).toEqual([
      'rules[0].then.for: at most 30d, got 45d (limits.maxIntentDuration)',
    ]);
    const raised = parseConfig(
      longRule.replace('\nclusters:', '\nlimits:\n  maxIntentDuration: 60d\n\nclusters:'),
    );
    expect(raised.limits.maxIntentSeconds).toBe(60 * 86400);
    expect(raised.rules[0]!.then.forSeconds).toBe(45 * 86400);
    expect(parseConfig(example).limits.maxIntentSeconds).toBe(30 * 86400);
    expect(
      problems(example.replace('\nclusters:', '\nlimits:\n  maxIntentDuration: 30s\n\nclusters:')),
    ).toEqual(['limits.maxIntentDuration: must lie between 1m and 366d']);
  });

  it('accepts what the strict rules allow: whole floors, compound durations, GovCloud regions, dotted names', () => {
    const c = parseConfig(
      example
        .replace('floor: 20', 'floor: "20"')
        .replace('for: 3h }', 'for: 2h30m }')
        .replace(
          '    identifier: kaireon-prod\n    region: eu-central-1',
          '    identifier: kaireon-prod\n    region: us-gov-west-1',
        )
        .replace('name: kaireon-api-hpa', 'name: kaireon.api-hpa')
        .replace('multiplier: 15 ', 'multiplier: 1.5 '),
    );
    expect(c.rules[2]!.then.floor).toBe(20);
    expect(c.rules[4]!.then.forSeconds).toBe(9000);
    expect(c.targets.find((t) => t.id === 'db')!.region).toBe('us-gov-west-1');
    expect(c.campaigns[0]!.multiplier).toBe(1.5);
  });
});
