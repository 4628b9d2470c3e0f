import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ZodError } from 'zod';
import { InProgressError } from '../domain/errors.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Bodies above this are refused with 413 before anything parses them (CONTRACTS.md). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A request that is refused: becomes a 4xx with this message and changes nothing. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  constructor(status: number, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.status = status;
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** Header lookup by lower-case name (API Gateway v2 lower-cases them; tolerate others). */
export function header(event: HttpEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const found = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  return found?.[1];
}

/** The body exactly as the caller sent it (base64-decoded when the HTTP API says so), size-checked. */
export function rawBody(event: HttpEvent): Buffer {
  const body = event.body ?? '';
  const declared = Number(header(event, 'content-length'));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES)
    throw new HttpError(413, `body is over ${MAX_BODY_BYTES} bytes`);
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new HttpError(413, `body is over ${MAX_BODY_BYTES} bytes`);
  return bytes;
}

/** The media type without parameters, lower-cased (`application/json; charset=utf-8` -> `application/json`). */
export function mediaType(event: HttpEvent): string {
  return (header(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

export function requireMediaType(event: HttpEvent, ...accepted: string[]): void {
  const type = mediaType(event);
  if (!accepted.includes(type))
    throw new HttpError(400, `content-type must be ${accepted.join(' or ')}, got "${type || 'none'}"`);
}

/** JSON from the raw body; malformed JSON is a 400 that says where. */
export function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  if (!text.trim()) throw new HttpError(400, 'body is empty: expected a JSON document');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new HttpError(400, `malformed JSON: ${(cause as Error).message}`, { cause });
  }
}

/** `detail.state.value: Invalid option...` for the first few problems of a schema. */
export function describeZodError(err: ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Compares secrets in constant time (lengths are compared through a fixed-size digest-free pad). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself to spend the same time.
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** Maps a thrown refusal to its 4xx; anything else is a real failure and is rethrown. */
export function refusal(err: unknown): HttpResult | undefined {
  if (err instanceof HttpError) return json(err.status, { error: err.message });
  if (err instanceof Error && err.name === 'InputError') return json(400, { error: err.message });
  if (err instanceof InProgressError)
    return json(503, { error: err.message }, { 'retry-after': String(err.retryAfterSeconds) });
  return undefined;
}
