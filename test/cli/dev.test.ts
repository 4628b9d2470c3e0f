import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenAddress } from '../../shared/cli/dev-command.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

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
  return { child, url, stderr: () => err };
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
