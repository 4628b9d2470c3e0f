import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Clock } from '../../ports/clock.ts';
import type { CredentialSource } from './credentials.ts';

/** The prefix EKS (aws-iam-authenticator) expects in front of the encoded presigned URL. */
export const TOKEN_PREFIX = 'k8s-aws-v1.';
/** EKS accepts a token for 15 minutes after its signing time; it is reused for 14. */
export const TOKEN_REUSE_MS = 14 * 60_000;

export interface EksTokenRequest {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity;
  signedAt: Date;
}

/**
 * A bearer token for an EKS cluster, made as `aws eks get-token` makes it: an STS
 * `GetCallerIdentity` URL presigned for 60 seconds with the cluster name in the signed
 * `x-k8s-aws-id` header (so a token for one cluster is refused by another), encoded as
 * `k8s-aws-v1.` + unpadded base64url. The API server calls STS with it to learn who we are.
 */
export async function presignEksToken(r: EksTokenRequest): Promise<string> {
  const hostname = `sts.${r.region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 'sts',
    region: r.region,
    credentials: r.credentials,
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, 'x-k8s-aws-id': r.clusterName },
  });
  const signed = await signer.presign(request, { expiresIn: 60, signingDate: r.signedAt });
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== null) query.append(k, one);
  }
  return TOKEN_PREFIX + Buffer.from(`https://${hostname}/?${query}`).toString('base64url');
}

export interface EksTokenSourceOptions {
  clusterName: string;
  region: string;
  credentials: CredentialSource;
  clock: Clock;
}

/** One cluster's token: reused for 14 minutes, made again on demand after a 401. */
export class EksTokenSource {
  private readonly opts: EksTokenSourceOptions;
  private cached?: { token: string; until: number };
  private forceCredentials = false;

  constructor(opts: EksTokenSourceOptions) {
    this.opts = opts;
  }

  async token(): Promise<string> {
    const now = this.opts.clock.now();
    if (this.cached && now.getTime() < this.cached.until) return this.cached.token;
    const credentials = await this.opts.credentials({ forceRefresh: this.forceCredentials });
    this.forceCredentials = false;
    const token = await presignEksToken({
      clusterName: this.opts.clusterName,
      region: this.opts.region,
      credentials,
      signedAt: now,
    });
    this.cached = { token, until: now.getTime() + TOKEN_REUSE_MS };
    return token;
  }

  /**
   * The API server refused the token (expired, or signed with credentials that are no longer
   * valid): the next token is signed with freshly fetched credentials.
   */
  invalidate(): void {
    this.cached = undefined;
    this.forceCredentials = true;
  }
}
