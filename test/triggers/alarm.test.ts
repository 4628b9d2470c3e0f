import { describe, expect, it } from 'vitest';
import { InProgressError } from '../../shared/domain/errors.ts';
import { alarmFromEventBridge, alarmsFromSns } from '../../shared/triggers/alarm.ts';
import { handleEvent } from '../../shared/triggers/events.ts';
import { HttpError } from '../../shared/triggers/http.ts';
import { alarmEvent, fixture, triggerWorld } from './helpers.ts';

describe('Function: alarmFromEventBridge', () => {
  it('turns the documented single-metric alarm event into an ALARM signal keyed by the event id', () => {
    const { signal, idempotencyKey } = alarmFromEventBridge(fixture('cloudwatch-alarm-state-change.json'));
    expect(signal).toMatchObject({ kind: 'alarm', name: 'ServerCpuTooHigh', state: 'ALARM' });
    expect(idempotencyKey).toBe('eventbridge:c4c1c1c9-6542-e61b-6ef0-8c4d36933a92');
  });

  it('accepts metric-math and composite alarms', () => {
    expect(alarmFromEventBridge(fixture('cloudwatch-alarm-metric-math.json')).signal).toMatchObject({
      name: 'TotalNetworkTrafficTooHigh',
      state: 'ALARM',
    });
    const composite = alarmFromEventBridge(fixture('cloudwatch-alarm-composite.json')).signal;
    expect(composite).toMatchObject({ name: 'ServiceAggregatedAlarm', state: 'ALARM' });
  });

  it('refuses an event without a state with a 400 that names the field', () => {
    const e = fixture('cloudwatch-alarm-state-change.json');
    delete e.detail.state;
    expect(() => alarmFromEventBridge(e)).toThrow(HttpError);
    expect(() => alarmFromEventBridge(e)).toThrow(/detail\.state/);
  });
});

describe('Function: alarmsFromSns', () => {
  it('reads the alarm JSON inside an SNS record, keyed by the SNS MessageId', () => {
    const [s] = alarmsFromSns(fixture('sns-alarm-notification.json'));
    expect(s!.signal).toMatchObject({ kind: 'alarm', name: 'kaireon-api-cpu-high', state: 'ALARM' });
    expect(s!.idempotencyKey).toBe('sns:95df01b4-ee98-5cb9-9903-4c221d41eb5e');
  });

  it('reads an HTTP-delivered SNS notification too', () => {
    const sns = fixture('sns-alarm-notification.json').Records[0].Sns;
    const [s] = alarmsFromSns(sns);
    expect(s!.signal).toMatchObject({ name: 'kaireon-api-cpu-high' });
  });

  it('refuses an SNS message that is not an alarm', () => {
    const e = fixture('sns-alarm-notification.json');
    e.Records[0].Sns.Message = 'hello';
    expect(() => alarmsFromSns(e)).toThrow(/not CloudWatch alarm JSON/);
  });
});

describe('Function: handleEvent (alarms)', () => {
  it('raises the api floor by 50% when kaireon-api-cpu-high goes into ALARM', async () => {
    const w = triggerWorld();
    const before = w.sim.value('api');
    const out = await handleEvent(alarmEvent(), w.deps);
    expect(out).toMatchObject({ accepted: 1, kind: 'alarm' });
    const state = await w.brain.snapshot();
    const intent = state.intents.find((i) => i.target === 'api' && i.rule === 'api-cpu-sustained');
    expect(intent?.floor).toBe(before + Math.ceil(before / 2));
    expect(w.sim.value('api')).toBeGreaterThan(before);
  });

  it('creates nothing for an alarm no rule names, or for an OK state', async () => {
    const w = triggerWorld();
    await handleEvent(alarmEvent('some-other-alarm'), w.deps);
    const ok = alarmEvent();
    ok.detail.state.value = 'OK';
    ok.id = 'another-id';
    await handleEvent(ok, w.deps);
    expect((await w.repo.intents(w.clock.now())).length).toBe(0);
  });

  it('handles the SNS-wrapped alarm the same way', async () => {
    const w = triggerWorld();
    await handleEvent(fixture('sns-alarm-notification.json'), w.deps);
    const intents = await w.repo.intents(w.clock.now());
    expect(intents.map((i) => i.target)).toEqual(['api']);
  });

  it('yields one intent and one executed step when the same alarm arrives 20 times at once', async () => {
    const w = triggerWorld();
    const event = alarmEvent();
    const first = await Promise.allSettled(
      Array.from({ length: 20 }, () => handleEvent(structuredClone(event), w.deps)),
    );
    // The copies that arrive while the first is being handled are told to come back later
    // (Lambda retries them); when they do, the work is done and they change nothing.
    const refused = first
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(refused.every((e) => e instanceof InProgressError)).toBe(true);
    await Promise.all(refused.map(() => handleEvent(structuredClone(event), w.deps)));
    const intents = await w.repo.intents(w.clock.now());
    expect(intents).toHaveLength(1);
    const executed = (await w.brain.audit()).filter(
      (a) => a.action === 'step-executed' && a.target === 'api',
    );
    expect(executed).toHaveLength(1);
  });
});
