import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DemandTimeline, parseSurge, surgeFactor, TraceMetricSource } from '../../shared/backtest/demand.ts';
import { cutTrace, endOf, loadTrace, parseTrace } from '../../shared/backtest/trace.ts';
import type { DemandSignal } from '../../shared/domain/types.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { TRACES } from '../helpers/example.ts';

const NASA = path.join(TRACES, 'nasa_kennedy_http_1995_per_minute.csv');
const TAXI = path.join(TRACES, 'nab_realKnownCause_nyc_taxi.csv');
const signal: DemandSignal = { name: 'traffic', source: 'csv', unit: 'perStep', spec: {} };

describe('Function: parseTrace / loadTrace', () => {
  it('finds the step and keeps missing rows as gaps, never as zero traffic', () => {
    const t = parseTrace(
      'timestamp,value\n2026-01-01T00:00:00Z,60\n2026-01-01T00:01:00Z,120\n2026-01-01T00:04:00Z,90\n2026-01-01T00:05:00Z,30\n',
      'x.csv',
    );
    expect(t.stepSeconds).toBe(60);
    expect(t.points).toBe(4);
    expect(Array.from(t.values)).toEqual([60, 120, Number.NaN, Number.NaN, 90, 30]);
  });

  it('reads the NASA trace with its two real outages as gaps', () => {
    const t = loadTrace(NASA);
    expect(t.points).toBe(82_071);
    expect(t.stepSeconds).toBe(60);
    const at = (iso: string) => t.values[(Date.parse(iso) - t.startMs) / 60_000]!;
    expect(Number.isNaN(at('1995-07-30T00:00:00Z'))).toBe(true); // end of the July log
    expect(Number.isNaN(at('1995-08-02T12:00:00Z'))).toBe(true); // hurricane outage
    expect(at('1995-07-13T13:42:00Z')).toBeGreaterThan(0); // STS-70 launch
  });

  it('says which line is wrong and why', () => {
    const bad = (text: string) => () => parseTrace(`timestamp,value\n${text}`, 'bad.csv');
    expect(bad('2026-01-01T00:00:00Z,1\nyesterday,2\n2026-01-01T00:02:00Z,3')).toThrow(
      'bad.csv line 3: invalid timestamp "yesterday"',
    );
    expect(bad('2026-01-01T00:00:00Z,1\n2026-01-01T00:01:00Z,-4\n2026-01-01T00:02:00Z,3')).toThrow(
      'bad.csv line 3: invalid value "-4" (a count >= 0)',
    );
    expect(bad('2026-01-01T00:01:00Z,1\n2026-01-01T00:00:00Z,2\n2026-01-01T00:02:00Z,3')).toThrow(
      'line 3: timestamp 2026-01-01T00:00:00Z is before 2026-01-01T00:01:00Z',
    );
    expect(bad('2026-01-01T00:00:00Z,1\n2026-01-01T00:00:00Z,2\n2026-01-01T00:02:00Z,3')).toThrow(
      'a duplicate',
    );
    expect(bad('2026-01-01T00:00:00Z,1')).toThrow('needs at least 3 rows');
    expect(
      bad('2026-01-01T00:00:00Z,1\n2026-01-01T00:01:00Z,2\n2026-01-01T00:02:00Z,3\n2026-01-01T00:02:30Z,3'),
    ).toThrow("line 5: 2026-01-01T00:02:30Z is off the trace's 60s grid");
    expect(() => loadTrace('/nonexistent/trace.csv')).toThrow('--trace: cannot read /nonexistent/trace.csv');
  });

  it('cuts a trace with --from (inclusive) and --to (exclusive)', () => {
    const t = loadTrace(TAXI);
    const cut = cutTrace(t, Date.parse('2014-11-01T00:00:00Z'), Date.parse('2014-11-02T00:00:00Z'));
    expect(cut.startMs).toBe(Date.parse('2014-11-01T00:00:00Z'));
    expect(endOf(cut)).toBe(Date.parse('2014-11-02T00:00:00Z'));
    expect(cut.points).toBe(48);
    expect(() => cutTrace(t, Date.parse('2020-01-01T00:00:00Z'))).toThrow(
      /--from\/--to: the trace nab_realKnownCause_nyc_taxi.csv has 0 rows in that range \(it covers 2014-07-01T04:00:00Z/,
    );
  });
});

describe('Function: DemandTimeline', () => {
  const trace = parseTrace(
    'timestamp,value\n2026-01-01T00:00:00Z,60\n2026-01-01T00:01:00Z,120\n2026-01-01T00:04:00Z,240\n2026-01-01T00:05:00Z,240\n',
    'x.csv',
  );
  const t0 = trace.startMs;

  it('converts counts per row to requests per second, linear between the middles of rows', () => {
    const d = new DemandTimeline(trace, { perSecondFactor: 1 / 60, interpolation: 'linear', surges: [] });
    expect(d.at(t0 + 30_000)).toBeCloseTo(1);
    expect(d.at(t0 + 60_000)).toBeCloseTo(1.5);
    expect(d.at(t0 + 90_000)).toBeCloseTo(2);
    const hold = new DemandTimeline(trace, { perSecondFactor: 1 / 60, interpolation: 'hold', surges: [] });
    expect(hold.at(t0 + 59_000)).toBeCloseTo(1);
    expect(hold.at(t0 + 61_000)).toBeCloseTo(2);
  });

  it('bridges gaps for the controllers but marks them unknown, so they are not scored', () => {
    const d = new DemandTimeline(trace, { perSecondFactor: 1 / 60, interpolation: 'linear', surges: [] });
    expect(d.known(t0 + 150_000)).toBe(false);
    expect(d.known(t0 + 250_000)).toBe(true);
    expect(d.at(t0 + 150_000)).toBeGreaterThan(2);
    expect(d.at(t0 + 150_000)).toBeLessThan(4);
  });

  it('lays a surge over the trace: a 2-minute linear ramp to 15x, held, then back', () => {
    const s = parseSurge('2026-01-01T00:10:00Z,1h,x15,2m');
    expect(s).toEqual({ startMs: t0 + 600_000, durationSeconds: 3600, multiplier: 15, rampSeconds: 120 });
    expect(surgeFactor([s], s.startMs - 1)).toBe(1);
    expect(surgeFactor([s], s.startMs + 60_000)).toBeCloseTo(8);
    expect(surgeFactor([s], s.startMs + 120_000)).toBeCloseTo(15);
    expect(surgeFactor([s], s.startMs + 1800_000)).toBeCloseTo(15);
    expect(surgeFactor([s], s.startMs + 3600_000)).toBe(1);
    expect(() => parseSurge('2026-01-01T00:10:00Z,1h,fifteen')).toThrow(
      '--surge: invalid multiplier "fifteen"',
    );
    expect(() => parseSurge('soon,1h,x15')).toThrow('--surge: invalid start "soon"');
    for (const bad of ['xInfinity', 'x1e308', `x${'9'.repeat(400)}`, 'x0', 'x1001'])
      expect(() => parseSurge(`2026-01-01T00:10:00Z,1h,${bad}`), bad.slice(0, 10)).toThrow(
        '--surge: invalid multiplier',
      );
    expect(() => parseSurge('2026-01-01T00:10:00Z,2m,x15,5m')).toThrow('--surge: invalid ramp');
  });
});

describe('Function: TraceMetricSource', () => {
  it('serves history only up to the simulated now: rows whose interval ended, gaps left out', async () => {
    const trace = loadTrace(TAXI);
    const surge = parseSurge('2014-11-20T23:00:00Z,2h,x15,2m');
    const d = new DemandTimeline(trace, {
      perSecondFactor: 1 / 1800,
      interpolation: 'linear',
      surges: [surge],
    });
    const clock = new ManualClock('2014-11-20T23:45:00Z');
    const src = new TraceMetricSource(d, clock, 'traffic');
    const h = await src.history(signal, {
      from: new Date('2014-11-20T00:00:00Z'),
      to: new Date('2014-11-21T12:00:00Z'),
      stepSeconds: 60,
    });
    expect(h.stepSeconds).toBe(1800);
    // 23:00 ended at 23:30 (included); 23:30 ends at 00:00, after now (left out).
    expect(new Date(h.t.at(-1)!).toISOString()).toBe('2014-11-20T23:00:00.000Z');
    expect(Math.max(...h.t)).toBeLessThanOrEqual(clock.now().getTime() - 1800_000);
    // The surge is traffic once it happened: the 23:00 row is about 15x (ramp included).
    const row = trace.values[(Date.parse('2014-11-20T23:00:00Z') - trace.startMs) / 1800_000]!;
    expect(h.v.at(-1)! / row).toBeGreaterThan(14);
    // Signals the trace does not replay get nothing.
    expect(
      (
        await src.history(
          { ...signal, name: 'other' },
          { from: new Date(0), to: clock.now(), stepSeconds: 60 },
        )
      ).t,
    ).toEqual([]);
  });
});
