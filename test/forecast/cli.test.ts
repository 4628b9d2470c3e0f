import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceCsv } from '../../shared/adapters/metrics/csv.ts';
import { EXAMPLE_CONFIG, TRACES } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
const ROOT = path.resolve(import.meta.dirname, '../..');
const TAXI = '../shared/traces/nab_realKnownCause_nyc_taxi.csv';

/** Runs the CLI from the repository root, as a user would. */
function headroom(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, HEADROOM_CONFIG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface ForecastJson {
  signal: string;
  stepSeconds: number;
  historyPoints: number;
  seasonality: number[];
  model: string;
  quantile: number;
  forecast: { t: string; value: number; lower: number; upper: number }[];
}

function corr(a: number[], b: number[]): number {
  const m = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = m(a);
  const mb = m(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    ab += (x - ma) * (b[i]! - mb);
    aa += (x - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

// Each test spawns the CLI (Node start-up and module loading): slow on a busy machine, not a timing assertion.
describe('Command: headroom forecast', { timeout: 60_000 }, () => {
  it('forecasts the next day of the NYC taxi trace with its daily and weekly shape', () => {
    const r = headroom(['forecast', '--trace', TAXI, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const f = JSON.parse(r.out) as ForecastJson;
    expect(Object.keys(f)).toEqual(
      expect.arrayContaining([
        'signal',
        'stepSeconds',
        'historyPoints',
        'seasonality',
        'model',
        'quantile',
        'forecast',
      ]),
    );
    const taxi = readTraceCsv(path.join(TRACES, 'nab_realKnownCause_nyc_taxi.csv'));
    expect(f.signal).toBe('nab_realKnownCause_nyc_taxi');
    expect(f.stepSeconds).toBe(1800);
    expect(f.historyPoints).toBe(taxi.t.length);
    expect(f.seasonality).toEqual([86_400, 604_800]);
    expect(f.quantile).toBe(0.95);
    // The next day: 48 half hours after the last row.
    expect(f.forecast.length).toBe(48);
    expect(Date.parse(f.forecast[0]!.t)).toBe(taxi.t.at(-1)! + 1800_000);
    const values = f.forecast.map((p) => p.value);
    expect(Math.max(...values) / Math.min(...values)).toBeGreaterThan(3);
    // Sunday 2015-02-01 looks like the Sunday before, not like the Saturday just seen.
    const at = (t: number) => taxi.v[taxi.t.indexOf(t)]!;
    const times = f.forecast.map((p) => Date.parse(p.t));
    const weekAgo = times.map((t) => at(t - 7 * 86_400_000));
    const dayAgo = times.map((t) => at(t - 86_400_000));
    expect(corr(values, weekAgo)).toBeGreaterThan(corr(values, dayAgo));
    for (const p of f.forecast) {
      expect(p.lower).toBeLessThanOrEqual(p.value);
      expect(p.value).toBeLessThanOrEqual(p.upper);
    }
  });

  it('cuts the history at --until, forecasts --horizon, and prints a readable summary', () => {
    const r = headroom(['forecast', '--trace', TAXI, '--until', '2014-11-01T12:00:00Z', '--horizon', '2h']);
    expect(r.code, r.err).toBe(0);
    const rows = readTraceCsv(path.join(TRACES, 'nab_realKnownCause_nyc_taxi.csv')).t.filter(
      (t) => t <= Date.parse('2014-11-01T12:00:00Z'),
    ).length;
    expect(r.out).toContain(
      `signal nab_realKnownCause_nyc_taxi: ${rows} points every 30m from 2014-07-01T04:00:00Z to 2014-11-01T12:00:00Z`,
    );
    expect(r.out).toContain('seasonality: daily, weekly');
    expect(r.out).toMatch(/^model: seasonal-profile: /m);
    const table = r.out.split('\n').filter((l) => /^ {2}2014-11-01T/.test(l));
    expect(table.map((l) => l.trim().split(/\s+/)[0])).toEqual([
      '2014-11-01T12:30:00Z',
      '2014-11-01T13:00:00Z',
      '2014-11-01T13:30:00Z',
      '2014-11-01T14:00:00Z',
    ]);
  });

  it('forecasts a configured signal in its own unit per step (on the simulated cloud when asked)', () => {
    const r = headroom([
      'forecast',
      '--signal',
      'traffic',
      '--config',
      EXAMPLE_CONFIG,
      '--cloud',
      'sim',
      '--until',
      '2026-11-27T12:00:00Z',
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    const f = JSON.parse(r.out) as ForecastJson;
    expect(f.signal).toBe('traffic');
    expect(f.stepSeconds).toBe(60);
    // The predictive horizon of the signal (3h for db-readers) and its highest quantile.
    expect(f.forecast.length).toBe(180);
    expect(f.quantile).toBe(0.95);
    // RequestCount per minute: the simulated 250/s peak is 15,000 per step.
    expect(Math.max(...f.forecast.map((p) => p.value))).toBeGreaterThan(250);
    expect(Math.max(...f.forecast.map((p) => p.upper))).toBeLessThanOrEqual(15_000 * 1.05);
  });

  it('forecasts a CSV signal from its file without --cloud: no remote source is simulated', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-forecast-csv-'));
    const config = path.join(dir, 'headroom.yaml');
    writeFileSync(
      config,
      `version: 1\ntargets:\n  web: { kind: k8s-deployment, cluster: c, namespace: n, name: web, bounds: { min: 1, max: 5 } }\nclusters: { c: { eksCluster: c, region: eu-central-1 } }\nsignals:\n  taxi: { source: csv, file: ${JSON.stringify(path.resolve(ROOT, TAXI))}, unit: perStep }\n`,
    );
    const r = headroom([
      'forecast',
      '--signal',
      'taxi',
      '--config',
      config,
      '--until',
      '2014-12-01T00:00:00Z',
      '--json',
    ]);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as ForecastJson).signal).toBe('taxi');
  });

  it('exits 2 on a usage error: exactly one of --signal or --trace', () => {
    expect(headroom(['forecast']).code).toBe(2);
    expect(headroom(['forecast', '--trace', TAXI, '--signal', 'traffic']).code).toBe(2);
  });

  it('says what was wrong with the input and exits 1', () => {
    const horizon = headroom(['forecast', '--trace', TAXI, '--horizon', 'soon']);
    expect(horizon.code).toBe(1);
    expect(horizon.err.trim()).toBe('error: --horizon: invalid duration "soon" (use 90s, 5m, 2h, 1d)');
    const remote = headroom(['forecast', '--signal', 'traffic', '--config', EXAMPLE_CONFIG]);
    expect(remote.code).toBe(1);
    expect(remote.out).toBe('');
    expect(remote.err.trim()).toBe(
      "error: signal traffic is read from CloudWatch: pass --cloud aws to forecast its real history (--cloud sim forecasts the simulator's made-up history instead)",
    );
    const signal = headroom(['forecast', '--signal', 'trafic', '--config', EXAMPLE_CONFIG]);
    expect(signal.code).toBe(1);
    expect(signal.err.trim()).toBe('error: unknown signal "trafic" (known: traffic)');
    const missing = headroom(['forecast', '--trace', 'nope.csv']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: cannot read nope\.csv: ENOENT/);
    const early = headroom(['forecast', '--trace', TAXI, '--until', '2014-07-01T06:00:00Z']);
    expect(early.code).toBe(1);
    expect(early.err.trim()).toBe('error: not enough history: 5 points, at least 12 needed');
  });
});

describe('Command: headroom plan with forecasts on the simulated cloud', { timeout: 60_000 }, () => {
  it('raises the API floor ahead of the daily peak and cites the forecast', () => {
    // The example configuration with a busier simulated service: a 1,500/s daily peak.
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-forecast-'));
    const file = path.join(dir, 'busy.yaml');
    writeFileSync(
      file,
      readFileSync(EXAMPLE_CONFIG, 'utf8').replace(
        '    source: cloudwatch\n',
        '    source: cloudwatch\n    baseline: 1500\n',
      ),
    );
    // 12:00Z is 13:00 in Berlin: demand climbs to its 16:00 peak within the 2h horizon.
    const r = headroom(['plan', '--config', file, '--at', '2026-11-26T12:00:00Z', '--json', '--state', dir]);
    expect(r.code, r.err).toBe(0);
    const p = JSON.parse(r.out) as {
      targets: { id: string; decision: string; desired: number; reasons: string[] }[];
    };
    const api = p.targets.find((t) => t.id === 'api')!;
    expect(api.decision).toBe('scale-up');
    expect(api.desired).toBeGreaterThan(8);
    expect(api.reasons[0]).toMatch(
      /^forecast traffic p95 [\d.]+\/s at 2026-11-26T1\d:\d\d:00Z \(seasonal-profile: .*\) needs \d+ at 120\/s per unit and 70% utilisation$/,
    );
    const readers = p.targets.find((t) => t.id === 'db-readers')!;
    expect(readers.reasons.some((x) => x.startsWith('forecast-only (not applied): would '))).toBe(true);
    expect(readers.reasons.some((x) => /forecast traffic p90 /.test(x))).toBe(true);
  });
});
