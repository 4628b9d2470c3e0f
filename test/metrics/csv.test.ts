import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvMetricSource, parseTraceCsv, readTraceCsv } from '../../shared/adapters/metrics/csv.ts';
import { metricSources } from '../../shared/adapters/metrics/index.ts';
import type { DemandSignal } from '../../shared/domain/types.ts';
import type { MetricSource } from '../../shared/ports/metrics.ts';
import { TRACES } from '../helpers/example.ts';

const q = (from: string, to: string) => ({ from: new Date(from), to: new Date(to), stepSeconds: 60 });

describe('Function: CSV traces', () => {
  it('reads a shared trace with its step and keeps its gaps as missing rows', () => {
    const s = readTraceCsv(path.join(TRACES, 'nasa_kennedy_http_1995_per_minute.csv'));
    expect(s.stepSeconds).toBe(60);
    expect(s.t.length).toBe(82_071);
    // The hurricane outage 1995-08-01 18:52Z -> 08-03 08:36Z has no rows, not zeros.
    const gap = s.t.filter(
      (t) => t > Date.parse('1995-08-01T18:52:00Z') && t < Date.parse('1995-08-03T08:36:00Z'),
    );
    expect(gap).toEqual([]);
    expect(s.v.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('keeps the phase of traces stamped off the minute', () => {
    const s = readTraceCsv(path.join(TRACES, 'nab_realTweets_Twitter_volume_FB.csv'));
    expect(s.stepSeconds).toBe(300);
    expect(new Date(s.t[0]!).toISOString()).toBe('2015-02-26T21:42:53.000Z');
  });

  it('names the line of a malformed row and rejects duplicates', () => {
    expect(() =>
      parseTraceCsv('timestamp,value\n2020-01-01T00:00:00Z,1\n2020-01-01T00:01:00Z,abc\n', 'x.csv'),
    ).toThrow('x.csv:3: invalid value "abc"');
    expect(() => parseTraceCsv('timestamp,value\nyesterday,1\n', 'x.csv')).toThrow(
      'x.csv:2: invalid timestamp "yesterday"',
    );
    expect(() =>
      parseTraceCsv(
        'timestamp,value\n2020-01-01T00:01:00Z,1\n2020-01-01T00:00:00Z,2\n2020-01-01T00:01:00Z,3\n',
        'x.csv',
      ),
    ).toThrow('x.csv: duplicate timestamp 2020-01-01T00:01:00.000Z');
  });

  it('serves a csv signal by time range, relative to the config directory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-csv-'));
    writeFileSync(
      path.join(dir, 'load.csv'),
      'timestamp,value\n2020-01-01T00:00:00Z,10\n2020-01-01T00:01:00Z,11\n2020-01-01T00:03:00Z,13\n',
    );
    const signal: DemandSignal = {
      name: 'load',
      source: 'csv',
      unit: 'perMinute',
      spec: { file: 'load.csv' },
    };
    const got = await new CsvMetricSource({ baseDir: dir }).history(
      signal,
      q('2020-01-01T00:01:00Z', '2020-01-01T00:05:00Z'),
    );
    expect(got).toEqual({
      t: [Date.parse('2020-01-01T00:01:00Z'), Date.parse('2020-01-01T00:03:00Z')],
      v: [11, 13],
      stepSeconds: 60,
    });
    await expect(
      new CsvMetricSource({ baseDir: dir }).history(
        { ...signal, spec: { file: 'nope.csv' } },
        q('2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z'),
      ),
    ).rejects.toThrow(/cannot read .*nope\.csv/);
  });
});

describe('Function: metricSources picks the adapter by signal.source', () => {
  const sim: MetricSource = { history: async () => ({ t: [1], v: [42], stepSeconds: 60 }) };
  const remote: DemandSignal = { name: 'traffic', source: 'cloudwatch', unit: 'perMinute', spec: {} };
  const local: DemandSignal = { name: 'load', source: 'csv', unit: 'perStep', spec: { file: 'x.csv' } };
  const simulated: DemandSignal = { name: 'curve', source: 'sim', unit: 'perSecond', spec: {} };

  it('on the simulator serves remote signals from the simulated cloud, csv files from disk', async () => {
    const m = metricSources({
      sim,
      simulateAll: true,
      baseDir: mkdtempSync(path.join(tmpdir(), 'headroom-csv-')),
    });
    expect((await m.history(remote, q('2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z'))).v).toEqual([42]);
    await expect(m.history(local, q('2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z'))).rejects.toThrow(
      /cannot read/,
    );
  });

  it('refuses a sim signal outside the simulator with a message that says so', async () => {
    await expect(
      metricSources().history(simulated, q('2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z')),
    ).rejects.toThrow('signals.curve: source sim is served by the simulated cloud only (--cloud sim)');
  });
});
