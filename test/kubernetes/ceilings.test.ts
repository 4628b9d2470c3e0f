import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HpaActuator } from '../../shared/adapters/kubernetes/hpa.ts';
import { KedaScaledObjectActuator } from '../../shared/adapters/kubernetes/keda-scaledobject.ts';
import { awsActuators } from '../../shared/app/actuators.ts';
import { Brain } from '../../shared/app/brain.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/types.ts';
import type { AuditEntry } from '../../shared/domain/types.ts';
import type { ActuatorRegistry } from '../../shared/ports/actuator.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import type { StateStore } from '../../shared/ports/state.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';
import { ctx, deployment, fakeCluster, hpa, scaledObject, target } from './helpers.ts';

/**
 * Staging at night: a cron schedule caps three staging workloads from 20:00 to 08:00 Berlin
 * time, through the planner and the executor, against the fake Kubernetes API server (which
 * enforces the shipped RBAC and the API's own validation). Monday 7 December 2026: Berlin is
 * UTC+1, so 20:00 is 19:00Z and 08:00 is 07:00Z.
 */
const NS = 'kaireon'; // a namespace the shipped RBAC binds

function stagingConfig(kubeconfig: string, extra = ''): Config {
  return parseConfig(`
version: 1
timezone: Europe/Berlin
clusters:
  staging: { kubeconfig: { context: fake, path: ${JSON.stringify(kubeconfig)} } }
targets:
  web:
    kind: k8s-deployment
    cluster: staging
    namespace: ${NS}
    name: web
    bounds: { min: 1, max: 10 }
  api:
    kind: k8s-hpa
    cluster: staging
    namespace: ${NS}
    name: api-hpa
    bounds: { min: 1, max: 30 }
  worker:
    kind: keda-scaledobject
    cluster: staging
    namespace: ${NS}
    name: worker-scaler
    bounds: { min: 0, max: 50 }
    ceiling: { method: paused-replicas }
schedules:
  - name: staging-night
    targets: [web, worker]
    ceiling: 0
    cron: "0 20 * * 1-5"
    duration: 12h
  - name: api-night
    targets: [api]
    ceiling: 1
    cron: "0 20 * * 1-5"
    duration: 12h
${extra}`);
}

let cluster: Awaited<ReturnType<typeof fakeCluster>>;
beforeEach(async () => {
  cluster = await fakeCluster();
  cluster.api.put(deployment(NS, 'web', 3));
  cluster.api.put(deployment(NS, 'api', 4));
  cluster.api.put(hpa(NS, 'api-hpa', 4, 12, 'api'));
  cluster.api.put(scaledObject(NS, 'worker-scaler', 2, 40));
});
afterEach(() => cluster.api.close());

const web = () => cluster.api.get('deployments', NS, 'web')!;
const apiHpa = () => cluster.api.get('horizontalpodautoscalers', NS, 'api-hpa')!;
const worker = () => cluster.api.get('scaledobjects', NS, 'worker-scaler')!;

function brainOn(config: Config, clock: ManualClock, store: StateStore, actuators?: ActuatorRegistry) {
  return new Brain({
    config,
    repo: new Repo(store),
    actuators: actuators ?? awsActuators(config, clock),
    clock,
    notifier: new MemoryNotifier(),
    owner: `test-${Math.random().toString(36).slice(2, 6)}`,
  });
}

/** Where a process dies during the step of `web` (as test/executor/crash.test.ts kills one). */
type Point = 'before the call' | 'after the call' | 'after the audit write' | 'after the state write';
const POINTS: Point[] = [
  'before the call',
  'after the call',
  'after the audit write',
  'after the state write',
];

/** A brain whose process dies at `point` of its first change of `web`: nothing after it runs. */
function dying(config: Config, clock: ManualClock, store: StateStore, point: Point) {
  let dead = false;
  let signal!: () => void;
  const death = new Promise<void>((r) => (signal = r));
  const die = () => {
    dead = true;
    signal();
    return new Promise<never>(() => {});
  };
  let armed = false;
  const real = awsActuators(config, clock);
  const actuators: ActuatorRegistry = (t) => {
    const a = real(t);
    return {
      read: (x) => a.read(x),
      apply: async (x, to, ctx) => {
        const mine = x.id === 'web' && !armed;
        if (mine) armed = true;
        if (mine && point === 'before the call') return die();
        const r = await a.apply(x, to, ctx);
        if (mine && point === 'after the call') return die();
        return r;
      },
    };
  };
  const crashing: StateStore = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'appendAudit') return typeof v === 'function' ? v.bind(target) : v;
      return async (e: AuditEntry) => {
        await target.appendAudit(e);
        if (point === 'after the audit write' && e.action === 'step-executed' && e.target === 'web')
          return die();
      };
    },
  });
  const brain = new Brain({
    config,
    repo: new Repo(crashing),
    actuators,
    clock,
    notifier: {
      notify: async (n) => {
        if (point === 'after the state write' && n.kind === 'step-executed' && n.target === 'web')
          return die();
      },
    },
    owner: 'dying',
  });
  return { brain, death, died: () => dead };
}

describe('Ceilings: staging at night', () => {
  it('scales staging to 0 at 20:00, caps the HPA, pauses KEDA, and restores every value by 08:00', async () => {
    const config = stagingConfig(cluster.kubeconfig);
    const clock = new ManualClock('2026-12-07T18:59:00Z');
    const store = new MemoryStateStore();
    const brain = brainOn(config, clock, store);

    await brain.reconcile();
    expect(web().spec.replicas).toBe(3);
    const before = (await brain.plan()).targets.find((t) => t.id === 'web')!;
    expect(before.reasons.join(' ')).toContain('next ceiling 0 from 2026-12-07T19:00:00Z');

    clock.set('2026-12-07T19:00:00Z');
    await brain.reconcile();
    expect(web().spec.replicas).toBe(0);
    expect(apiHpa().spec).toMatchObject({ minReplicas: 1, maxReplicas: 1 });
    expect(worker().metadata.annotations['autoscaling.keda.sh/paused-replicas']).toBe('0');
    expect(worker().spec.minReplicaCount).toBe(2); // paused-replicas leaves the floor alone

    const night = await brain.plan(new Date('2026-12-08T01:00:00Z'));
    for (const id of ['web', 'api', 'worker'])
      expect(night.targets.find((t) => t.id === id)!.decision, id).toBe('no-op');
    expect(night.targets.find((t) => t.id === 'web')!.reasons.join(' ')).toMatch(
      /schedule staging-night .*ceiling 0 until 2026-12-08T06:58:00Z/,
    );

    // Capacity is back by 08:00: a ceiling lifts its lead time and margin early.
    clock.set('2026-12-08T06:57:00Z');
    await brain.reconcile();
    expect(web().spec.replicas).toBe(0);
    clock.set('2026-12-08T07:00:00Z');
    await brain.reconcile();
    expect(web().spec.replicas).toBe(3);
    expect(apiHpa().spec).toMatchObject({ minReplicas: 4, maxReplicas: 12 });
    expect(apiHpa().metadata.annotations?.['headroom.dev/replaced']).toBeUndefined();
    expect(worker().metadata.annotations?.['autoscaling.keda.sh/paused-replicas']).toBeUndefined();
    expect(worker().spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 40 });

    const audit = await brain.audit();
    const webSteps = audit.filter((e) => e.target === 'web' && e.action === 'step-executed').reverse();
    expect(webSteps.map((e) => [e.before, e.after])).toEqual([
      [{ replicas: 3 }, { replicas: 0 }],
      [{ replicas: 0 }, { replicas: 3 }],
    ]);
    expect(webSteps[0]!.reason).toContain('schedule staging-night');
    const state = await new Repo(store).plannerState(clock.now());
    expect(state.targets.web?.original).toBeUndefined();
    expect(state.targets.web?.ceiling).toBeUndefined();
  });

  it('a ceiling wins over the floor a person asked for, and the plan says so', async () => {
    const config = stagingConfig(cluster.kubeconfig);
    const clock = new ManualClock('2026-12-07T19:30:00Z');
    const brain = brainOn(config, clock, new MemoryStateStore());
    await brain.requestFloor({
      target: 'web',
      floor: 6,
      forSeconds: 3600,
      reason: 'load test',
      source: { kind: 'cli', ref: 'sre' },
    });
    const p = (await brain.plan()).targets.find((t) => t.id === 'web')!;
    expect(p.desired).toBe(0);
    expect(p.reasons.join(' ')).toContain('the ceiling wins over the floor 6');
  });

  it.each(
    POINTS.flatMap((point) => [
      ['the ceiling', point],
      ['the lift', point],
    ]),
  )('reverts exactly when a process dies during %s %s', async (phase, point) => {
    const config = stagingConfig(cluster.kubeconfig);
    const clock = new ManualClock('2026-12-07T19:00:00Z');
    const store = new MemoryStateStore();
    if (phase === 'the lift') {
      await brainOn(config, clock, store).reconcile();
      expect(web().spec.replicas).toBe(0);
      clock.set('2026-12-08T07:00:00Z');
    }
    const first = dying(config, clock, store, point as Point);
    await Promise.race([first.brain.reconcile(), first.death]);
    expect(first.died(), 'the process died').toBe(true);

    // A new process, once the dead one's lease expired, settles the write-ahead record.
    clock.advance(5 * 60_000);
    const second = brainOn(config, clock, store);
    await second.reconcile();
    expect(web().spec.replicas).toBe(phase === 'the ceiling' ? 0 : 3);
    if (phase === 'the ceiling') {
      clock.set('2026-12-08T07:00:00Z');
      await second.reconcile();
      expect(web().spec.replicas).toBe(3);
    }
    const state = await new Repo(store).plannerState(clock.now());
    expect(state.targets.web?.original, 'Headroom lets go once back').toBeUndefined();
    expect(state.targets.web?.ceiling).toBeUndefined();
    expect(state.targets.web?.pending).toBeUndefined();
  });
});

describe('Ceilings on autoscalers: what the actuators write', () => {
  it('an HPA capped over a floor that had lifted maxReplicas comes back to the original maxReplicas', async () => {
    const a = new HpaActuator(cluster.conn);
    const t = target('k8s-hpa', { namespace: NS, name: 'api-hpa', bounds: { min: 1, max: 30 } });
    await a.apply(t, 20, ctx()); // a floor above maxReplicas 12 lifts it to 20
    expect(apiHpa().spec).toMatchObject({ minReplicas: 20, maxReplicas: 20 });
    const capped = await a.apply(t, 2, ctx({ ceiling: 2 }));
    expect(capped.after).toEqual({ minReplicas: 2, maxReplicas: 2 });
    expect((await a.read(t)).ceiling).toBe(2);
    const replaced = JSON.parse(apiHpa().metadata.annotations['headroom.dev/replaced']);
    expect(replaced).toEqual({ maxReplicas: { from: 12, to: 2, ceiling: true } });
    await a.apply(t, 4, ctx({ ceiling: null }));
    expect(apiHpa().spec).toMatchObject({ minReplicas: 4, maxReplicas: 12 });
    expect(apiHpa().metadata.annotations?.['headroom.dev/replaced']).toBeUndefined();
    expect((await a.read(t)).ceiling).toBeUndefined();
  });

  it('a KEDA ceiling caps maxReplicaCount by default; a pause someone else set is never taken for its own', async () => {
    const a = new KedaScaledObjectActuator(cluster.conn);
    const t = target('keda-scaledobject', {
      namespace: NS,
      name: 'worker-scaler',
      bounds: { min: 0, max: 50 },
    });
    await a.apply(t, 1, ctx({ ceiling: 1 }));
    expect(worker().spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 1 });
    expect(worker().metadata.annotations['autoscaling.keda.sh/paused-replicas']).toBeUndefined();
    await a.apply(t, 2, ctx({ ceiling: null }));
    expect(worker().spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 40 });

    const paused = target('keda-scaledobject', {
      namespace: NS,
      name: 'worker-scaler',
      bounds: { min: 0, max: 50 },
      ceiling: { method: 'paused-replicas' },
    });
    const so = worker();
    so.metadata.annotations = { 'autoscaling.keda.sh/paused-replicas': '3' };
    cluster.api.put(so);
    const read = await a.read(paused);
    expect(read.blocked).toContain('paused-replicas=3');
    expect(read.ceiling).toBeUndefined();
  });
});
