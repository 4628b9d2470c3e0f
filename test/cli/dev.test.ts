import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listenAddress, TimerScheduler } from '../../shared/cli/dev-command.ts';
import { DEMO_SPEED, demoCampaign, speedClock } from '../../shared/cli/dev-demo.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { EXAMPLE_CONFIG, simBrain } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HEADROOM_CONFIG: '', ...extra };
  delete e.HEADROOM_WEBHOOK_TOKEN;
  for (const [k, v] of Object.entries(extra)) if (v === '') delete e[k];
  return e;
}

/** `headroom dev` until it says where it listens (or exits); the caller kills it. */
async function startDev(args: string[], extra: Record<string, string> = {}) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-dev-'));
  const child = spawn(process.execPath, [BIN, 'dev', '--config', EXAMPLE_CONFIG, ...args], {
    cwd,
    env: env(extra),
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[\d.:[\]]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`dev exited ${code}: ${out}${err}`)));
  });
  return { child, url, stderr: () => err, stdout: () => out };
}

describe('Command: headroom dev --listen', () => {
  it('refuses to serve real AWS on a non-loopback HEADROOM_LISTEN address, exit 1, and never listens', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-dev-'));
    const r = spawnSync(
      process.execPath,
      [BIN, 'dev', '--cloud', 'aws', '--config', EXAMPLE_CONFIG, '--state', 'st'],
      { cwd, encoding: 'utf8', env: env({ HEADROOM_LISTEN: '0.0.0.0:8787' }), timeout: 20_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'error: HEADROOM_LISTEN: with --cloud aws, headroom dev listens only on a loopback address, not "0.0.0.0"',
    );
    expect(r.stderr).toContain('pass --listen 0.0.0.0:8787 explicitly');
    expect(r.stdout).not.toContain('listening on');
    expect(existsSync(path.join(cwd, 'st'))).toBe(false);
  });

  it('takes a non-loopback address for real AWS only from an explicit --listen, and a loopback one from either', () => {
    const env = { HEADROOM_LISTEN: '0.0.0.0:9999' };
    expect(listenAddress({ listen: '0.0.0.0:8787', port: '8787', cloud: 'aws' }, env)).toEqual({
      host: '0.0.0.0',
      port: 8787,
    });
    expect(listenAddress({ listen: '[::]', port: '9000', cloud: 'aws' }, env)).toEqual({
      host: '::',
      port: 9000,
    });
    expect(listenAddress({ port: '8787', cloud: 'aws' }, { HEADROOM_LISTEN: '[::1]:9000' })).toEqual({
      host: '::1',
      port: 9000,
    });
    expect(listenAddress({ port: '8787', cloud: 'sim' }, env)).toEqual({ host: '0.0.0.0', port: 9999 });
    expect(() =>
      listenAddress({ port: '8787', cloud: 'aws' }, { HEADROOM_LISTEN: 'my-laptop.lan:8787' }),
    ).toThrow(/HEADROOM_LISTEN: with --cloud aws/);
    expect(listenAddress({ port: '8787', cloud: 'aws' }, {})).toEqual({ host: '127.0.0.1', port: 8787 });
  });

  it('exits 1 naming --listen for an address it cannot parse', () => {
    for (const bad of ['localhost:99999', '::1:8787']) {
      const r = spawnSync(process.execPath, [BIN, 'dev', '--config', EXAMPLE_CONFIG, '--listen', bad], {
        encoding: 'utf8',
        env: env({}),
        cwd: mkdtempSync(path.join(tmpdir(), 'headroom-dev-')),
        timeout: 20_000,
      });
      expect(r.status, bad).toBe(1);
      expect(r.stderr, bad).toMatch(/^error: --listen: /);
    }
  });

  it('listens on 127.0.0.1 by default and prints the unset-token warning', async () => {
    const dev = await startDev(['--port', '0'], { HEADROOM_LISTEN: '' });
    try {
      expect(dev.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${dev.url}/healthz`)).status).toBe(200);
      await expect.poll(dev.stderr).toContain('warn HEADROOM_WEBHOOK_TOKEN is not set');
    } finally {
      dev.child.kill('SIGTERM');
    }
  });

  it('listens where --listen says (over HEADROOM_LISTEN), and on HEADROOM_LISTEN on the simulated cloud', async () => {
    const explicit = await startDev(['--listen', '127.0.0.2:0'], { HEADROOM_LISTEN: '127.0.0.3:0' });
    try {
      expect(explicit.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      expect((await fetch(`${explicit.url}/healthz`)).status).toBe(200);
    } finally {
      explicit.child.kill('SIGTERM');
    }
    const fromEnv = await startDev([], { HEADROOM_LISTEN: '127.0.0.3:0' });
    try {
      expect(fromEnv.url).toMatch(/^http:\/\/127\.0\.0\.3:\d+$/);
    } finally {
      fromEnv.child.kill('SIGTERM');
    }
  });
});

/** A Wednesday afternoon, far from the example campaign; dev's clock starts here (HEADROOM_NOW). */
const AT = '2026-11-25T14:00:00Z';

describe('Command: headroom dev --speed and --demo (npm start)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs the brain's clock n times faster than real time from where it starts", () => {
    let real = 5_000;
    const clock = speedClock(new ManualClock(AT), 60, () => real);
    expect(clock.now().toISOString()).toBe('2026-11-25T14:00:00.000Z');
    real += 1_500;
    expect(clock.now().toISOString()).toBe('2026-11-25T14:01:30.000Z');
  });

  it('fires a campaign phase speed times sooner in real time', async () => {
    vi.useFakeTimers();
    const fired: string[] = [];
    const clock = new ManualClock(AT);
    const timers = new TimerScheduler((name) => fired.push(name), clock, 60);
    await timers.schedule('launch-start', new Date(Date.parse(AT) + 10 * 60_000), {
      kind: 'campaign-phase',
      campaign: 'launch',
      phase: 'start',
    });
    vi.advanceTimersByTime(9_999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['launch-start']);
  });

  it("plays the demo campaign's staged steps on the simulated cloud within one real minute", async () => {
    const w = simBrain({ at: AT });
    const c = await w.brain.addCampaign(demoCampaign(w.config, w.clock.now()), 'dev --demo');
    expect(c).toMatchObject({ name: 'demo-1400', multiplier: 15, targets: w.config.campaigns[0]!.targets });
    // dev --demo reconciles once a real second, DEMO_SPEED seconds of the brain's time apart.
    const executed: { second: number; target: string }[] = [];
    for (let second = 0; second <= 60; second++) {
      const r = await w.brain.reconcile('tick');
      for (const x of r.results) if (x.outcome === 'executed') executed.push({ second, target: x.target });
      w.clock.advance(DEMO_SPEED * 1000);
    }
    expect(executed[0]!.second).toBeLessThanOrEqual(10);
    // Every layer of the campaign got its capacity, in stages, before its start.
    expect(new Set(executed.map((x) => x.target))).toEqual(new Set(c.targets));
    expect(executed.filter((x) => x.target === 'api').length).toBeGreaterThan(1);
    expect(Date.parse(c.start)).toBeLessThanOrEqual(Date.parse(AT) + 60 * DEMO_SPEED * 1000);
    const steps = (await w.brain.audit()).filter((a) => a.action === 'step-executed');
    expect(steps.every((a) => Date.parse(a.at) < Date.parse(c.start))).toBe(true);
  }, 60_000);

  it('npm start (dev --demo) says what it added and where to look, in a fresh state directory', async () => {
    const dev = await startDev(['--demo', '--port', '0'], { HEADROOM_NOW: AT, HEADROOM_LISTEN: '' });
    try {
      // The campaign is added once the server listens: read until it is there.
      const campaigns = async () => {
        const state = (await (await fetch(`${dev.url}/dashboard/state`)).json()) as {
          campaigns: { name: string }[];
        };
        return state.campaigns.map((x) => x.name);
      };
      await expect.poll(campaigns, { timeout: 15_000 }).toContain('demo-1400');
      await expect
        .poll(dev.stdout)
        .toContain(
          'demo: campaign demo-1400 x15 on api, workers, nodes, pgbouncer, db-readers, cache starts',
        );
      expect(dev.stdout()).toContain(`dashboard: ${dev.url}/`);
      expect(dev.stdout()).toMatch(/state in \S*headroom-dev-\w+, reconcile every 30s at 60x speed/);
    } finally {
      dev.child.kill('SIGTERM');
    }
  });

  it('exits 1 naming --speed for a speed out of range, and for real AWS', () => {
    for (const args of [
      ['--speed', '0'],
      ['--speed', 'fast'],
      ['--speed', '10', '--cloud', 'aws'],
    ]) {
      const r = spawnSync(
        process.execPath,
        [BIN, 'dev', '--config', EXAMPLE_CONFIG, '--port', '0', ...args],
        {
          encoding: 'utf8',
          env: env({}),
          cwd: mkdtempSync(path.join(tmpdir(), 'headroom-dev-')),
          timeout: 20_000,
        },
      );
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/^error: --speed: /);
    }
  });
});
