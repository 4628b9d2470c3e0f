import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Brain } from '../app/brain.ts';

export interface DevServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The local HTTP surface of `headroom dev` (CONTRACTS.md routes). */
export async function startDevServer(
  brain: Brain,
  opts: { port: number; host?: string },
): Promise<DevServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    (async () => {
      if (route === 'GET /healthz') return send(res, 200, { ok: true });
      if (route === 'GET /api/state') return send(res, 200, await brain.snapshot());
      if (route === 'GET /api/audit') {
        const since = url.searchParams.get('since');
        const limit = Number(url.searchParams.get('limit') ?? 200);
        return send(res, 200, {
          entries: await brain.audit({ since: since ? new Date(since) : undefined, limit }),
        });
      }
      return send(res, 404, { error: `no route ${route}` });
    })().catch((err: unknown) => send(res, 500, { error: (err as Error).message }));
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
