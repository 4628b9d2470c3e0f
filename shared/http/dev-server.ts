import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Brain } from '../app/brain.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { Responder } from '../triggers/deps.ts';
import { type HttpResult, json, MAX_BODY_BYTES } from '../triggers/http.ts';
import { DEV_ROUTES, dispatch } from '../triggers/routes.ts';

export interface DevServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface DevServerOptions {
  /** Bearer token of `POST /alertmanager` (default env `HEADROOM_WEBHOOK_TOKEN`; unset: the route is open). */
  webhookToken?: string;
  /** Slack signing secret (default env `HEADROOM_SLACK_SIGNING_SECRET`; unset: Slack routes answer 401). */
  slackSigningSecret?: string;
  /** The dashboard's token (default env `HEADROOM_DASHBOARD_TOKEN`; unset: open to this machine). */
  dashboardToken?: string;
  clock?: Clock;
  logger?: Logger;
  /** Where deferred Slack answers go (default: POST to the `response_url`). */
  respond?: Responder;
}

/** The names a browser on this machine uses for a loopback server (Host and Origin carry them). */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** True for `localhost`, 127.0.0.0/8 and ::1: addresses no other machine (or web page's DNS) reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** `host` as it appears in a URL, a Host header or an Origin: IPv6 addresses in brackets. */
function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host.toLowerCase();
}

/** `host:port` of a Host header, with the port a browser leaves out for 80. */
function hostAndPort(value: string): string {
  const v = value.trim().toLowerCase();
  return /(^\[[^\]]*\]|^[^:]*):\d+$/.test(v) ? v : `${v}:80`;
}

/**
 * Why a request must not reach the routes, or undefined. A web page can send requests to a
 * loopback server: a `text/plain` POST needs no CORS preflight, and a DNS name it controls can
 * be rebound to 127.0.0.1. So the Host must name this server, a present Origin must be this
 * server's own, and bodies outside Slack's signed form routes must be JSON (which a cross-site
 * page can send only after a preflight this server never answers).
 */
function refuseForeign(
  req: IncomingMessage,
  allowedHosts: ReadonlySet<string>,
): { status: number; error: string } | undefined {
  const host = req.headers.host;
  if (host === undefined || !allowedHosts.has(hostAndPort(host)))
    return {
      status: 403,
      error: `host: "${host ?? ''}" is not this server (expected one of ${[...allowedHosts].join(', ')})`,
    };
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let own = false;
    try {
      const u = new URL(origin);
      own = u.protocol === 'http:' && allowedHosts.has(`${u.hostname}:${u.port || '80'}`);
    } catch {
      own = false;
    }
    if (!own) return { status: 403, error: `origin: "${origin}" is not this server's origin` };
  }
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if ((method === 'POST' || method === 'PUT') && !path.startsWith('/slack/')) {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      return { status: 415, error: `content-type must be application/json, got "${type || 'none'}"` };
  }
  return undefined;
}

/** Content types API Gateway passes as text; anything else arrives base64-encoded, as in AWS. */
const TEXTUAL = /^(text\/|application\/(json|x-www-form-urlencoded|xml)|$)/;

/** Reads a body, keeping at most one byte more than the limit so oversize is still detected. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let kept = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (kept > MAX_BODY_BYTES) continue;
    const part = chunk.subarray(0, MAX_BODY_BYTES + 1 - kept);
    chunks.push(part);
    kept += part.length;
  }
  return Buffer.concat(chunks);
}

/** A Node request as the API Gateway HTTP API (payload v2) event a Lambda function receives. */
export async function toApiGatewayEvent(req: IncomingMessage, now: Date): Promise<APIGatewayProxyEventV2> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const body = await readBody(req);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const textual = TEXTUAL.test(contentType);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? query : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'headroom-dev',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `dev-${now.getTime().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !textual,
  };
}

function send(res: ServerResponse, result: HttpResult): void {
  const text = result.body ?? '';
  const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(text) };
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(text);
}

/**
 * The local HTTP surface of `headroom dev`: the Lambda routes of CONTRACTS.md plus the local ones.
 * It listens on `host` (default 127.0.0.1) and answers only requests whose Host names it: a
 * loopback name or `host` itself, with the port.
 */
export async function startDevServer(
  brain: Brain,
  opts: { port: number; host?: string },
  options: DevServerOptions = {},
): Promise<DevServer> {
  const clock = options.clock ?? systemClock;
  const deps = {
    brain,
    clock,
    logger: options.logger,
    respond: options.respond,
    webhookToken: options.webhookToken ?? (process.env.HEADROOM_WEBHOOK_TOKEN || undefined),
    slackSigningSecret:
      options.slackSigningSecret ?? (process.env.HEADROOM_SLACK_SIGNING_SECRET || undefined),
    dashboardToken: options.dashboardToken ?? (process.env.HEADROOM_DASHBOARD_TOKEN || undefined),
    // Open without a token only on a loopback address: other machines reach anything else.
    dashboardLocal: isLoopbackHost(opts.host ?? '127.0.0.1'),
  };
  if (!deps.dashboardLocal && !deps.dashboardToken)
    options.logger?.warn(
      `listening on ${opts.host}: the dashboard answers 401 until HEADROOM_DASHBOARD_TOKEN is set`,
    );
  if (!deps.webhookToken)
    options.logger?.warn(
      'HEADROOM_WEBHOOK_TOKEN is not set: POST /alertmanager accepts requests without a token',
    );
  let allowedHosts: ReadonlySet<string> = new Set();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const refused = refuseForeign(req, allowedHosts);
    if (refused) {
      options.logger?.warn(`refused ${req.method} ${req.url}: ${refused.error}`);
      req.resume();
      send(res, json(refused.status, { error: refused.error }));
      return;
    }
    (async () =>
      send(res, await dispatch(DEV_ROUTES, await toApiGatewayEvent(req, clock.now()), deps)))().catch(
      (err: unknown) => {
        options.logger?.error(`${req.method} ${req.url}: ${(err as Error).message}`);
        if (!res.headersSent)
          send(res, { statusCode: 500, body: JSON.stringify({ error: (err as Error).message }) });
        else res.end();
      },
    );
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  allowedHosts = new Set([...LOOPBACK_NAMES, urlHost(host)].map((h) => `${h}:${port}`));
  return {
    url: `http://${urlHost(host)}:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
