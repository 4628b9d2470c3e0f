import { describe, expect, it } from 'vitest';
import { slackCommandsRoute, slackInteractionsRoute } from '../../shared/triggers/slack.ts';
import { parseSlackCommand } from '../../shared/triggers/slack-grammar.ts';
import {
  APPROVER,
  bodyOf,
  CHANNEL,
  commandBody,
  fixture,
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
    expect(asked?.stepId).toBeDefined();
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
    ['campaign add tv 2026-02-31T10:00:00Z 2h x2', 'campaign.start: invalid time "2026-02-31T10:00:00Z"'],
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
