import { describe, expect, it } from 'vitest';
import { Brain } from '../../shared/app/brain.ts';
import { ActuatorError, InProgressError } from '../../shared/domain/errors.ts';
import type { ActuatorRegistry } from '../../shared/ports/actuator.ts';
import type { StateStore } from '../../shared/ports/state.ts';
import { Repo } from '../../shared/state/repo.ts';
import { alertmanagerRoute } from '../../shared/triggers/alertmanager.ts';
import { handleEvent } from '../../shared/triggers/events.ts';
import { bodyOf, fixture, httpEvent, triggerWorld, WEBHOOK_TOKEN } from './helpers.ts';

const post = (body: string) =>
  httpEvent('POST', '/alertmanager', {
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
  });
const webhook = () => JSON.stringify(fixture('alertmanager-webhook-v4.json'));
const FUNCTION_TIMEOUT = 25;

/**
 * A trigger world whose cloud reads of `workers` can be made to hang (the invocation dies
 * there: a Lambda timeout) or to fail once (a throttled read).
 */
function world() {
  const w = triggerWorld();
  const fault = {
    mode: 'none' as 'none' | 'hang' | 'throttle-once' | 'store-fails-once',
    reached: () => {},
  };
  // The state store, failing one intent write on demand (a DynamoDB outage in the middle).
  const store: StateStore = new Proxy(w.store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'put') return typeof v === 'function' ? v.bind(target) : v;
      return (
        ns: string,
        ...rest: Parameters<StateStore['put']> extends [string, ...infer R] ? R : never
      ) => {
        if (ns === 'intent' && fault.mode === 'store-fails-once') {
          fault.mode = 'none';
          return Promise.reject(new Error('ProvisionedThroughputExceededException'));
        }
        return target.put(ns, ...rest);
      };
    },
  });
  const repo = new Repo(store);
  const actuators: ActuatorRegistry = (t) => {
    const a = w.sim.registry(t);
    return {
      read: async (x) => {
        if (x.id === 'workers' && fault.mode === 'hang') {
          fault.reached();
          return new Promise<never>(() => {});
        }
        if (x.id === 'workers' && fault.mode === 'throttle-once') {
          fault.mode = 'none';
          throw new ActuatorError('throttled', 'Rate exceeded');
        }
        return a.read(x);
      },
      apply: (x, to, ctx) => a.apply(x, to, ctx),
    };
  };
  w.deps.brain = new Brain({
    config: w.config,
    repo,
    actuators,
    clock: w.clock,
    notifier: w.notifier,
    owner: 'test',
    inProgressSeconds: FUNCTION_TIMEOUT,
  });
  /** Starts a delivery that dies at the read; resolves once it got there. */
  const dyingDelivery = (send: () => Promise<unknown>) =>
    new Promise<void>((resolve) => {
      fault.mode = 'hang';
      fault.reached = () => {
        fault.mode = 'none';
        resolve();
      };
      void send();
    });
  return { ...w, fault, dyingDelivery };
}

const intentsOf = async (w: ReturnType<typeof world>) => (await w.repo.intents(w.clock.now())).length;

describe('Idempotency: AlertManager deliveries', () => {
  it('asks AlertManager to come back (503, Retry-After) while the first delivery is still being handled', async () => {
    const w = world();
    await w.dyingDelivery(() => alertmanagerRoute(post(webhook()), w.deps));
    const res = await alertmanagerRoute(post(webhook()), w.deps);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe(String(FUNCTION_TIMEOUT));
    expect(bodyOf(res).error).toMatch(/being handled/);
    expect(await intentsOf(w)).toBe(0);
  });

  it('does the work on the redelivery after the invocation that claimed the alert died (timed out)', async () => {
    const w = world();
    await w.dyingDelivery(() => alertmanagerRoute(post(webhook()), w.deps));
    w.clock.advance((FUNCTION_TIMEOUT + 1) * 1000);
    const res = await alertmanagerRoute(post(webhook()), w.deps);
    expect(res.statusCode).toBe(200);
    expect(bodyOf(res)).toMatchObject({ intents: 1 });
    expect(await intentsOf(w)).toBe(1);
    expect(w.sim.value('workers')).toBeGreaterThan(2);
  });

  it('does the work on the redelivery after a delivery that failed (a state store error), and nothing on a third', async () => {
    const w = world();
    w.fault.mode = 'store-fails-once';
    await expect(alertmanagerRoute(post(webhook()), w.deps)).rejects.toThrow(/ProvisionedThroughput/);
    expect(await intentsOf(w)).toBe(0);
    const again = await alertmanagerRoute(post(webhook()), w.deps);
    expect(bodyOf(again)).toMatchObject({ intents: 1 });
    const third = await alertmanagerRoute(post(webhook()), w.deps);
    expect(bodyOf(third)).toMatchObject({ intents: 0, duplicates: 2 });
    expect((await w.brain.audit()).filter((a) => a.action === 'intent-created')).toHaveLength(1);
  });
});

describe('Idempotency: requests on the bus', () => {
  const floorRequest = () => {
    const e = fixture('headroom-floor-requested.json');
    delete e.detail.floor;
    e.detail.raise = '50%'; // needs a read of the current value
    return e;
  };

  it('keeps a floor request whose read was throttled: the redelivery stores the intent', async () => {
    const w = world();
    w.fault.mode = 'throttle-once';
    await expect(handleEvent(floorRequest(), w.deps)).rejects.toThrow(/Rate exceeded/);
    const r = await handleEvent(floorRequest(), w.deps);
    expect(r.detail).toMatchObject({ duplicate: false });
    expect(await intentsOf(w)).toBe(1);
    const repeat = await handleEvent(floorRequest(), w.deps);
    expect(repeat.detail).toMatchObject({ duplicate: true });
    expect(await intentsOf(w)).toBe(1);
  });

  it('tells the event source to retry a floor request that another invocation is handling', async () => {
    const w = world();
    await w.dyingDelivery(() => handleEvent(floorRequest(), w.deps));
    await expect(handleEvent(floorRequest(), w.deps)).rejects.toBeInstanceOf(InProgressError);
    w.clock.advance((FUNCTION_TIMEOUT + 1) * 1000);
    await handleEvent(floorRequest(), w.deps);
    expect(await intentsOf(w)).toBe(1);
  });

  it('takes a corrected resend of a refused campaign request with the same event id', async () => {
    const w = world();
    const bad = fixture('headroom-campaign-requested.json');
    bad.detail.duration = '2 hours please';
    await expect(handleEvent(bad, w.deps)).rejects.toThrow(/duration/);
    const fixed = fixture('headroom-campaign-requested.json');
    fixed.detail.start = new Date(w.clock.now().getTime() + 3 * 86400_000).toISOString();
    const r = await handleEvent(fixed, w.deps);
    expect(r.detail).toMatchObject({ campaign: 'cyber-monday-mail' });
    expect((await w.repo.storedCampaigns(w.clock.now())).map((c) => c.name)).toContain('cyber-monday-mail');
  });
});
