import { createHmac } from 'node:crypto';
import { HttpError, safeEqual } from './http.ts';

/** Slack refuses replays older than five minutes; so do we (either direction, for skewed clocks). */
export const SLACK_WINDOW_SECONDS = 5 * 60;

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret. */
export function slackSignature(secret: string, timestamp: string, body: Buffer | string): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${timestamp}:`);
  mac.update(body);
  return `v0=${mac.digest('hex')}`;
}

/**
 * Verifies a request from Slack over the exact bytes received. Throws a 401 `HttpError` for a
 * missing, stale or wrong signature; the message never includes the secret or the expected MAC.
 */
export function verifySlackRequest(opts: {
  secret: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  now: Date;
}): void {
  if (!opts.secret) throw new HttpError(401, 'Slack signing secret is not configured');
  if (!opts.timestamp || !/^\d{1,12}$/.test(opts.timestamp))
    throw new HttpError(401, 'missing or malformed X-Slack-Request-Timestamp');
  if (!opts.signature) throw new HttpError(401, 'missing X-Slack-Signature');
  const age = Math.abs(opts.now.getTime() / 1000 - Number(opts.timestamp));
  if (age > SLACK_WINDOW_SECONDS)
    throw new HttpError(401, 'stale request: timestamp is not within 5 minutes');
  const expected = slackSignature(opts.secret, opts.timestamp, opts.body);
  if (!safeEqual(opts.signature, expected)) throw new HttpError(401, 'invalid Slack signature');
}
