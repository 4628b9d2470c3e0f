import { createHash, createHmac } from 'node:crypto';
import { TOKEN_PREFIX } from '../../shared/adapters/eks/token.ts';

/** RFC 3986 encoding as SigV4 canonicalises query strings. */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

export interface DecodedToken {
  url: URL;
  query: Record<string, string>;
}

/** `k8s-aws-v1.<base64url>` back to the presigned STS URL; throws on anything else. */
export function decodeEksToken(token: string): DecodedToken {
  if (!token.startsWith(TOKEN_PREFIX)) throw new Error('not an EKS token');
  const b64 = token.slice(TOKEN_PREFIX.length);
  if (b64.includes('=') || /[+/]/.test(b64)) throw new Error('not unpadded base64url');
  const url = new URL(Buffer.from(b64, 'base64url').toString('utf8'));
  return { url, query: Object.fromEntries(url.searchParams) };
}

/**
 * What STS does with the URL the API server forwards, written independently of the signer:
 * rebuild the canonical request with the `x-k8s-aws-id` header the API server adds (its own
 * cluster name), and compare the signature made with the secret of the access key.
 */
export function verifyPresignedUrl(t: DecodedToken, clusterName: string, secretAccessKey: string): boolean {
  const q = t.query;
  const signedHeaders = q['X-Amz-SignedHeaders'] ?? '';
  const headers: Record<string, string> = { host: t.url.host, 'x-k8s-aws-id': clusterName };
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((h) => `${h}:${headers[h] ?? ''}\n`)
    .join('');
  const canonicalQuery = Object.keys(q)
    .filter((k) => k !== 'X-Amz-Signature')
    .sort()
    .map((k) => `${encode(k)}=${encode(q[k]!)}`)
    .join('&');
  const emptyHash = createHash('sha256').update('').digest('hex');
  const canonical = ['GET', t.url.pathname, canonicalQuery, canonicalHeaders, signedHeaders, emptyHash].join(
    '\n',
  );
  const [, date, region, service] = (q['X-Amz-Credential'] ?? '').split('/');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = [
    'AWS4-HMAC-SHA256',
    q['X-Amz-Date'],
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, date!);
  key = hmac(key, region!);
  key = hmac(key, service!);
  key = hmac(key, 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === q['X-Amz-Signature'];
}

/** `20261127T190000Z` as epoch ms. */
export function amzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}
