import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTableIfMissing,
  DynamoStateStore,
  openSqliteStateStore,
} from '../../shared/adapters/state/index.ts';
import { Brain } from '../../shared/app/brain.ts';
import type { AuditEntry } from '../../shared/domain/types.ts';
import type { ActuatorRegistry } from '../../shared/ports/actuator.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier, type Notifier } from '../../shared/ports/notifier.ts';
import type { StateStore } from '../../shared/ports/state.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { Repo } from '../../shared/state/repo.ts';
import { exampleConfig } from '../helpers/example.ts';
import { startDynalite } from '../state/dynalite.ts';

/**
 * A process that dies at one point of a step: the promise it is waiting on never settles, so
 * nothing after that point runs, and its leases are only freed by expiry. A new process (a new
 * Brain and a new store connection on the same database, the same cloud) must finish the job.
 */
type Point = 'before the call' | 'after the call' | 'after the audit write' | 'after the state write';
const POINTS: Point[] = [
  'before the call',
  'after the call',
  'after the audit write',
  'after the state write',
];

const never = () => new Promise<never>(() => {});

/** Arms a crash at the n-th change (counting from 1, raises and reverts alike) on `api`. */
function dying(sim: SimCloud, store: StateStore, point: Point, n: number) {
  let calls = 0;
  let signal!: () => void;
  const state = { died: false, death: new Promise<void>((r) => (signal = r)) };
  const die = () => {
    state.died = true;
    signal();
    return never();
  };
  const actuators: ActuatorRegistry = (t) => {
    const a = sim.registry(t);
    return {
      read: (x) => a.read(x),
      apply: async (x, to, ctx) => {
        const mine = x.id === 'api' && ++calls === n;
        if (mine && point === 'before the call') return die();
        const r = await a.apply(x, to, ctx);
        if (mine && point === 'after the call') return die();
        if (mine) armed = point;
        return r;
      },
    };
  };
  let armed: Point | undefined;
  const crashingStore: StateStore = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'appendAudit') return typeof v === 'function' ? v.bind(target) : v;
      return async (e: AuditEntry) => {
        await target.appendAudit(e);
        if (armed === 'after the audit write' && e.action === 'step-executed' && e.target === 'api')
          return die();
      };
    },
  });
  const notifier: Notifier = {
    notify: async (n) => {
      if (armed === 'after the state write' && n.kind === 'step-executed' && n.target === 'api') return die();
    },
  };
  return { actuators, store: crashingStore, notifier, state };
}

interface Backend {
  name: string;
  /** A new connection to the same database, as a restarted process would open. */
  connect(): Promise<StateStore>;
}

async function scenario(backend: Backend, point: Point, n: number) {
  const config = exampleConfig();
  const clock = new ManualClock('2026-11-20T10:00:00Z');
  const sim = new SimCloud(config, { clock });
  const target = config.targets.find((t) => t.id === 'api')!;
  const value = async () => (await sim.registry(target).read(target)).value;
  const before = await value();

  // The first process: asked for 20 pods (3 -> 9 -> 20 at most x3 per step), dies at the n-th change.
  const first = dying(sim, await backend.connect(), point, n);
  const brain1 = new Brain({
    config,
    repo: new Repo(first.store),
    actuators: first.actuators,
    clock,
    notifier: first.notifier,
    owner: 'lambda-1',
  });
  const intent = await brain1.requestFloor({
    target: 'api',
    floor: 20,
    forSeconds: 30 * 60,
    reason: 'crash test',
    source: { kind: 'cli', ref: 'sre' },
  });
  const peak: number[] = [];
  for (let i = 0; i < 120 && !first.state.died; i++) {
    // A dead reconcile never settles: wait for it to finish or to die.
    await Promise.race([brain1.reconcile(), first.state.death]);
    peak.push(await value());
    clock.advance(60_000);
  }
  expect(first.state.died, `the ${n}th change was reached`).toBe(true);

  // The second process, once the dead one's leases expired.
  clock.advance(3 * 60_000);
  const store2 = await backend.connect();
  const repo2 = new Repo(store2);
  const brain2 = new Brain({
    config,
    repo: repo2,
    actuators: sim.registry,
    clock,
    notifier: new MemoryNotifier(),
    owner: 'lambda-2',
  });
  // Finish the raise, then end the intent early and let the revert run out.
  for (let i = 0; i < 20; i++) {
    await brain2.reconcile();
    clock.advance(60_000);
  }
  const raised = await value();
  await repo2.removeIntent(intent!.id);
  for (let i = 0; i < 60; i++) {
    await brain2.reconcile();
    clock.advance(60_000);
  }
  const audit = (await store2.listAudit({ since: new Date('2026-11-01T00:00:00Z') })).filter(
    (e) => e.target === 'api',
  );
  return {
    before,
    raised,
    after: await value(),
    audit,
    peak,
    state: await repo2.targetState('api', clock.now()),
  };
}

function crashSuite(backend: () => Backend) {
  // A raise of 3 -> 20 takes two changes and its revert two more: crash at each one, at each point.
  for (const point of POINTS)
    for (const n of [1, 2, 3, 4])
      it(`a process dying ${point} of change ${n} leaves api at its value from before the first raise`, async () => {
        const r = await scenario(backend(), point, n);
        expect(r.before).toBe(3);
        expect(Math.max(...r.peak, r.raised)).toBe(20);
        expect(r.after).toBe(r.before);
        expect(r.state.original).toBeUndefined();
        expect(r.state.pending).toBeUndefined();
        const recovered = r.audit.filter((e) => e.action === 'step-recovered');
        if (point === 'before the call' || point === 'after the call' || point === 'after the audit write') {
          expect(recovered).toHaveLength(1);
          expect(recovered[0]!.reason).toMatch(
            point === 'before the call' ? /was not applied/ : /was applied .* but not recorded/,
          );
        } else expect(recovered).toHaveLength(0);
        // Every change that took effect is in the audit log, with its before and after.
        const executed = r.audit.filter((e) => e.action === 'step-executed' || e.action === 'step-recovered');
        expect(executed.length).toBeGreaterThanOrEqual(4);
        // The newest change is the revert to the value from before the first raise.
        expect(executed[0]?.after).toEqual({ minReplicas: 3 });
      });
}

describe('Crash safety on the embedded store (SQLite)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'headroom-crash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let runs = 0;
  crashSuite(() => {
    const file = path.join(dir, `state-${runs++}.db`);
    return { name: 'sqlite', connect: async () => openSqliteStateStore(file) };
  });
});

describe('Crash safety on DynamoDB (dynalite)', () => {
  let server: Awaited<ReturnType<typeof startDynalite>>;
  let client: DynamoDBClient;
  beforeAll(async () => {
    server = await startDynalite();
    client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
  });
  let tables = 0;
  crashSuite(() => {
    const tableName = `crash-${tables++}`;
    return {
      name: 'dynamodb',
      connect: async () => {
        await createTableIfMissing(client, tableName);
        return new DynamoStateStore({ client, tableName });
      },
    };
  });
});
