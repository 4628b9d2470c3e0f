import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEV_ROUTES, dispatch } from '../../shared/triggers/routes.ts';
import { slackSignature } from '../../shared/triggers/slack-signature.ts';
import {
  alarmEvent,
  commandBody,
  fixture,
  httpEvent,
  SIGNING_SECRET,
  slackEvent,
  triggerWorld,
  USER,
  WEBHOOK_TOKEN,
} from './helpers.ts';

const RUNS = 150;

/** Values of the wrong type for any field the schemas expect (strings, enums, arrays, records). */
const wrongValue = fc.oneof(
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  fc.constant({ $where: { sleep: 1 } }),
);

const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    '{',
    '[]',
    'null',
    '"x"',
    '{"__proto__":{"polluted":1}}',
    '\u0000\uffff',
    '%00%ff=&&==',
  ),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);

function setPath(obj: any, path: (string | number)[], value: unknown): any {
  let o = obj;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path.at(-1)!] = value;
  return obj;
}

async function expectNothingChanged(w: ReturnType<typeof triggerWorld>) {
  await w.settle();
  expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
  expect(await w.brain.audit()).toHaveLength(0);
  expect(({} as any).polluted).toBeUndefined();
}

describe('Function: dispatch under hostile input', () => {
  it('never answers 5xx to any body on any POST route, signed or not, and changes nothing', async () => {
    const routes = ['/alertmanager', '/slack/commands', '/slack/interactions', '/events'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        hostileText,
        fc.constantFrom(
          'application/json',
          'application/x-www-form-urlencoded',
          'text/plain',
          '',
          'image/png',
        ),
        fc.boolean(),
        fc.boolean(),
        async (route, body, type, base64, sign) => {
          const w = triggerWorld();
          const ts = String(w.nowSeconds());
          const headers: Record<string, string> = {
            'content-type': type,
            authorization: `Bearer ${WEBHOOK_TOKEN}`,
          };
          if (sign) {
            headers['x-slack-request-timestamp'] = ts;
            headers['x-slack-signature'] = slackSignature(SIGNING_SECRET, ts, body);
          }
          const res = await dispatch(DEV_ROUTES, httpEvent('POST', route, { body, headers, base64 }), w.deps);
          expect(res.statusCode).toBeLessThan(500);
          await expectNothingChanged(w);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses documented payloads with a required field of the wrong type with a 4xx', async () => {
    const cases = [
      {
        route: '/events',
        base: () => alarmEvent(),
        paths: [
          ['id'],
          ['source'],
          ['detail-type'],
          ['detail', 'alarmName'],
          ['detail', 'state', 'value'],
          ['detail', 'state'],
          ['time'],
        ],
      },
      {
        route: '/events',
        base: () => fixture('sns-alarm-notification.json'),
        paths: [
          ['Records'],
          ['Records', 0, 'Sns', 'Message'],
          ['Records', 0, 'Sns', 'MessageId'],
          ['Records', 0, 'EventSource'],
        ],
      },
      {
        route: '/events',
        base: () => fixture('headroom-floor-requested.json'),
        paths: [['detail', 'target'], ['detail', 'for'], ['detail'], ['id']],
      },
      {
        route: '/events',
        base: () => fixture('headroom-campaign-requested.json'),
        paths: [
          ['detail', 'name'],
          ['detail', 'start'],
          ['detail', 'targets'],
          ['detail', 'duration'],
        ],
      },
      {
        route: '/alertmanager',
        base: () => fixture('alertmanager-webhook-v4.json'),
        paths: [
          ['version'],
          ['alerts'],
          ['status'],
          ['alerts', 0, 'labels'],
          ['alerts', 0, 'status'],
          ['alerts', 0, 'startsAt'],
        ],
      },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases).chain((c) => fc.tuple(fc.constant(c), fc.constantFrom(...c.paths))),
        wrongValue,
        async ([c, path], value) => {
          const w = triggerWorld();
          const body = JSON.stringify(setPath(c.base(), path as (string | number)[], value));
          const res = await dispatch(
            DEV_ROUTES,
            httpEvent('POST', c.route, {
              body,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
            }),
            w.deps,
          );
          expect(res.statusCode).toBeGreaterThanOrEqual(400);
          expect(res.statusCode).toBeLessThan(500);
          // Any refusal says something: a message, never an empty or missing error.
          expect(JSON.parse(res.body!).error).toMatch(/\S{2,}/);
          await expectNothingChanged(w);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers any signed slash command text from an allowed user without a 5xx or a change of capacity', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 600 }),
          fc
            .tuple(fc.constantFrom('scale', 'campaign add', 'plan at', 'approve', 'status'), fc.string())
            .map((p) => p.join(' ')),
        ),
        async (text) => {
          const w = triggerWorld();
          const res = await dispatch(
            DEV_ROUTES,
            slackEvent('/slack/commands', commandBody(text, USER), { timestamp: w.nowSeconds() }),
            w.deps,
          );
          expect(res.statusCode).toBe(200);
          await expectNothingChanged(w);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('ignores signed block_actions payloads with hostile actions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string(),
        fc.oneof(fc.string(), fc.constant(undefined)),
        async (actionId, value) => {
          const w = triggerWorld();
          const payload = fixture('slack-block-actions.json');
          payload.actions[0].action_id = actionId;
          payload.actions[0].value = value;
          const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
          const res = await dispatch(
            DEV_ROUTES,
            slackEvent('/slack/interactions', body, { timestamp: w.nowSeconds() }),
            w.deps,
          );
          expect(res.statusCode).toBe(200);
          await expectNothingChanged(w);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
