import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Brain } from '../app/brain.ts';
import type { Logger } from '../app/ports.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { Responder } from '../triggers/deps.ts';
import { type HttpResult, MAX_BODY_BYTES } from '../triggers/http.ts';
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
  clock?: Clock;
  logger?: Logger;
  /** Where deferred Slack answers go (default: POST to the `response_url`). */
  respond?: Responder;
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

/** The local HTTP surface of `headroom dev`: the Lambda routes of CONTRACTS.md plus the local ones. */
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
  };
  if (!deps.webhookToken)
    options.logger?.warn(
      'HEADROOM_WEBHOOK_TOKEN is not set: POST /alertmanager accepts requests without a token',
    );
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
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
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
