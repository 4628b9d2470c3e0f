import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CompositeNotifier, EventBridgeNotifier } from '../../shared/adapters/events/notifier.ts';
import { EventBridgePhaseScheduler } from '../../shared/adapters/scheduler/eventbridge-scheduler.ts';
import { SlackNotifier, slackClient } from '../../shared/adapters/slack/notifier.ts';
import { Brain } from '../../shared/app/brain.ts';
import { MemoryNotifier, type Notifier } from '../../shared/ports/notifier.ts';
import { simBrain } from '../helpers/example.ts';
import { FakeScheduler, fakeSlackApi } from './fakes.ts';

const approval = {
  kind: 'approval-requested' as const,
  target: 'db',
  stepId: 'db-4f2a',
  text: 'db: db.r6g.large -> db.r6g.xlarge needs approval (floor requested)',
};

describe('Function: SlackNotifier', () => {
  let closeApi: (() => Promise<void>) | undefined;
  afterEach(async () => closeApi?.());

  it('posts an approval request with Approve and Reject buttons carrying the step id', async () => {
    const api = await fakeSlackApi();
    closeApi = api.close;
    const notifier = new SlackNotifier(slackClient('xoxb-test', { slackApiUrl: api.url }), {
      channel: 'C0CA5GQ3H',
    });
    await notifier.notify(approval);
    expect(api.posts).toHaveLength(1);
    const post = api.posts[0]!;
    expect(post).toMatchObject({ channel: 'C0CA5GQ3H', token: 'Bearer xoxb-test' });
    const actions = post.blocks.find((b) => b.type === 'actions');
    expect(actions.elements.map((e: any) => [e.text.text, e.value])).toEqual([
      ['Approve', 'db-4f2a'],
      ['Reject', 'db-4f2a'],
    ]);
  });

  it('escapes text a person or another system supplied, in the message and its fallback text', async () => {
    const api = await fakeSlackApi();
    closeApi = api.close;
    const notifier = new SlackNotifier(slackClient('xoxb-test', { slackApiUrl: api.url }), {
      channel: 'C0CA5GQ3H',
    });
    await notifier.notify({
      kind: 'step-executed',
      target: 'api',
      text: 'api: 3 -> 9 (requested by <!channel> & <https://evil.example|docs>)',
    });
    const post = api.posts[0]!;
    const escaped = 'requested by &lt;!channel&gt; &amp; &lt;https://evil.example|docs&gt;';
    expect(post.text).toContain(escaped);
    expect(post.blocks[0].text.text).toContain(escaped);
    expect(JSON.stringify(post)).not.toMatch(/<!channel>|<https:/);
  });

  it('does not throw when Slack refuses the message', async () => {
    const api = await fakeSlackApi();
    closeApi = api.close;
    api.failNext();
    const errors: string[] = [];
    const notifier = new SlackNotifier(slackClient('xoxb-test', { slackApiUrl: api.url }), {
      channel: 'C0CA5GQ3H',
      logger: { info: () => {}, warn: () => {}, error: (m) => errors.push(m) },
    });
    await expect(notifier.notify(approval)).resolves.toBeUndefined();
    expect(errors[0]).toMatch(/channel_not_found/);
    expect(errors[0]).not.toMatch(/xoxb-test/);
  });
});

describe('Function: EventBridgeNotifier', () => {
  it('publishes decisions as source headroom with their detail-type on the bus', async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const notifier = new EventBridgeNotifier(new EventBridgeClient({ region: 'eu-central-1' }), {
      busName: 'headroom-bus',
    });
    await notifier.notify(approval);
    await notifier.notify({
      kind: 'step-executed',
      target: 'api',
      stepId: 'api-1',
      text: 'api: minReplicas 3 -> 5',
    });
    const entries = eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries![0]!);
    expect(entries.map((e) => [e.Source, e.DetailType, e.EventBusName])).toEqual([
      ['headroom', 'Headroom Approval Requested', 'headroom-bus'],
      ['headroom', 'Headroom Step Executed', 'headroom-bus'],
    ]);
    expect(JSON.parse(entries[0]!.Detail!)).toMatchObject({ target: 'db', stepId: 'db-4f2a' });
    eb.restore();
  });

  it('keeps going when EventBridge fails, and the composite still reaches the other notifiers', async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).rejects(new Error('ThrottlingException'));
    const memory = new MemoryNotifier();
    const broken: Notifier = { notify: async () => Promise.reject(new Error('boom')) };
    const composite = new CompositeNotifier([
      new EventBridgeNotifier(new EventBridgeClient({ region: 'eu-central-1' }), { busName: 'b' }),
      broken,
      memory,
    ]);
    await expect(composite.notify(approval)).resolves.toBeUndefined();
    expect(memory.sent).toHaveLength(1);
    eb.restore();
  });
});

describe('Function: EventBridgePhaseScheduler', () => {
  it('registers one-time schedules for future campaign phases and deletes them on cancel', async () => {
    const fake = new FakeScheduler();
    const scheduler = new EventBridgePhaseScheduler(fake, {
      targetArn: 'arn:aws:lambda:eu-central-1:123456789012:function:headroom-schedule',
      roleArn: 'arn:aws:iam::123456789012:role/headroom-scheduler',
      groupName: 'headroom',
    });
    const w = simBrain();
    const brain = new Brain({
      config: w.config,
      repo: w.repo,
      actuators: w.sim.registry,
      clock: w.clock,
      notifier: w.notifier,
      scheduler,
      owner: 'test',
    });
    await brain.addCampaign(
      {
        name: 'newsletter',
        start: '2026-11-28T10:00:00Z',
        duration: 7200,
        multiplier: 3,
        targets: ['api', 'workers'],
      },
      'test',
    );
    const start = fake.schedules.get('headroom/headroom-newsletter-start');
    expect(start).toMatchObject({
      expression: 'at(2026-11-28T10:00:00)',
      afterCompletion: 'DELETE',
      input: { kind: 'campaign-phase', campaign: 'newsletter', phase: 'start' },
      role: 'arn:aws:iam::123456789012:role/headroom-scheduler',
    });
    // api and workers share a lead time: one wake-up raises both.
    const raise = [...fake.schedules.entries()].find(([k]) => k.includes('-raise-'));
    const api = w.config.targets.find((t) => t.id === 'api')!;
    const raiseAt = Date.parse('2026-11-28T10:00:00Z') - (api.leadTimeSeconds + api.marginSeconds) * 1000;
    expect(raise?.[1].expression).toBe(`at(${new Date(raiseAt).toISOString().slice(0, 19)})`);
    // One phase already ran and deleted itself: cancelling must still succeed.
    fake.schedules.delete('headroom/headroom-newsletter-start');
    await brain.cancelCampaign('newsletter', 'test');
    expect(fake.schedules.size).toBe(0);
  });

  it('moves an existing schedule instead of failing on a conflict', async () => {
    const fake = new FakeScheduler();
    const scheduler = new EventBridgePhaseScheduler(fake, {
      targetArn: 'arn:t',
      roleArn: 'arn:r',
      groupName: 'g',
    });
    const payload = { kind: 'campaign-phase' as const, campaign: 'c', phase: 'start' };
    await scheduler.schedule('headroom-c-start', new Date('2026-11-28T10:00:00Z'), payload);
    await scheduler.schedule('headroom-c-start', new Date('2026-11-28T11:30:00Z'), payload);
    expect(fake.schedules.get('g/headroom-c-start')?.expression).toBe('at(2026-11-28T11:30:00)');
  });
});
