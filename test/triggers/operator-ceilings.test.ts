import { describe, expect, it } from 'vitest';
import { OPERATOR_ROUTES } from '../../shared/triggers/operator.ts';
import { bodyOf, httpEvent, triggerWorld } from './helpers.ts';

/** `POST /api/ceilings` as API Gateway passes it on after verifying the caller's SigV4 signature. */
function signed(body: unknown) {
  const e = httpEvent('POST', '/api/ceilings', {
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const arn = 'arn:aws:iam::123456789012:user/sre';
  return { ...e, requestContext: { ...e.requestContext, authorizer: { iam: { userArn: arn } } } };
}

describe('Operator route: POST /api/ceilings (headroom ceiling --api)', () => {
  const route = OPERATOR_ROUTES['POST /api/ceilings'];

  it('stores a ceiling for the caller, which the next reconcile applies', async () => {
    const w = triggerWorld({ at: '2026-12-07T19:00:00Z' });
    const res = await route(
      signed({ target: 'workers', ceiling: 1, for: '12h', reason: 'quiet night' }),
      w.deps,
    );
    expect(res.statusCode).toBe(201);
    expect(bodyOf(res).intent).toMatchObject({
      target: 'workers',
      ceiling: 1,
      from: '2026-12-07T19:00:00Z',
      until: '2026-12-08T07:00:00Z',
      reason: 'quiet night: ceiling 1 for 12h',
      source: { kind: 'cli', ref: 'iam:arn:aws:iam::123456789012:user/sre' },
    });
    await w.brain.reconcile();
    expect(w.sim.value('workers')).toBe(1);
  });

  it('refuses what the target cannot take with 400 naming the field, storing nothing', async () => {
    const w = triggerWorld({ at: '2026-12-07T19:00:00Z' });
    const low = await route(signed({ target: 'api', ceiling: 0, for: '12h' }), w.deps);
    expect(low.statusCode).toBe(400);
    expect(bodyOf(low).error).toBe(
      'ceiling: expected a whole number of at least 1 for api (maxReplicas), got 0',
    );
    const when = await route(signed({ target: 'api', ceiling: 2, for: 'tonight' }), w.deps);
    expect(when.statusCode).toBe(400);
    expect(bodyOf(when).error).toMatch(/^for: invalid duration "tonight"/);
    expect(await w.repo.intents(w.clock.now())).toEqual([]);
  });
});
