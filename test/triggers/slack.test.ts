import { afterEach, describe, expect, it, vi } from 'vitest';
import { slackCommandsRoute, slackInteractionsRoute } from '../../shared/triggers/slack.ts';
import { parseSlackCommand, SLACK_HELP } from '../../shared/triggers/slack-grammar.ts';
import { recordingLogger } from '../helpers/logger.ts';
import {
  APPROVER,
  bodyOf,
  CHANNEL,
  commandBody,
  fixture,
  nextTriggerId,
  SIGNING_SECRET,
  slackEvent,
  triggerWorld,
  USER,
} from './helpers.ts';

/** Sends `/headroom <text>`; returns the direct answer and, for slow commands, the deferred one. */
async function command(w: ReturnType<typeof triggerWorld>, text: string, user = USER, channel = CHANNEL) {
  const res = await slackCommandsRoute(
    slackEvent('/slack/commands', commandBody(text, user, channel), { timestamp: w.nowSeconds() }),
    w.deps,
  );
  const seen = w.responses.length;
  await w.settle();
  return { res, direct: bodyOf(res), later: w.responses.slice(seen).map((r) => r.message) };
}

function clickBody(stepId: string, actionId = 'headroom_approve', user = APPROVER): string {
  const payload = fixture('slack-block-actions.json');
  payload.user.id = user;
  payload.actions[0].action_id = actionId;
  payload.actions[0].value = stepId;
  payload.trigger_id = nextTriggerId();
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

describe('Function: verifySlackRequest through slackCommandsRoute', () => {
  it('accepts a correctly signed command, base64-encoded or not', async () => {
    const w = triggerWorld();
    for (const base64 of [false, true]) {
      const res = await slackCommandsRoute(
        slackEvent('/slack/commands', commandBody('help'), { timestamp: w.nowSeconds(), base64 }),
        w.deps,
      );
      expect(res.statusCode).toBe(200);
      expect(bodyOf(res)).toMatchObject({ response_type: 'ephemeral' });
      expect(bodyOf(res).text).toMatch(/campaign add/);
    }
  });

  it.each([
    ['a tampered body', { tamper: (b: string) => b.replace('help', 'pause') }],
    ['a wrong secret', { secret: 'not-the-secret' }],
    ['a timestamp 6 minutes old', { age: 360 }],
    ['a timestamp 6 minutes ahead', { age: -360 }],
  ])('answers 401 to %s and changes nothing', async (_why, o: Record<string, any>) => {
    const w = triggerWorld();
    const res = await slackCommandsRoute(
      slackEvent('/slack/commands', commandBody('help'), {
        timestamp: w.nowSeconds() - (o.age ?? 0),
        secret: o.secret,
        tamper: o.tamper,
      }),
      w.deps,
    );
    expect(res.statusCode).toBe(401);
    expect(JSON.stringify(bodyOf(res))).not.toContain(SIGNING_SECRET);
    expect(await w.brain.audit()).toHaveLength(0);
  });

  it('accepts a request 4 minutes old', async () => {
    const w = triggerWorld();
    const res = await slackCommandsRoute(
      slackEvent('/slack/commands', commandBody('help'), { timestamp: w.nowSeconds() - 240 }),
      w.deps,
    );
    expect(res.statusCode).toBe(200);
  });
});

describe('Function: slackCommandsRoute', () => {
  it('answers status later through response_url with each target', async () => {
    const w = triggerWorld();
    const { direct, later } = await command(w, 'status');
    expect(direct.text).toMatch(/working on/);
    expect(later).toHaveLength(1);
    expect(later[0]!.text).toMatch(/\*api\* \(k8s-hpa\): actual 3/);
    expect(w.responses[0]!.url).toBe('https://hooks.slack.com/commands/1234/5678');
  });

  it('shows one target with status <target>', async () => {
    const w = triggerWorld();
    const { later } = await command(w, 'status workers');
    expect(later[0]!.text).toMatch(/\*workers\*/);
    expect(later[0]!.text).not.toMatch(/\*api\*/);
  });

  it('answers plan [at ISO] with the plan table', async () => {
    const w = triggerWorld();
    const { later } = await command(w, 'plan at 2026-11-27T19:30:00Z');
    expect(later[0]!.text).toMatch(/plan at 2026-11-27T19:30:00/);
    expect(later[0]!.text).toMatch(/TARGET\s+KIND/);
  });

  it('holds a floor with scale <target> floor <n> for <duration> and applies it', async () => {
    const w = triggerWorld();
    const { later } = await command(w, 'scale workers floor 12 for 2h');
    expect(later[0]!.text).toMatch(/floor 12 for 2h/);
    const intents = await w.repo.intents(w.clock.now());
    expect(intents).toMatchObject([{ target: 'workers', floor: 12, source: { kind: 'slack', ref: USER } }]);
    // maxStepPercent 200: the first step triples 2 to 6 on the way to 12.
    expect(w.sim.value('workers')).toBe(6);
  });

  it('caps a target with ceiling <target> <n> for <duration>, and refuses a ceiling its kind cannot take', async () => {
    const w = triggerWorld();
    const { later } = await command(w, 'ceiling workers 1 for 2h');
    expect(later[0]!.text).toMatch(/ceiling 1 for 2h/);
    const intents = await w.repo.intents(w.clock.now());
    expect(intents).toMatchObject([{ target: 'workers', ceiling: 1, source: { kind: 'slack', ref: USER } }]);
    expect(w.sim.value('workers')).toBe(1);
    expect((await w.sim.actuator.read(w.brain.config.targets.find((t) => t.id === 'workers')!)).ceiling).toBe(
      1,
    );
    const refused = await command(w, 'ceiling db 1 for 2h');
    expect(refused.later[0]!.text).toMatch(/db \(rds-instance\) takes no ceiling/);
    expect(parseSlackCommand('ceiling api 0 for 12h')).toEqual({
      verb: 'ceiling',
      target: 'api',
      ceiling: 0,
      forSeconds: 12 * 3600,
    });
    expect(() => parseSlackCommand('ceiling api zero for 12h')).toThrow(/ceiling: expected a whole number/);
  });

  it('adds, lists and cancels a campaign', async () => {
    const w = triggerWorld();
    const add = await command(w, 'campaign add newsletter 2026-11-28T10:00:00Z 2h x3 targets api,workers');
    expect(add.later[0]!.text).toMatch(/campaign \*newsletter\* added: x3/);
    const list = await command(w, 'campaign list');
    expect(list.direct.text).toMatch(/newsletter\* x3 from 2026-11-28T10:00:00/);
    expect(list.later).toHaveLength(0);
    const cancel = await command(w, 'campaign cancel newsletter');
    expect(cancel.later[0]!.text).toMatch(/cancelled/);
    const campaigns = await w.brain.campaigns();
    expect(campaigns.find((c) => c.name === 'newsletter')?.cancelled).toBe(true);
  });

  it.each([
    ['in 30m', 30 * 60_000],
    ['+2h', 2 * 3_600_000],
    ['now', 0],
  ])('takes a campaign start of `%s`, counted from when the command arrives', async (start, offsetMs) => {
    const w = triggerWorld();
    const add = await command(w, `campaign add soon ${start} 2h x3 targets api`);
    const at = new Date(w.clock.now().getTime() + offsetMs).toISOString();
    expect(add.later[0]!.text).toContain(`campaign *soon* added: x3 from ${at} for 2h on api`);
    expect((await w.brain.campaigns()).find((c) => c.name === 'soon')?.start).toBe(at);
  });

  it('answers a start it cannot read at once, naming the field, and stores nothing', async () => {
    const w = triggerWorld();
    const before = (await w.brain.campaigns()).length;
    const res = await command(w, 'campaign add soon +soon 2h x3');
    expect(res.direct.text).toMatch(/start: invalid time "\+soon"/);
    expect(res.later).toHaveLength(0);
    expect(await w.brain.campaigns()).toHaveLength(before);
  });

  it('pauses and resumes a target', async () => {
    const w = triggerWorld();
    await command(w, 'pause api');
    expect((await w.repo.plannerState(w.clock.now())).targets.api?.paused?.by).toBe(`slack:${USER}`);
    await command(w, 'resume api');
    expect((await w.repo.plannerState(w.clock.now())).targets.api?.paused).toBeUndefined();
  });

  it('pauses everything with pause alone', async () => {
    const w = triggerWorld();
    await command(w, 'pause');
    expect((await w.repo.plannerState(w.clock.now())).paused?.by).toBe(`slack:${USER}`);
  });

  it('answers a typo at once with the usage, and an unknown target with the known ones', async () => {
    const w = triggerWorld();
    const typo = await command(w, 'scale api floor lots');
    // Slack reads `<...>` as a link or a mention: the usage arrives escaped and shows as typed.
    expect(typo.direct.text).toContain(
      'usage: `/headroom scale &lt;target&gt; floor &lt;n&gt; for &lt;duration&gt;`',
    );
    const unknown = await command(w, 'status nope');
    expect(unknown.direct.text).toMatch(/unknown target "nope"/);
    expect(typo.later).toHaveLength(0);
    expect(unknown.later).toHaveLength(0);
  });

  it('refuses users and channels outside access.slack, and approvals from non-approvers', async () => {
    const w = triggerWorld();
    expect((await command(w, 'pause', 'U99999999')).direct.text).toMatch(/not allowed/);
    expect((await command(w, 'pause', USER, 'C00000000')).direct.text).toMatch(/this channel/);
    expect((await command(w, 'approve db-1234', USER)).direct.text).toMatch(/not an approver/);
    expect((await w.repo.plannerState(w.clock.now())).paused).toBeUndefined();
  });

  it('approves and rejects pending steps by id, and says when none is pending', async () => {
    const w = triggerWorld();
    const missing = await command(w, 'approve db-0000', APPROVER);
    expect(missing.later[0]!.text).toMatch(/no step db-0000 is waiting for approval/);
    await command(w, 'scale db floor db.r6g.xlarge for 2h', USER);
    const asked = w.notifier.sent.find((n) => n.kind === 'approval-requested' && n.target === 'db');
    expect(asked?.stepId).toMatch(/^db-[0-9a-f]{6}$/);
    const rejected = await command(w, `reject ${asked!.stepId}`, APPROVER);
    expect(rejected.later[0]!.text).toMatch(/rejected by/);
    expect(w.sim.value('db')).toBe(0);
  });
});

describe('Function: slackCommandsRoute (strict input)', () => {
  /** Everything a person sees: the direct answer and every deferred one (errors can arrive before it). */
  const answer = (w: ReturnType<typeof triggerWorld>, r: Awaited<ReturnType<typeof command>>) =>
    [r.direct.text, ...w.responses.map((x) => x.message.text)].join('\n');

  async function nothingStored(w: ReturnType<typeof triggerWorld>) {
    expect(await w.repo.intents(w.clock.now())).toEqual([]);
    expect((await w.brain.campaigns()).map((c) => c.name)).toEqual(['black-friday-tv']);
    expect(await w.brain.audit()).toEqual([]);
  }

  it.each([
    [
      'scale workers floor 0x10 for 2h',
      'floor: expected a whole number in decimal digits or a tier name, got "0x10"',
    ],
    [
      'scale workers floor 1e1 for 2h',
      'floor: expected a whole number in decimal digits or a tier name, got "1e1"',
    ],
    [
      'scale workers floor 2.5 for 2h',
      'floor: expected a whole number in decimal digits or a tier name, got "2.5"',
    ],
    [
      'scale workers floor lots for 2h',
      'floor: expected a whole number from 0 to 1000000000, written in decimal digits, got "lots"',
    ],
    ['scale workers floor 12 for 0.0001ms', 'for: invalid duration "0.0001ms"'],
    ['scale workers floor 12 for 99999d', 'for: invalid duration "99999d"'],
    ['scale workers floor 12 for 30s', 'for: must be at least 1m'],
    ['scale workers floor 12 for 45d', 'for: at most 30d, got 45d (limits.maxIntentDuration)'],
    [
      'campaign add tv 2026-11-28T10:00:00Z 2h xInfinity',
      'multiplier: "xInfinity" is not x followed by a number greater than 0 and at most 1000',
    ],
    ['campaign add tv 2026-11-28T10:00:00Z 2h x1e308', 'multiplier: "x1e308" is not x'],
    [`campaign add tv 2026-11-28T10:00:00Z 2h x${'9'.repeat(400)}`, 'multiplier: '],
    ['campaign add tv 2026-11-28T10:00:00Z 2h x1001', 'multiplier: "x1001" is not x'],
    ['campaign add tv 2026-11-28T10:00:00Z 32d x2', 'duration: at most 31d, got 32d'],
    ['campaign add tv 2026-11-28T10:00:00Z 0.5h x2', 'duration: invalid duration "0.5h"'],
    ['campaign add black/friday 2026-11-28T10:00:00Z 2h x2', 'name: invalid campaign name "black/friday"'],
    ['campaign add $(reboot) 2026-11-28T10:00:00Z 2h x2', 'name: invalid campaign name "$(reboot)"'],
    ['campaign add <!channel> 2026-11-28T10:00:00Z 2h x2', 'name: invalid campaign name "&lt;!channel&gt;"'],
    ['campaign cancel <!channel>', 'name: invalid campaign name "&lt;!channel&gt;"'],
    ['campaign add tv 2026-02-31T10:00:00Z 2h x2', 'start: invalid time "2026-02-31T10:00:00Z"'],
  ])('refuses `%s`, naming the field, and stores nothing', async (text, expected) => {
    const w = triggerWorld();
    const r = await command(w, text);
    expect(r.res.statusCode).toBe(200);
    expect(answer(w, r)).toContain(`:warning: ${expected}`);
    await nothingStored(w);
  });

  it('echoes nothing Slack would read as a mention or a link: user text comes back escaped', async () => {
    const w = triggerWorld();
    const r = await command(w, 'status <!channel>&<https://evil.example|x>');
    expect(answer(w, r)).toContain('unknown target "&lt;!channel&gt;&amp;&lt;https://evil.example|x&gt;"');
    expect(answer(w, r)).not.toMatch(/<!channel>|<https:/);
    const dance = await command(w, 'dance <!here>');
    expect(answer(w, dance)).not.toContain('<!here>');
  });
});

describe('Function: parseSlackCommand', () => {
  it('reads every subcommand of the grammar', () => {
    expect(parseSlackCommand('')).toEqual({ verb: 'help' });
    expect(parseSlackCommand('plan 2026-11-27T19:30:00Z')).toEqual({
      verb: 'plan',
      at: '2026-11-27T19:30:00Z',
    });
    expect(parseSlackCommand('campaign add tv 2026-11-27T20:55:00+01:00 3h x15')).toEqual({
      verb: 'campaign-add',
      name: 'tv',
      start: '2026-11-27T20:55:00+01:00',
      durationSeconds: 10800,
      multiplier: 15,
      targets: undefined,
    });
    expect(parseSlackCommand('reject api-1a2b')).toEqual({ verb: 'reject', stepId: 'api-1a2b' });
    expect(() => parseSlackCommand('campaign add tv soon 3h 15')).toThrow(/usage/);
    expect(() => parseSlackCommand('dance')).toThrow(/unknown command "dance"/);
  });
});

describe('Function: slackInteractionsRoute', () => {
  it('executes the pending db step when an approver clicks Approve', async () => {
    const w = triggerWorld();
    await command(w, 'scale db floor db.r6g.xlarge for 2h', USER);
    const asked = w.notifier.sent.find((n) => n.kind === 'approval-requested' && n.target === 'db');
    expect(w.sim.value('db')).toBe(0);
    const res = await slackInteractionsRoute(
      slackEvent('/slack/interactions', clickBody(asked!.stepId!), { timestamp: w.nowSeconds() }),
      w.deps,
    );
    expect(res.statusCode).toBe(200);
    await w.settle();
    expect(w.sim.value('db')).toBe(1);
    const answer = w.responses.at(-1)!;
    expect(answer.url).toBe('https://hooks.slack.com/actions/T0CAG/123456789/AbCdEfGh1234');
    expect(answer.message).toMatchObject({ replace_original: true });
    expect(answer.message.text).toMatch(/approved by <@U024BE7LH>/);
  });

  it('ignores a click from someone who is not an approver', async () => {
    const w = triggerWorld();
    await command(w, 'scale db floor db.r6g.xlarge for 2h', USER);
    const asked = w.notifier.sent.find((n) => n.kind === 'approval-requested' && n.target === 'db');
    const res = await slackInteractionsRoute(
      slackEvent('/slack/interactions', clickBody(asked!.stepId!, 'headroom_approve', USER), {
        timestamp: w.nowSeconds(),
      }),
      w.deps,
    );
    expect(bodyOf(res).text).toMatch(/not an approver/);
    await w.settle();
    expect(w.sim.value('db')).toBe(0);
  });

  it('answers 401 to an unsigned click', async () => {
    const w = triggerWorld();
    const res = await slackInteractionsRoute(
      slackEvent('/slack/interactions', clickBody('db-1'), { timestamp: w.nowSeconds(), secret: 'x' }),
      w.deps,
    );
    expect(res.statusCode).toBe(401);
  });
});

async function send(
  w: ReturnType<typeof triggerWorld>,
  body: string,
  opts: Parameters<typeof slackEvent>[2],
) {
  const res = await slackCommandsRoute(slackEvent('/slack/commands', body, opts), w.deps);
  return { res, text: bodyOf(res).text as string };
}

const createdIntents = async (w: ReturnType<typeof triggerWorld>) =>
  (await w.brain.audit()).filter((e) => e.action === 'intent-created');

describe('Slack retries and replays', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers a replay of the same signed request "already received" and holds the floor once', async () => {
    const w = triggerWorld();
    const body = commandBody('scale workers floor 12 for 2h');
    const ts = w.nowSeconds();
    const first = await send(w, body, { timestamp: ts });
    expect(first.text).toMatch(/working on/);
    await w.settle();
    w.clock.advance(60_000);
    const replay = await send(w, body, { timestamp: ts });
    expect(replay.res.statusCode).toBe(200);
    expect(replay.text).toMatch(/already received/);
    await w.settle();
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
    expect(await createdIntents(w)).toHaveLength(1);
    expect(w.responses).toHaveLength(1);
  });

  it('answers a resend with X-Slack-Retry-Num "already received" while the first is still running', async () => {
    const w = triggerWorld();
    const body = commandBody('scale workers floor 12 for 2h');
    await send(w, body, { timestamp: w.nowSeconds() });
    // Slack resends after 3 s without an answer: same payload, new timestamp and signature.
    w.clock.advance(3_000);
    const retry = await send(w, body, { timestamp: w.nowSeconds(), retryNum: 1 });
    expect(retry.text).toMatch(/already received/);
    await w.settle();
    expect(await createdIntents(w)).toHaveLength(1);
    expect(w.responses).toHaveLength(1);
  });

  it('keeps answering 401 to a replay with a bad signature or outside the 5-minute window', async () => {
    const w = triggerWorld();
    const body = commandBody('pause');
    const ts = w.nowSeconds();
    await send(w, body, { timestamp: ts });
    await w.settle();
    const forged = await send(w, body, { timestamp: ts, secret: 'not-the-secret', retryNum: 1 });
    expect(forged.res.statusCode).toBe(401);
    w.clock.advance(6 * 60_000);
    const stale = await send(w, body, { timestamp: ts });
    expect(stale.res.statusCode).toBe(401);
    expect((await w.brain.audit()).filter((e) => e.action === 'paused')).toHaveLength(1);
  });

  it("releases the request when the deferred job fails before its work, so Slack's retry does it", async () => {
    const w = triggerWorld();
    const put = w.store.put.bind(w.store);
    let outage = true;
    vi.spyOn(w.store, 'put').mockImplementation(async (ns, key, value, now, o) => {
      if (ns === 'intent' && outage) throw new Error('ProvisionedThroughputExceededException');
      return put(ns, key, value, now, o);
    });
    const body = commandBody('scale workers floor 12 for 2h');
    await send(w, body, { timestamp: w.nowSeconds() });
    await w.settle();
    expect(w.responses[0]!.message.text).toMatch(/failed: ProvisionedThroughputExceededException/);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(0);
    outage = false;
    w.clock.advance(5_000);
    const retry = await send(w, body, { timestamp: w.nowSeconds(), retryNum: 1 });
    expect(retry.text).toMatch(/working on/);
    await w.settle();
    expect(await w.repo.intents(w.clock.now())).toMatchObject([{ target: 'workers', floor: 12 }]);
    expect(await createdIntents(w)).toHaveLength(1);
  });

  it('releases the request when the deferral cannot start, so a retry does it', async () => {
    const w = triggerWorld();
    const defer = w.deps.defer!;
    w.deps.defer = async () => {
      throw new Error('Rate exceeded');
    };
    const body = commandBody('pause api');
    const first = await send(w, body, { timestamp: w.nowSeconds() });
    expect(first.text).toMatch(/could not start/);
    w.deps.defer = defer;
    const retry = await send(w, body, { timestamp: w.nowSeconds(), retryNum: 1 });
    expect(retry.text).toMatch(/working on/);
    await w.settle();
    expect((await w.repo.plannerState(w.clock.now())).targets.api?.paused?.by).toBe(`slack:${USER}`);
  });

  it('keeps the request when only the reconcile after the change fails, so a retry never holds the floor twice', async () => {
    const w = triggerWorld();
    vi.spyOn(w.brain, 'reconcile').mockRejectedValueOnce(new Error('lease table unreachable'));
    const body = commandBody('scale workers floor 12 for 2h');
    await send(w, body, { timestamp: w.nowSeconds() });
    await w.settle();
    expect(w.responses[0]!.message.text).toMatch(/recorded, but applying it failed: lease table unreachable/);
    const retry = await send(w, body, { timestamp: w.nowSeconds(), retryNum: 1 });
    expect(retry.text).toMatch(/already received/);
    await w.settle();
    expect(await createdIntents(w)).toHaveLength(1);
  });

  it('takes a replayed Approve click once', async () => {
    const w = triggerWorld();
    await command(w, 'scale db floor db.r6g.xlarge for 2h', USER);
    const asked = w.notifier.sent.find((n) => n.kind === 'approval-requested' && n.target === 'db');
    const click = clickBody(asked!.stepId!);
    const ts = w.nowSeconds();
    const seen = w.responses.length;
    for (let i = 0; i < 2; i++) {
      const res = await slackInteractionsRoute(
        slackEvent('/slack/interactions', click, { timestamp: ts }),
        w.deps,
      );
      expect(res.statusCode).toBe(200);
      await w.settle();
    }
    expect(w.sim.value('db')).toBe(1);
    expect(w.responses.slice(seen)).toHaveLength(1);
    expect((await w.brain.audit()).filter((e) => e.action === 'approval')).toHaveLength(1);
  });
});

describe('Slack response_url failures', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it.each([
    ['a network error', () => Promise.reject(new TypeError('fetch failed'))],
    ['a 500 answer', () => Promise.resolve(new Response('oops', { status: 500 }))],
    ['a 404 answer (expired response_url)', () => Promise.resolve(new Response('', { status: 404 }))],
  ])(
    'logs %s without the secret path and does not rethrow, so the command runs once',
    async (_why, answer) => {
      const w = triggerWorld();
      const { logger, lines } = recordingLogger();
      w.deps.logger = logger;
      w.deps.respond = undefined;
      const fetch = vi.fn((_url: string, _init?: RequestInit) => answer());
      vi.stubGlobal('fetch', fetch);
      await send(w, commandBody('scale workers floor 12 for 2h'), { timestamp: w.nowSeconds() });
      await expect(w.settle()).resolves.toBeUndefined();
      expect(fetch).toHaveBeenCalledTimes(1);
      expect(fetch.mock.calls[0]![0]).toBe('https://hooks.slack.com/commands/1234/5678');
      const warned = lines.filter((l) => l.level === 'warn');
      expect(warned).toHaveLength(1);
      expect(warned[0]!.message).toMatch(/could not post the answer to Slack/);
      expect(lines.map((l) => l.message).join('\n')).not.toContain('1234/5678');
      expect(await createdIntents(w)).toHaveLength(1);
    },
  );
});

describe('/headroom release', () => {
  const apiAlarm = {
    kind: 'alarm' as const,
    name: 'kaireon-api-cpu-high',
    state: 'ALARM' as const,
    id: 'arn:aws:cloudwatch:eu-central-1:123456789012:alarm:kaireon-api-cpu-high@1',
  };
  const released = async (w: ReturnType<typeof triggerWorld>) =>
    (await w.brain.audit()).filter((e) => e.action === 'intent-released');

  it('ends your own floor early by intent id, audited, and the next reconciles revert it', async () => {
    const w = triggerWorld();
    await command(w, 'scale workers floor 12 for 2h');
    expect(w.sim.value('workers')).toBe(6);
    const [intent] = await w.repo.intents(w.clock.now());
    const status = await command(w, 'status workers');
    expect(status.later[0]!.text).toContain(`\`${intent!.id}\``);
    const { later } = await command(w, `release ${intent!.id}`);
    expect(later[0]!.text).toContain(`released \`${intent!.id}\` on *workers*`);
    expect(await w.repo.intents(w.clock.now())).toEqual([]);
    expect(await released(w)).toMatchObject([
      {
        target: 'workers',
        actor: `slack:${USER}`,
        reason: `released by slack:${USER}`,
        before: { id: intent!.id, floor: 12 },
      },
    ]);
    // As for an intent that ended on time: down after scaleDownDelay (15m), never below what it was.
    for (let i = 0; i < 40; i++) {
      w.clock.advance(60_000);
      await w.brain.reconcile();
    }
    expect(w.sim.value('workers')).toBe(2);
  });

  it("refuses to release someone else's floor unless you are an approver", async () => {
    const w = triggerWorld();
    await command(w, 'scale workers floor 12 for 2h', APPROVER);
    const [intent] = await w.repo.intents(w.clock.now());
    const refused = await command(w, `release ${intent!.id}`, USER);
    expect(refused.later[0]!.text).toMatch(
      new RegExp(`only approvers may release intents created by someone else: ${intent!.id}`),
    );
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
    expect(await released(w)).toHaveLength(0);
    w.clock.advance(60_000);
    await command(w, 'scale workers floor 10 for 1h', USER);
    const mine = (await w.repo.intents(w.clock.now())).find((i) => i.source.ref === USER)!;
    await command(w, `release ${mine.id}`, APPROVER);
    await command(w, `release ${intent!.id}`, APPROVER);
    expect(await w.repo.intents(w.clock.now())).toEqual([]);
    expect((await released(w)).map((e) => e.actor)).toEqual([`slack:${APPROVER}`, `slack:${APPROVER}`]);
  });

  it('releases every live intent of a target, and nothing when one of them is not yours', async () => {
    const w = triggerWorld();
    await w.brain.handleSignal(apiAlarm, 'alarm-1');
    await command(w, 'scale api floor 6 for 1h', USER);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(2);
    const refused = await command(w, 'release api', USER);
    expect(refused.later[0]!.text).toMatch(
      /only approvers may release intents created by someone else: rule:api-cpu-sustained:\S+ \(by alarm kaireon-api-cpu-high@/,
    );
    expect(refused.later[0]!.text).toMatch(/nothing was released/);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(2);
    const ok = await command(w, 'release api', APPROVER);
    expect(ok.later[0]!.text.match(/released `/g)).toHaveLength(2);
    expect(await w.repo.intents(w.clock.now())).toEqual([]);
    expect(await released(w)).toHaveLength(2);
  });

  it('answers an unknown intent or target, or a target without one, with a clear error and changes nothing', async () => {
    const w = triggerWorld();
    await command(w, 'scale workers floor 12 for 2h');
    const before = (await w.brain.audit()).length;
    const unknown = await command(w, 'release slack:workers:nope');
    expect(unknown.later[0]!.text).toMatch(
      /:warning: no live intent or target "slack:workers:nope" \(live intents: slack:workers:/,
    );
    const idle = await command(w, 'release api');
    expect(idle.later[0]!.text).toMatch(/no live intent holds a floor on target api/);
    const usage = await command(w, 'release <!channel>');
    expect(usage.direct.text).toMatch(/usage: `\/headroom release &lt;intent-id\|target&gt;`/);
    expect(await w.repo.intents(w.clock.now())).toHaveLength(1);
    expect(await w.brain.audit()).toHaveLength(before);
  });

  it('lists release in help', () => {
    expect(parseSlackCommand('release api')).toEqual({ verb: 'release', ref: 'api' });
    expect(() => parseSlackCommand('release')).toThrow(/usage/);
    expect(SLACK_HELP).toContain('`release <intent-id|target>`');
  });
});

describe('Slack: /headroom rehearse', () => {
  it('answers the per-layer verdicts, starting from the actual state, and changes nothing', async () => {
    // 19:20Z: 35 minutes before black-friday-tv, shorter than the readers' 40m lead time.
    const w = triggerWorld({ at: '2026-11-27T19:20:00Z' });
    w.sim.setValue('cache', 5, 'ops');
    const r = await command(w, 'rehearse black-friday-tv');
    expect(r.res.statusCode).toBe(200);
    const text: string = r.later.at(-1)!.text;
    const line = (id: string) => text.split('\n').find((l) => l.includes(`*${id}*`));
    // The API depends on the readers: it is raised only once they are ready, so it is late too.
    expect(text.split('\n')[0]).toMatch(
      /^\*Rehearsal of black-friday-tv\* · black-friday-tv: 2 of 6 layers not ready at the start 2026-11-27T19:55:00Z \(api, db-readers\)$/,
    );
    expect(line('db-readers')).toMatch(
      /^• :x: \*db-readers\* late by 5m \(1 -&gt; \d\): lead time 40m \+ margin 4m = 44m is longer than the 35m left before the start$/,
    );
    // The cache is already where the campaign needs it: read from the cloud, not the baseline.
    expect(line('cache')).toBe('• :white_check_mark: *cache* ready 35m before the start (5 -&gt; 5)');
    expect(line('api')).toMatch(
      /^• :x: \*api\* late by \d+m \(3 -&gt; \d+\): raised only once db-readers is ready \(dependsOn\)$/,
    );
    expect(line('workers')).toMatch(/^• :white_check_mark: \*workers\* ready \d+m before the start/);
    expect(w.sim.calls).toEqual([]);
    expect(await w.brain.audit()).toEqual([]);
  });

  it('answers an unknown campaign with the known ones', async () => {
    const w = triggerWorld();
    const r = await command(w, 'rehearse cyber-monday');
    expect(r.later.at(-1)!.text).toBe(':warning: unknown campaign "cyber-monday" (known: black-friday-tv)');
    expect(parseSlackCommand('rehearse black-friday-tv')).toEqual({
      verb: 'rehearse',
      name: 'black-friday-tv',
    });
    expect(() => parseSlackCommand('rehearse')).toThrow(/usage: `\/headroom rehearse <campaign>`/);
    expect(SLACK_HELP).toContain('`rehearse <campaign>`');
  });
});
