import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Invokes a Lambda function asynchronously (`InvocationType: Event`) with a SigV4-signed
 * request to the Lambda API. The function's own credentials come from the environment the
 * Lambda runtime sets. This replaces @aws-sdk/client-lambda, which would add ~110 KB to
 * every bundle for a single call.
 */
export async function invokeAsync(
  functionName: string,
  payload: unknown,
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY)
    throw new Error('no region or credentials in the environment to invoke Lambda');
  const host = `lambda.${region}.amazonaws.com`;
  const body = JSON.stringify(payload);
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'https:',
    hostname: host,
    path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
    headers: { host, 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
    body,
  });
  const signer = new SignatureV4({
    service: 'lambda',
    region,
    sha256: Sha256,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    },
  });
  const signed = await signer.sign(request);
  const res = await fetchImpl(`https://${host}${signed.path}`, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body,
  });
  // 202 Accepted: the event is queued; anything else means the work would be lost.
  if (res.status !== 202)
    throw new Error(`Lambda Invoke answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}
