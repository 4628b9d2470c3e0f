import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A free TCP port on loopback (the kernel picks it; Prometheus binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** OpenMetrics text for gauge samples: `name{labels} value unix-seconds`, ending with `# EOF`. */
export function openMetrics(
  name: string,
  series: { labels: Record<string, string>; t: number[]; v: number[] }[],
): string {
  const lines = [`# HELP ${name} Requests per minute.`, `# TYPE ${name} gauge`];
  for (const s of series) {
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    for (let i = 0; i < s.t.length; i++)
      lines.push(`${name}{${labels}} ${s.v[i]} ${Math.floor(s.t[i]! / 1000)}`);
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (the Debian package) on a loopback port, its TSDB built from OpenMetrics
 * with `promtool tsdb create-blocks-from openmetrics` (how history is backfilled in practice).
 */
export async function startPrometheus(om: string): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'headroom-prom-'));
  const input = path.join(dir, 'history.om');
  const data = path.join(dir, 'data');
  writeFileSync(input, om);
  const backfill = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', input, data], {
    encoding: 'utf8',
  });
  if (backfill.status !== 0)
    throw new Error(`promtool failed: ${backfill.stderr || backfill.error?.message}`);
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // The backfilled history is old; keep it.
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // Ready when /-/ready answers 200 (the TSDB is loaded); give up if the process dies.
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (attempt > 300) throw new Error(`prometheus not ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BearerProxy {
  url: string;
  /** Requests that reached Prometheus: path and form parameters. */
  forwarded: { path: string; params: URLSearchParams }[];
  rejected: number;
  close(): Promise<void>;
}

/**
 * A reverse proxy that demands `Authorization: Bearer <token>` in front of Prometheus, as a
 * gateway or a managed Prometheus does (Prometheus itself only offers basic auth).
 */
export async function bearerProxy(target: string, token: string): Promise<BearerProxy> {
  const forwarded: BearerProxy['forwarded'] = [];
  const proxy: BearerProxy = { url: '', forwarded, rejected: 0, close: async () => {} };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.headers.authorization !== `Bearer ${token}`) {
      proxy.rejected++;
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    forwarded.push({ path: req.url ?? '', params: new URLSearchParams(body) });
    const r = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
      body: req.method === 'POST' ? body : undefined,
    });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    res.end(await r.text());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}
