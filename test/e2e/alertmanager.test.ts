import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../shared/http/dev-server.ts';
import { simBrain } from '../helpers/example.ts';

const run = promisify(execFile);
const TOKEN = 'e2e-webhook-token';

/** The AlertManager binary: upstream name, or Debian's `prometheus-alertmanager`. */
async function which(...names: string[]): Promise<string> {
  for (const n of names) {
    try {
      const { stdout } = await run('sh', ['-c', `command -v ${n}`]);
      if (stdout.trim()) return stdout.trim();
    } catch {}
  }
  throw new Error(
    `none of ${names.join(', ')} is installed: install the Debian package prometheus-alertmanager (.ci/run does)`,
  );
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Polls until `check` returns a value (an external process decides when): bounded, never a fixed sleep. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  while (performance.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

describe('Function: AlertManager webhook end to end', () => {
  let dir: string;
  let am: ChildProcess | undefined;
  let amLog = '';
  let dev: DevServer;
  let amUrl: string;
  let amtool: string;
  const world = simBrain({ at: '2026-12-06T02:00:00Z' });

  beforeAll(async () => {
    const binary = await which('alertmanager', 'prometheus-alertmanager');
    amtool = await which('amtool');
    dev = await startDevServer(world.brain, { port: 0 }, { clock: world.clock, webhookToken: TOKEN });
    dir = mkdtempSync(path.join(tmpdir(), 'headroom-am-'));
    writeFileSync(
      path.join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: headroom',
        "  group_by: ['alertname']",
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: headroom',
        '    webhook_configs:',
        `      - url: ${dev.url}/alertmanager`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: ${TOKEN}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(
      binary,
      [
        `--config.file=${path.join(dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=info',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am.stdout?.on('data', (c) => {
      amLog += c;
    });
    am.stderr?.on('data', (c) => {
      amLog += c;
    });
    await until('AlertManager to be ready', async () =>
      (await fetch(`${amUrl}/-/ready`)).ok ? true : undefined,
    );
  }, 60_000);

  afterAll(async () => {
    if (am?.exitCode === null) {
      const exited = new Promise((r) => am!.once('exit', r));
      am.kill('SIGTERM');
      await exited;
    }
    await dev?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('turns an alert fired with amtool into the workers intent and a raised desired capacity', async () => {
    const state = async (): Promise<any> => (await fetch(`${dev.url}/api/state`)).json();
    const workers = (s: any) => s.targets.find((t: any) => t.id === 'workers');
    const before = workers(await state());
    await run(amtool, [
      'alert',
      'add',
      'alertname=WorkerQueueBacklog',
      'severity=critical',
      'queue=orders',
      '--annotation=summary=orders backlog above 5000',
      `--alertmanager.url=${amUrl}`,
    ]);
    const after = await until(
      'the intent in GET /api/state',
      async () => {
        const s = await state();
        return s.intents.some((i: any) => i.target === 'workers' && i.rule === 'worker-backlog')
          ? s
          : undefined;
      },
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nAlertManager log:\n${amLog.slice(-2000)}`);
    });
    expect(after.intents).toContainEqual(expect.objectContaining({ target: 'workers', floor: 20 }));
    expect(workers(after).desired).toBe(20);
    expect(workers(after).desired).toBeGreaterThan(before.desired);
    // The first step is already applied on the simulated cloud (at most x3 per change).
    expect(world.sim.value('workers')).toBeGreaterThan(before.actual);
  });
});
