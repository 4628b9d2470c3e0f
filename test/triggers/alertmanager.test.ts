import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { alertmanagerRoute } from '../../shared/triggers/alertmanager.ts';
import { MAX_BODY_BYTES } from '../../shared/triggers/http.ts';
import { EXAMPLE_CONFIG } from '../helpers/example.ts';
import { bodyOf, fixture, httpEvent, triggerWorld, WEBHOOK_TOKEN } from './helpers.ts';

const post = (body: string, headers: Record<string, string> = {}) =>
  httpEvent('POST', '/alertmanager', {
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}`, ...headers },
  });

const webhook = () => fixture('alertmanager-webhook-v4.json');

describe('Function: alertmanagerRoute', () => {
  it('accepts a grouped notification and sets the workers floor for the critical backlog alert only', async () => {
    const w = triggerWorld();
    const res = await alertmanagerRoute(post(JSON.stringify(webhook())), w.deps);
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toMatchObject({ accepted: 2, intents: 1, truncated: 3 });
    const intents = await w.repo.intents(w.clock.now());
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({ target: 'workers', floor: 20, rule: 'worker-backlog' });
    expect(w.sim.value('workers')).toBeGreaterThan(2);
  });

  it('creates no second intent when AlertManager repeats the same alert', async () => {
    const w = triggerWorld();
    await alertmanagerRoute(post(JSON.stringify(webhook())), w.deps);
    w.clock.advance(4 * 3600_000);
    const again = await alertmanagerRoute(post(JSON.stringify(webhook())), w.deps);
    expect(bodyOf(again)).toMatchObject({ accepted: 2, intents: 0, duplicates: 2 });
    const created = (await w.brain.audit()).filter((a) => a.action === 'intent-created');
    expect(created).toHaveLength(1);
  });

  it('releases the floor on resolve when the rule asks for it', async () => {
    const yaml = readFileSync(EXAMPLE_CONFIG, 'utf8').replace(
      'then: { target: workers, floor: 20, for: 1h }',
      'then: { target: workers, floor: 20, for: 1h }\n    releaseOnResolve: true',
    );
    const w = triggerWorld({ config: parseConfig(yaml) });
    await alertmanagerRoute(post(JSON.stringify(webhook())), w.deps);
    const resolved = webhook();
    resolved.status = 'resolved';
    for (const a of resolved.alerts) a.status = 'resolved';
    const res = await alertmanagerRoute(post(JSON.stringify(resolved)), w.deps);
    expect(bodyOf(res)).toMatchObject({ released: 1 });
    expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
  });

  it('keeps the floor on resolve when the rule does not ask to release it', async () => {
    const w = triggerWorld();
    await alertmanagerRoute(post(JSON.stringify(webhook())), w.deps);
    const resolved = webhook();
    for (const a of resolved.alerts) a.status = 'resolved';
    await alertmanagerRoute(post(JSON.stringify(resolved)), w.deps);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
  });

  it.each([
    ['no token', { authorization: '' }],
    ['a wrong token', { authorization: 'Bearer nope' }],
    ['another scheme', { authorization: `Basic ${WEBHOOK_TOKEN}` }],
  ])('answers 401 to %s and records nothing', async (_why, headers) => {
    const w = triggerWorld();
    const res = await alertmanagerRoute(post(JSON.stringify(webhook()), headers), w.deps);
    expect(res.statusCode).toBe(401);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
  });

  it.each([
    ['malformed JSON', '{"version": "4", ', {}, /malformed JSON/],
    ['a wrong content type', JSON.stringify(webhook()), { 'content-type': 'text/xml' }, /content-type/],
    ['missing alerts', JSON.stringify({ ...webhook(), alerts: undefined }), {}, /alerts/],
    ['another payload version', JSON.stringify({ ...webhook(), version: '3' }), {}, /version/],
  ])('answers 400 with a message to %s', async (_why, body, headers, message) => {
    const w = triggerWorld();
    const res = await alertmanagerRoute(post(body, headers), w.deps);
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).error).toMatch(message);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
  });

  it.each([
    [
      'startsAt "x"',
      (p: ReturnType<typeof webhook>) => (p.alerts[0].startsAt = 'x'),
      'alerts.0.startsAt: not an RFC 3339 time: "x"',
    ],
    [
      'startsAt without an offset',
      (p: ReturnType<typeof webhook>) => (p.alerts[0].startsAt = '2026-11-27T17:58:30'),
      'alerts.0.startsAt: not an RFC 3339 time',
    ],
    [
      'startsAt on the 31st of February',
      (p: ReturnType<typeof webhook>) => (p.alerts[0].startsAt = '2026-02-31T17:58:30Z'),
      'alerts.0.startsAt: not an RFC 3339 time',
    ],
    [
      'endsAt "soon"',
      (p: ReturnType<typeof webhook>) => (p.alerts[1].endsAt = 'soon'),
      'alerts.1.endsAt: not an RFC 3339 time: "soon"',
    ],
  ])(
    'answers 400 naming the field to %s, claims nothing and takes the corrected delivery',
    async (_why, spoil, message) => {
      const w = triggerWorld();
      const bad = webhook();
      spoil(bad);
      const res = await alertmanagerRoute(post(JSON.stringify(bad)), w.deps);
      expect(res.statusCode).toBe(400);
      expect(bodyOf(res).error).toContain(message);
      expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
      expect(await w.brain.audit()).toEqual([]);
      const fixed = await alertmanagerRoute(post(JSON.stringify(webhook())), w.deps);
      expect(bodyOf(fixed)).toMatchObject({ accepted: 2, intents: 1, duplicates: 0 });
    },
  );

  it('answers 413 to a body over 1 MiB', async () => {
    const w = triggerWorld();
    const big = JSON.stringify({ ...webhook(), padding: 'x'.repeat(MAX_BODY_BYTES) });
    const res = await alertmanagerRoute(post(big), w.deps);
    expect(res.statusCode).toBe(413);
  });
});
