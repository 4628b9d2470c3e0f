import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
const ROOT = path.resolve(import.meta.dirname, '../..');
const NASA = '../shared/traces/nasa_kennedy_http_1995_per_minute.csv';
const SASKATCHEWAN = '../shared/traces/saskatchewan_http_1995_hourly.csv';

function headroom(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, HEADROOM_CONFIG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('CLI: headroom tune', () => {
  it("prints the built-in service's cost vs short-minutes curve on a trace and marks the SLO's choice", () => {
    const r = headroom(['tune', '--trace', NASA, '--until', '1995-07-22T04:00:00Z']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('traffic -> api: SLO 1% of minutes short, cost at most 1.4x the oracle');
    expect(lines[1]).toMatch(
      /^ {2}self-backtest 1995-07-15T04:00:00Z \.\. 1995-07-22T04:00:00Z, 10080 minutes, model /,
    );
    const rows = lines.filter((l) => /^ {2}(no floors|p\d+) /.test(l));
    expect(rows.map((l) => l.trim().split(/\s{2,}/)[0])).toEqual([
      'no floors',
      'p60',
      'p70',
      'p75',
      'p80',
      'p85',
      'p90',
      'p95',
      'p98',
    ]);
    const chosen = rows.filter((l) => l.endsWith('<- chosen'));
    expect(chosen).toHaveLength(1);
    expect(lines.at(-1)).toMatch(
      /^ {2}chosen: p\d+: 0\.\d+% short at 1\.\d\dx the oracle, the cheapest meeting the SLO/,
    );
  });

  it('--json gives the curve; a smooth hourly trace needs no floors at any SLO', () => {
    const r = headroom(['tune', '--trace', SASKATCHEWAN, '--slo', '0.1', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.signal).toBe('traffic');
    const [api] = json.results;
    expect(api).toMatchObject({
      target: 'api',
      quantile: null,
      fallback: false,
      slo: { maxShortMinutesPercent: 0.1 },
    });
    expect(api.curve).toHaveLength(9);
    expect(api.predicted.shortMinutesPercent).toBe(0);
  });

  it('refuses a bad SLO (exit 1) and a call without a history (exit 2)', () => {
    const bad = headroom(['tune', '--trace', SASKATCHEWAN, '--slo', '150']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('error: --slo: a percentage of minutes in [0, 100), got "150"\n');
    const none = headroom(['tune']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('give --signal NAME, --trace CSV or both');
  });

  it('tunes a configured signal, and `forecast` says what its SLO chooses', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-tune-'));
    const config = path.join(dir, 'headroom.yaml');
    writeFileSync(
      config,
      `version: 1
clusters:
  prod: { kubeconfig: { context: prod } }
targets:
  api:
    kind: k8s-hpa
    cluster: prod
    namespace: web
    name: api
    bounds: { min: 2, max: 80 }
    capacity: { signal: traffic, perUnit: 0.2, targetUtilization: 0.7 }
    leadTime: 90s
signals:
  traffic: { source: csv, file: ${JSON.stringify(path.resolve(ROOT, NASA))}, unit: perStep }
predictive:
  - { target: api, signal: traffic, horizon: 10m, quantile: 0.95, slo: { maxShortMinutesPercent: 0.5 } }
`,
    );
    const until = '1995-07-20T15:00:00Z';
    const tuned = headroom(['tune', '--signal', 'traffic', '--config', config, '--until', until, '--json']);
    expect(tuned.code, tuned.err).toBe(0);
    const [api] = JSON.parse(tuned.out).results;
    expect(api).toMatchObject({ target: 'api', configured: true, fallback: false, to: until });
    expect(api.predicted.shortMinutesPercent).toBeLessThanOrEqual(0.5);
    const forecast = headroom([
      'forecast',
      '--signal',
      'traffic',
      '--config',
      config,
      '--until',
      until,
      '--json',
    ]);
    expect(forecast.code, forecast.err).toBe(0);
    expect(JSON.parse(forecast.out).slo).toEqual([
      {
        target: 'api',
        quantile: api.quantile,
        fallback: false,
        reason: api.reason,
        predicted: api.predicted,
      },
    ]);
    const text = headroom(['forecast', '--signal', 'traffic', '--config', config, '--until', until]);
    expect(text.out.trimEnd().split('\n').at(-1)).toBe(
      `slo api: ${api.reason} (headroom tune --signal traffic shows the curve)`,
    );
  });
});
