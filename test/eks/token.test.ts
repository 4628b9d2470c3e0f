import { describe, expect, it } from 'vitest';
import { EksTokenSource, presignEksToken, TOKEN_PREFIX } from '../../shared/adapters/eks/token.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { decodeEksToken, verifyPresignedUrl } from './sigv4.ts';

const SESSION = {
  accessKeyId: 'ASIAEXAMPLEKEY123456',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'IQoJb3JpZ2luX2VjEPr//////////wEaDGV1LWNlbnRyYWwtMSJHMEUCIQ+/=',
};
const AT = new Date('2026-11-27T19:00:00Z');

describe('Function: presignEksToken', () => {
  it('encodes a presigned STS GetCallerIdentity URL as aws eks get-token does', async () => {
    const token = await presignEksToken({
      clusterName: 'kaireon-prod',
      region: 'eu-central-1',
      credentials: SESSION,
      signedAt: AT,
    });
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    const body = token.slice(TOKEN_PREFIX.length);
    expect(body).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
    const t = decodeEksToken(token);
    expect(t.url.protocol).toBe('https:');
    expect(t.url.host).toBe('sts.eu-central-1.amazonaws.com');
    expect(t.url.pathname).toBe('/');
    expect(t.query).toMatchObject({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Expires': '60',
      'X-Amz-Date': '20261127T190000Z',
      'X-Amz-Credential': 'ASIAEXAMPLEKEY123456/20261127/eu-central-1/sts/aws4_request',
      'X-Amz-Security-Token': SESSION.sessionToken,
    });
    expect(t.query['X-Amz-SignedHeaders']!.split(';')).toEqual(['host', 'x-k8s-aws-id']);
  });

  it('is a valid SigV4 signature for its own cluster only (the cluster name is a signed header)', async () => {
    const token = await presignEksToken({
      clusterName: 'kaireon-prod',
      region: 'eu-central-1',
      credentials: SESSION,
      signedAt: AT,
    });
    const t = decodeEksToken(token);
    expect(verifyPresignedUrl(t, 'kaireon-prod', SESSION.secretAccessKey)).toBe(true);
    expect(verifyPresignedUrl(t, 'kaireon-staging', SESSION.secretAccessKey)).toBe(false);
    expect(verifyPresignedUrl(t, 'kaireon-prod', 'another-secret')).toBe(false);
  });

  it('carries no session token for long-term keys', async () => {
    const token = await presignEksToken({
      clusterName: 'c',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
      signedAt: AT,
    });
    expect(decodeEksToken(token).query['X-Amz-Security-Token']).toBeUndefined();
    expect(decodeEksToken(token).url.host).toBe('sts.us-east-1.amazonaws.com');
  });
});

describe('Function: EksTokenSource', () => {
  function source() {
    const clock = new ManualClock(AT);
    const fetched: boolean[] = [];
    const tokens = new EksTokenSource({
      clusterName: 'kaireon-prod',
      region: 'eu-central-1',
      clock,
      credentials: async (o) => {
        fetched.push(o?.forceRefresh === true);
        return SESSION;
      },
    });
    return { clock, fetched, tokens };
  }

  it('reuses a token for 14 minutes, then signs a new one', async () => {
    const { clock, fetched, tokens } = source();
    const first = await tokens.token();
    clock.advance(13 * 60_000 + 59_000);
    expect(await tokens.token()).toBe(first);
    clock.advance(1000);
    const second = await tokens.token();
    expect(second).not.toBe(first);
    expect(decodeEksToken(second).query['X-Amz-Date']).toBe('20261127T191400Z');
    expect(fetched).toEqual([false, false]);
  });

  it('after a refusal signs with freshly fetched credentials', async () => {
    const { fetched, tokens } = source();
    await tokens.token();
    tokens.invalidate();
    await tokens.token();
    await tokens.token();
    expect(fetched).toEqual([false, true]);
  });
});
