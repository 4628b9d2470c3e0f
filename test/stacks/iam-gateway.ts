import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What API Gateway does in front of a route deployed with `auth: { iam: true }`, written
 * independently of the SDK's signer: check the SigV4 `Authorization` header (access key,
 * scope, signed headers, payload hash, a date within 15 minutes), answer 403 as API Gateway
 * does when it fails, and pass the caller to the function in `requestContext.authorizer.iam`.
 * It runs in the function's environment (the linked-functions harness), so the handler is the
 * real one with its linked table.
 */
export interface IamPrincipal {
  secretAccessKey: string;
  userArn: string;
  accountId: string;
  userId: string;
}

export interface SignedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

/** RFC 3986 encoding, as SigV4 canonicalises paths and query strings. */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** The principal that signed the request, or why API Gateway would refuse it. */
export function verifySigV4(
  req: SignedRequest,
  keys: Record<string, IamPrincipal>,
  region: string,
  now = Date.now(),
): { accessKey: string; principal: IamPrincipal } | { refusal: string } {
  const auth = req.headers.authorization;
  if (!auth) return { refusal: 'Forbidden' };
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { refusal: 'Authorization header requires a valid SigV4 signature' };
  const [, accessKey, day, signedRegion, service, signedHeaders, signature] = m as unknown as string[];
  const principal = keys[accessKey!];
  if (!principal) return { refusal: 'The security token included in the request is invalid.' };
  if (signedRegion !== region || service !== 'execute-api')
    return { refusal: `Credential should be scoped to a valid region and service execute-api` };
  const amzDate = req.headers['x-amz-date'] ?? '';
  const at = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  if (!Number.isFinite(at) || Math.abs(at - now) > 15 * 60_000 || !amzDate.startsWith(day!))
    return { refusal: 'Signature expired or not yet valid' };
  const names = signedHeaders!.split(';');
  if (!names.includes('host')) return { refusal: 'host must be a signed header' };
  const canonicalHeaders = names
    .map((h) => `${h}:${(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalQuery = [...req.query.entries()]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const path = req.path
    .split('/')
    .map((seg) => encode(decodeURIComponent(seg)))
    .join('/');
  const payload = req.headers['x-amz-content-sha256'] ?? sha256(req.body);
  if (payload !== sha256(req.body)) return { refusal: 'The payload hash does not match the body' };
  const canonical = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaders, payload].join('\n');
  const scope = `${day}/${region}/execute-api/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${principal.secretAccessKey}`, day!);
  key = hmac(key, region);
  key = hmac(key, 'execute-api');
  key = hmac(key, 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  if (expected !== signature)
    return {
      refusal:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  return { accessKey: accessKey!, principal };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type Handler = (
  event: unknown,
  context: unknown,
) => Promise<{ statusCode?: number; headers?: Record<string, string>; body?: string }>;

/**
 * Serves `routes` (route keys as the stacks deploy them) with IAM auth in front of `handler`.
 * Paths under `/noauth` reach the function with the prefix removed and no authorizer: a route
 * deployed without `auth: { iam: true }`. Resolves to the port.
 */
export async function serveIamGateway(
  handler: Handler,
  opts: { routes: string[]; keys: Record<string, IamPrincipal>; region: string; functionName: string },
): Promise<number> {
  let n = 0;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://gateway');
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [
        k.toLowerCase(),
        Array.isArray(v) ? v.join(',') : (v ?? ''),
      ]),
    );
    const method = req.method ?? 'GET';
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const unauthenticated = url.pathname.startsWith('/noauth/');
    const path = unauthenticated ? url.pathname.slice('/noauth'.length) : url.pathname;
    const routeKey = `${method} ${path}`;
    if (!opts.routes.includes(routeKey)) return send(404, { message: 'Not Found' });
    let authorizer: unknown;
    if (!unauthenticated) {
      const v = verifySigV4(
        { method, path: url.pathname, query: url.searchParams, headers, body },
        opts.keys,
        opts.region,
      );
      if ('refusal' in v) return send(403, { message: v.refusal });
      authorizer = {
        iam: {
          accessKey: v.accessKey,
          accountId: v.principal.accountId,
          callerId: v.principal.userId,
          principalOrgId: null,
          userArn: v.principal.userArn,
          userId: v.principal.userId,
          cognitoIdentity: null,
        },
      };
    }
    const query = [...url.searchParams.keys()].length ? Object.fromEntries(url.searchParams) : undefined;
    const event = {
      version: '2.0',
      routeKey,
      rawPath: path,
      rawQueryString: url.search.slice(1),
      headers,
      queryStringParameters: query,
      requestContext: {
        accountId: opts.keys[Object.keys(opts.keys)[0]!]?.accountId,
        apiId: 'gateway',
        ...(authorizer ? { authorizer } : {}),
        domainName: headers.host,
        http: {
          method,
          path,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: `gw-${++n}`,
        routeKey,
        stage: '$default',
        time: new Date().toUTCString(),
        timeEpoch: Date.now(),
      },
      body: body || undefined,
      isBase64Encoded: false,
    };
    const context = {
      functionName: opts.functionName,
      functionVersion: '$LATEST',
      awsRequestId: `req-${n}`,
      invokedFunctionArn: `arn:aws:lambda:${opts.region}:123456789012:function:${opts.functionName}`,
      memoryLimitInMB: '1024',
      logGroupName: `/aws/lambda/${opts.functionName}`,
      logStreamName: 's',
      getRemainingTimeInMillis: () => 20_000,
    };
    try {
      const r = await handler(event, context);
      res.writeHead(r.statusCode ?? 200, r.headers ?? {});
      res.end(r.body ?? '');
    } catch (err) {
      send(502, { message: `Internal Server Error: ${(err as Error).message}` });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}
