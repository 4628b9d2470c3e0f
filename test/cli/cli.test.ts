import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');

function headroom(args: string[], cwd = mkdtempSync(path.join(tmpdir(), 'headroom-cli-'))) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, HEADROOM_CONFIG: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, cwd };
}

describe('Command: headroom validate', () => {
  it('prints the counts of the example configuration', () => {
    const r = headroom(['validate', '--config', EXAMPLE_CONFIG]);
    expect(r.err).toBe('');
    expect(r.out.trim()).toBe('ok: 7 targets, 5 rules, 1 campaigns');
    expect(r.code).toBe(0);
  });

  it('exits 1 with one line per problem', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'headroom-bad-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'version: 1\ntargets:\n  a: { kind: k8s-hpa, cluster: nope, namespace: n, name: x, bounds: { min: 5, max: 2 } }\n',
    );
    const r = headroom(['validate', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual(['targets.a.bounds: min must not exceed max']);
  });

  it('exits 2 on a usage error', () => {
    expect(headroom(['validate', '--bogus']).code).toBe(2);
    expect(headroom(['frobnicate']).code).toBe(2);
  });
});

describe('Command: headroom plan', () => {
  it('prints the Plan JSON for a time', () => {
    const r = headroom(['plan', '--config', EXAMPLE_CONFIG, '--at', '2026-11-27T19:20:00Z', '--json']);
    expect(r.code, r.err).toBe(0);
    const p = JSON.parse(r.out);
    expect(p.at).toBe('2026-11-27T19:20:00Z');
    expect(p.targets.find((t: { id: string }) => t.id === 'db-readers').decision).toBe('scale-up');
    expect(p.targets.find((t: { id: string }) => t.id === 'api').decision).toBe('wait');
  });

  it('rejects a bad time with exit 1', () => {
    const r = headroom(['plan', '--config', EXAMPLE_CONFIG, '--at', 'tomorrow']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--at: invalid time "tomorrow"');
  });
});

describe('Command: headroom campaign and audit', () => {
  it('adds, lists and cancels a campaign in the local store, and audits it', () => {
    const add = headroom([
      'campaign',
      'add',
      'launch',
      '--start',
      '+2d',
      '--duration',
      '2h',
      '--multiplier',
      'x8',
      '--targets',
      'api,workers',
      '--config',
      EXAMPLE_CONFIG,
    ]);
    expect(add.code, add.err).toBe(0);
    const list = headroom(['campaign', 'list', '--json', '--config', EXAMPLE_CONFIG], add.cwd);
    const names = JSON.parse(list.out).map((c: { name: string }) => c.name);
    expect(names).toEqual(['black-friday-tv', 'launch']);
    expect(headroom(['campaign', 'cancel', 'launch', '--config', EXAMPLE_CONFIG], add.cwd).code).toBe(0);
    const again = headroom(['campaign', 'cancel', 'launch', '--config', EXAMPLE_CONFIG], add.cwd);
    expect(again.code).toBe(1);
    expect(again.err).toContain('no active campaign named "launch"');
    const audit = headroom(['audit', '--json', '--config', EXAMPLE_CONFIG], add.cwd);
    expect(JSON.parse(audit.out).map((e: { action: string }) => e.action)).toEqual([
      'campaign-cancelled',
      'campaign-added',
    ]);
  });

  it('reads --start as a time from now, so an example works on the day it is read', () => {
    const before = Date.now();
    const add = headroom([
      'campaign',
      'add',
      'soon',
      '--start',
      '+2h',
      '--duration',
      '1h',
      '--multiplier',
      '3',
      '--targets',
      'api',
      '--config',
      EXAMPLE_CONFIG,
    ]);
    expect(add.code, add.err).toBe(0);
    const list = headroom(['campaign', 'list', '--json', '--config', EXAMPLE_CONFIG], add.cwd);
    const soon = JSON.parse(list.out).find((c: { name: string }) => c.name === 'soon');
    const start = Date.parse(soon.start);
    expect(start).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 2 * 3600_000);
    expect(start).toBeLessThanOrEqual(Date.now() + 2 * 3600_000);
    const bad = headroom([
      'campaign',
      'add',
      'x',
      '--start',
      '+2 hours',
      '--duration',
      '1h',
      '--multiplier',
      '3',
      '--config',
      EXAMPLE_CONFIG,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--start: invalid time "+2 hours"');
  });

  it('rejects a campaign on an unknown target and stores nothing', () => {
    const add = headroom([
      'campaign',
      'add',
      'x',
      '--start',
      '+1d',
      '--duration',
      '1h',
      '--multiplier',
      '3',
      '--targets',
      'apii',
      '--config',
      EXAMPLE_CONFIG,
    ]);
    expect(add.code).toBe(1);
    expect(add.err).toContain('campaign.targets[0]: unknown target "apii"');
    const list = headroom(['campaign', 'list', '--json', '--config', EXAMPLE_CONFIG], add.cwd);
    expect(JSON.parse(list.out).map((c: { name: string }) => c.name)).toEqual(['black-friday-tv']);
  });
});

describe('Command: headroom campaign (strict input)', () => {
  /** `headroom campaign add` in a fresh directory, without waiting for the others. */
  const add = (name: string, over: Record<string, string>) =>
    new Promise<{ code: number | null; err: string; cwd: string }>((resolve) => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-cli-'));
      const o = { '--start': '+1d', '--duration': '2h', '--multiplier': '3', '--targets': 'api', ...over };
      const child = spawn(
        process.execPath,
        [BIN, 'campaign', 'add', name, ...Object.entries(o).flat(), '--config', EXAMPLE_CONFIG],
        { cwd, env: { ...process.env, HEADROOM_CONFIG: '' } },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code, err, cwd }));
    });

  it('refuses hex floors, infinite multipliers, absurd durations, bad names and impossible dates with exit 1, storing nothing', async () => {
    const cases: [string, Record<string, string>, string][] = [
      [
        'launch',
        { '--floors': 'api=0x10' },
        'campaign.floors.api: expected a whole number from 0 to 1000000000, written in decimal digits, got "0x10"',
      ],
      [
        'launch',
        { '--multiplier': 'Infinity' },
        '--multiplier: expected a number greater than 0 and at most 1000 (15 or x15), got "Infinity"',
      ],
      [
        'launch',
        { '--multiplier': '9'.repeat(400) },
        '--multiplier: expected a number greater than 0 and at most 1000',
      ],
      ['launch', { '--duration': '0.0001ms' }, '--duration: invalid duration "0.0001ms"'],
      ['launch', { '--duration': '32d' }, 'campaign.duration: at most 31d, got 32d'],
      ['black/friday', {}, '<name>: invalid campaign name "black/friday"'],
      ['<!channel>', {}, '<name>: invalid campaign name "<!channel>"'],
      [
        'launch',
        { '--start': '2026-02-31T10:00:00Z' },
        'campaign.start: invalid time "2026-02-31T10:00:00Z"',
      ],
    ];
    // Two at a time: the suite runs other files beside this one.
    const results: Awaited<ReturnType<typeof add>>[] = [];
    for (let i = 0; i < cases.length; i += 2)
      results.push(...(await Promise.all(cases.slice(i, i + 2).map(([name, over]) => add(name, over)))));
    results.forEach((r, i) => {
      expect(r.err, cases[i]![2]).toContain(cases[i]![2]);
      expect(r.code, cases[i]![2]).toBe(1);
    });
    const list = headroom(['campaign', 'list', '--json', '--config', EXAMPLE_CONFIG], results[0]!.cwd);
    expect(JSON.parse(list.out).map((c: { name: string }) => c.name)).toEqual(['black-friday-tv']);
    const cancel = headroom(['campaign', 'cancel', '$(reboot)', '--config', EXAMPLE_CONFIG]);
    expect(cancel.code).toBe(1);
    expect(cancel.err).toContain('<name>: invalid campaign name "$(reboot)"');
  }, 120_000);

  it('still takes relative starts, decimal multipliers and whole floors', async () => {
    const r = await add('launch', { '--start': 'now', '--multiplier': 'x1.5', '--floors': 'api=12' });
    expect(r.code, r.err).toBe(0);
    const list = headroom(['campaign', 'list', '--json', '--config', EXAMPLE_CONFIG], r.cwd);
    expect(JSON.parse(list.out).find((c: { name: string }) => c.name === 'launch')).toMatchObject({
      multiplier: 1.5,
      floors: { api: 12 },
    });
  });
});

describe('Command: headroom dev (npm start)', () => {
  it('starts the brain on the example config, logs decisions and serves /healthz', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-dev-'));
    const child = spawn(process.execPath, [BIN, 'dev', '--config', EXAMPLE_CONFIG, '--port', '0'], { cwd });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/[\d.:]+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`dev exited ${code}: ${out}`)));
      });
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      const state = (await (await fetch(`${url}/api/state`)).json()) as { targets: { id: string }[] };
      expect(state.targets.map((t) => t.id)).toContain('api');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
