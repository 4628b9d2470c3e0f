import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/headroom.mjs');
/** 35 minutes before black-friday-tv: dev's first reconcile adds database readers at once. */
const NOW = '2026-11-27T19:20:00Z';

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, HEADROOM_CONFIG: '', HEADROOM_NOW: NOW };
  delete e.HEADROOM_LISTEN;
  delete e.HEADROOM_SLACK_BOT_TOKEN;
  return e;
}

function plan(cwd: string, state: string) {
  const r = spawnSync(
    process.execPath,
    [BIN, 'plan', '--config', EXAMPLE_CONFIG, '--state', state, '--json'],
    {
      cwd,
      encoding: 'utf8',
      env: env(),
    },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { targets: { id: string; actual: unknown; decision: string }[] };
}

const target = (p: ReturnType<typeof plan>, id: string) => p.targets.find((t) => t.id === id)!;

describe('Command: headroom plan --state on the directory of a running dev', () => {
  it("plans from dev's simulated cloud, not a fresh one", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'headroom-plan-state-'));
    const child = spawn(
      process.execPath,
      [BIN, 'dev', '--config', EXAMPLE_CONFIG, '--state', 'st', '--port', '0', '--interval', '3600'],
      { cwd, env: env() },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await expect
        .poll(() => out, { timeout: 20_000 })
        .toMatch(/db-readers: scale-up 1 -> \d+ .*\[executed\]/);
      const raised = Number(/db-readers: scale-up 1 -> (\d+)/.exec(out)![1]);
      // dev raised the readers: plan on its directory sees them, and does not raise them again.
      const onDev = plan(cwd, 'st');
      expect(target(onDev, 'db-readers').actual).toBe(raised);
      expect(target(onDev, 'db-readers').decision).not.toBe('scale-up');
      // A directory no dev ran in starts from the configured baselines.
      const fresh = plan(cwd, 'other');
      expect(target(fresh, 'db-readers')).toMatchObject({ actual: 1, decision: 'scale-up' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
