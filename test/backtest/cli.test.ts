import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, TRACES } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
const NASA = path.join(TRACES, 'nasa_kennedy_http_1995_per_minute.csv');
const SHORT = [
  '--trace',
  NASA,
  '--from',
  '1995-07-10T00:00:00Z',
  '--to',
  '1995-07-12T00:00:00Z',
  '--warmup',
  '1d',
];

function headroom(args: string[]) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-backtest-'));
  const r = spawnSync(process.execPath, [BIN, 'backtest', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HEADROOM_CONFIG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}

describe('Command: headroom backtest', () => {
  it('prints the Backtest JSON of CONTRACTS.md with --json, and nothing else', () => {
    const r = headroom([...SHORT, '--json']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out);
    expect(j.trace).toEqual({
      file: 'nasa_kennedy_http_1995_per_minute.csv',
      points: 2880,
      stepSeconds: 60,
      from: '1995-07-10T00:00:00Z',
      to: '1995-07-12T00:00:00Z',
    });
    expect(Object.keys(j.policies)).toEqual(['reactive', 'headroom', 'oracle']);
    for (const p of Object.values(j.policies) as Record<string, number>[]) {
      for (const k of [
        'underProvisionedMinutes',
        'unservedFraction',
        'capacityUnitHours',
        'costVsOracle',
        'scalingActions',
      ])
        expect(typeof p[k], k).toBe('number');
      expect(Number.isInteger(p.underProvisionedMinutes)).toBe(true);
    }
    expect(j.policies.oracle.costVsOracle).toBe(1);
    expect(j.scored.from).toBe('1995-07-11T00:00:00Z');
  });

  it('prints a table, runs only the policies asked for, and writes a self-contained report', () => {
    const r = headroom([...SHORT, '--policies', 'reactive,oracle', '--report', 'out/../report.html']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^trace {3}nasa_kennedy_http_1995_per_minute\.csv: 2880 rows, step 60s/m);
    expect(r.out).toMatch(/^reactive +\d+/m);
    expect(r.out).not.toMatch(/^headroom/m);
    expect(r.out).toMatch(/^oracle +0 +0\.000%/m);
    // Not a terminal: no progress bar on stderr.
    expect(r.err).toBe('');
    const html = readFileSync(path.join(r.cwd, 'report.html'), 'utf8');
    expect(html).toContain('<title>Headroom backtest: nasa_kennedy_http_1995_per_minute.csv</title>');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('uPlot');
  });

  it('draws a progress bar on a terminal, and stays quiet there with --json', () => {
    const cmd = (extra: string) =>
      spawnSync(
        'script',
        ['-qec', `${process.execPath} ${BIN} backtest ${SHORT.join(' ')} ${extra}`, '/dev/null'],
        {
          encoding: 'utf8',
          env: { ...process.env, HEADROOM_CONFIG: '', COLUMNS: '120' },
        },
      );
    const tty = cmd('--policies headroom');
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/backtest .*\d+% \| headroom/);
    const json = cmd('--json --policies headroom');
    expect(json.status).toBe(0);
    expect(json.stdout).not.toMatch(/\d+% \| headroom/);
    const headroom = JSON.parse(json.stdout.replace(/\r/g, '')).policies.headroom;
    expect(headroom.underProvisionedMinutes).toBeGreaterThanOrEqual(0);
    expect(headroom.costVsOracle).toBeGreaterThan(0);
  });

  it('adds calendar campaigns and synthetic surges', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-cal-'));
    const cal = path.join(dir, 'calendar.yaml');
    writeFileSync(
      cal,
      'campaigns:\n  - { name: launch, start: "1995-07-11T15:00:00Z", duration: 1h, multiplier: 4, targets: [api, nodes] }\n',
    );
    const r = headroom([...SHORT, '--calendar', cal, '--surge', '1995-07-11T15:00:00Z,1h,x4,1m', '--json']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.campaigns).toEqual([
      { name: 'launch', start: '1995-07-11T15:00:00Z', end: '1995-07-11T16:00:00Z', multiplier: 4 },
    ]);
    expect(j.surges).toEqual([
      { start: '1995-07-11T15:00:00Z', end: '1995-07-11T16:00:00Z', multiplier: 4, rampSeconds: 60 },
    ]);
    // The table ends with what the brain learnt from the campaign: about the 4x the surge brought.
    const table = headroom([...SHORT, '--calendar', cal, '--surge', '1995-07-11T15:00:00Z,1h,x4,1m']);
    const learnt = table.out.trimEnd().split('\n').at(-1)!;
    expect(learnt).toMatch(
      /^learnt {2}campaign launch ended: observed x(\d+(\.\d+)?) \(planned x4\); ready: api /,
    );
    const uplift = Number(/observed x([\d.]+)/.exec(learnt)![1]);
    expect(uplift).toBeGreaterThan(2.5);
    expect(uplift).toBeLessThan(6);
  });

  it("sweeps reactive's target utilisation and compares Headroom with it at equal cost", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-sweep-'));
    const report = path.join(dir, 'r.html');
    const sweep = ['--sweep', 'reactive.targetUtilization=0.7,0.5,0.3'];
    const r = headroom([...SHORT, ...sweep, '--json', '--report', report]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.sweep.parameter).toBe('reactive.targetUtilization');
    const [p70, p50, p30] = j.sweep.points;
    expect([p70.value, p50.value, p30.value]).toEqual([0.7, 0.5, 0.3]);
    // The built-in config runs at 70 %: that point is the reactive run itself.
    expect(p70.underProvisionedMinutes).toBe(j.policies.reactive.underProvisionedMinutes);
    expect(p70.costVsOracle).toBe(j.policies.reactive.costVsOracle);
    // More slack costs more and is short less often.
    expect(p50.costVsOracle).toBeGreaterThan(p70.costVsOracle);
    expect(p30.costVsOracle).toBeGreaterThan(p50.costVsOracle);
    expect(p30.underProvisionedMinutes).toBeLessThan(p70.underProvisionedMinutes);
    const h = j.sweep.atHeadroomCost;
    expect(h.costVsOracle).toBe(j.policies.headroom.costVsOracle);
    expect(h.headroomUnderProvisionedMinutes).toBe(j.policies.headroom.underProvisionedMinutes);
    // Headroom's cost lies between two swept points: reactive's short minutes interpolated there.
    const byCost = [p70, p50, p30];
    const k = byCost.findIndex(
      (p, i) => i < 2 && p.costVsOracle <= h.costVsOracle && h.costVsOracle <= byCost[i + 1]!.costVsOracle,
    );
    expect(k, 'headroom between two swept costs').toBeGreaterThanOrEqual(0);
    const [lo, hi] = [byCost[k]!, byCost[k + 1]!];
    const f = (h.costVsOracle - lo.costVsOracle) / (hi.costVsOracle - lo.costVsOracle);
    const expected =
      lo.underProvisionedMinutes + f * (hi.underProvisionedMinutes - lo.underProvisionedMinutes);
    expect(h.reactiveUnderProvisionedMinutes).toBeCloseTo(expected, 1);
    expect(h.ratio).toBeCloseTo(h.headroomUnderProvisionedMinutes / h.reactiveUnderProvisionedMinutes, 2);
    // The SPEC RG metrics beside the other scores; the oracle is never under-provisioned.
    for (const p of Object.values(j.policies) as { elasticity: Record<string, number> }[])
      for (const k of ['accuracyU', 'accuracyO', 'timeshareU', 'timeshareO', 'instability', 'jitter'])
        expect(typeof p.elasticity[k], k).toBe('number');
    expect(j.policies.oracle.elasticity.timeshareU).toBe(0);
    expect(j.policies.reactive.elasticity.timeshareU).toBeGreaterThan(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<table id="elasticity">');
    expect(html).toMatch(/<table id="sweep">.*<tr><th>0\.3<\/th><td>\d+<\/td>/s);
    expect(html).toContain(`reactive would be short ${h.reactiveUnderProvisionedMinutes} minutes`);
    // Bad values are refused before anything runs, naming the option.
    for (const [arg, message] of [
      [
        'reactive.targetUtilization=0.7,1.5',
        /--sweep: reactive\.targetUtilization must be in \(0, 1\], got "1\.5"/,
      ],
      ['headroom.quantile=0.9', /--sweep: unknown parameter "headroom\.quantile"/],
      ['reactive.targetUtilization=', /--sweep: give values/],
    ] as const) {
      const bad = headroom([...SHORT, '--sweep', arg]);
      expect(bad.code, arg).toBe(1);
      expect(bad.err).toMatch(message);
      expect(bad.out).toBe('');
    }
    // The table says the same.
    const t = headroom([...SHORT, ...sweep]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/^elasticity +acc_U %/m);
    expect(t.out).toContain(
      `at headroom's cost (${h.costVsOracle.toFixed(3)}x the oracle) reactive would be short ${h.reactiveUnderProvisionedMinutes} minutes, headroom ${h.headroomUnderProvisionedMinutes}`,
    );
  }, 120_000);

  it('runs a given config: the example one replays its traffic signal into api and db-readers', () => {
    const r = headroom([...SHORT, '--config', EXAMPLE_CONFIG, '--json', '--policies', 'reactive,oracle']);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.signal).toBe('traffic');
    expect(j.serving.map((s: { target: string }) => s.target)).toEqual(['api', 'db-readers']);
  });

  it('refuses bad input with exit 1 and a message that says what is wrong, writing nothing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-bad-'));
    const report = path.join(dir, 'r.html');
    const badTrace = path.join(dir, 'bad.csv');
    writeFileSync(
      badTrace,
      'timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T00:01:00Z,lots\n2026-01-01T00:02:00Z,3\n',
    );
    const badCal = path.join(dir, 'cal.yaml');
    writeFileSync(
      badCal,
      '- { name: x, start: "1995-07-11T15:00:00Z", duration: 1h, multiplier: 4, targets: [web] }\n',
    );
    const badConfig = path.join(dir, 'c.yaml');
    writeFileSync(badConfig, `${readFileSync(EXAMPLE_CONFIG, 'utf8')}\nbacktest:\n  hpa: { tolerance: 2 }\n`);
    const badAlarm = path.join(dir, 'a.yaml');
    writeFileSync(
      badAlarm,
      `${readFileSync(EXAMPLE_CONFIG, 'utf8')}\nbacktest:\n  tick: 7s\n  alarms: { cpu: { target: nope, metric: utilization, threshold: 0.8 } }\n`,
    );
    const cases: [string[], RegExp][] = [
      [['--trace', badTrace, '--report', report], /bad\.csv line 3: invalid value "lots"/],
      [[...SHORT, '--policies', 'reactive,magic', '--report', report], /--policies: unknown policy "magic"/],
      [
        [...SHORT, '--calendar', badCal, '--report', report],
        /cal\.yaml: campaigns\[0\]\.targets\[0\]: unknown target "web"/,
      ],
      [[...SHORT, '--config', badConfig, '--report', report], /backtest\.hpa\.tolerance: Too big/],
      [
        [...SHORT, '--config', badAlarm, '--report', report],
        /backtest\.alarms\.cpu\.target: unknown target "nope"\nbacktest\.tick: must divide a minute/,
      ],
      [
        ['--trace', NASA, '--from', '1995-08-01T00:00:00Z', '--to', '1995-07-01T00:00:00Z'],
        /--from must be before --to/,
      ],
      [['--trace', NASA, '--warmup', 'a while'], /--warmup: invalid duration "a while"/],
      [[...SHORT, '--signal', 'clicks'], /--signal: unknown signal "clicks" \(known: traffic\)/],
      [[...SHORT, '--report', '/nonexistent/dir/r.html'], /--report: cannot write to \/nonexistent\/dir/],
      [[...SHORT, '--surge', 'tomorrow,1h,x3'], /--surge: invalid start "tomorrow"/],
      [
        ['--trace', NASA, '--from', '1995-07-28T00:00:00Z', '--to', '1995-08-01T00:00:00Z', '--warmup', '1d'],
        /nothing to score: the trace has no rows from 1995-07-29T00:00:00Z/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = headroom(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    }
    expect(existsSync(report)).toBe(false);
  });

  it('exits 2 on a usage error', () => {
    expect(headroom([]).code).toBe(2);
    expect(headroom([...SHORT, '--unit', 'perFortnight']).code).toBe(2);
  });
});
