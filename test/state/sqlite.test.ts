import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStateStore } from '../../shared/adapters/state/sqlite.ts';
import { describeStateStoreContract } from './contract.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'headroom-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
describeStateStoreContract('sqlite in memory', async () => openSqliteStateStore(':memory:'));
describeStateStoreContract('sqlite file', async () =>
  openSqliteStateStore(path.join(dir, `contract-${n++}.db`)),
);

describe('Function: openSqliteStateStore', () => {
  const now = new Date('2026-03-02T10:00:00Z');

  it('creates the parent directory of a new file', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'state.db');
    const store = openSqliteStateStore(file);
    await store.put('intents', 'a', 1, now);
    await store.close();

    const reopened = openSqliteStateStore(file);
    expect((await reopened.get('intents', 'a', now))?.value).toBe(1);
    await reopened.close();
  });

  it('lets two stores on the same file see each other’s records, leases and audit', async () => {
    const file = path.join(dir, 'shared.db');
    const cli = openSqliteStateStore(file);
    const dev = openSqliteStateStore(file);

    await cli.put('intents', 'black-friday', { floor: 10 }, now);
    const seen = await dev.get('intents', 'black-friday', now);
    expect(await dev.put('intents', 'black-friday', { floor: 20 }, now, { ifVersion: seen?.version })).toBe(
      true,
    );
    expect(await cli.put('intents', 'black-friday', { floor: 30 }, now, { ifVersion: seen?.version })).toBe(
      false,
    );
    expect((await cli.get('intents', 'black-friday', now))?.value).toEqual({ floor: 20 });

    expect(await cli.acquireLease('reconcile', 'cli', now, 60)).toBe(true);
    expect(await dev.acquireLease('reconcile', 'dev', now, 60)).toBe(false);
    await cli.releaseLease('reconcile', 'cli');
    expect(await dev.acquireLease('reconcile', 'dev', now, 60)).toBe(true);

    await dev.appendAudit({ id: 'a1', at: now.toISOString(), action: 'paused', reason: 'maintenance' });
    expect((await cli.listAudit()).map((e) => e.id)).toEqual(['a1']);

    await cli.close();
    await dev.close();
  });

  it('rejects a value that is not JSON', async () => {
    const store = openSqliteStateStore(':memory:');
    await expect(store.put('intents', 'x', undefined, now)).rejects.toThrow(TypeError);
    await store.close();
  });
});
