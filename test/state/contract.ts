import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/domain/types.ts';
import type { StateStore } from '../../shared/ports/state.ts';

export type StoreFactory = () => Promise<StateStore>;

const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const epoch = (d: Date): number => d.getTime() / 1000;

function audit(id: string, atIso: string, extra: Partial<AuditEntry> = {}): AuditEntry {
  return { id, at: atIso, action: 'step-executed', target: 'orders-db', reason: `step ${id}`, ...extra };
}

/** The behaviour every StateStore adapter must share; run once per adapter. */
export function describeStateStoreContract(name: string, factory: StoreFactory): void {
  describe(`Contract: StateStore (${name})`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('Function: get / put / delete / list', () => {
      it('returns what was put, with version 1, and undefined for a missing key', async () => {
        expect(await store.put('intents', 'black-friday', { floor: 12 }, T0)).toBe(true);

        expect(await store.get('intents', 'black-friday', T0)).toEqual({
          ns: 'intents',
          key: 'black-friday',
          value: { floor: 12 },
          version: 1,
        });
        expect(await store.get('intents', 'cyber-monday', T0)).toBeUndefined();
      });

      it('increments the version on every overwrite', async () => {
        await store.put('targets', 'api', { replicas: 3 }, T0);
        await store.put('targets', 'api', { replicas: 4 }, T0);
        await store.put('targets', 'api', { replicas: 5 }, T0);

        const item = await store.get<{ replicas: number }>('targets', 'api', T0);
        expect(item?.version).toBe(3);
        expect(item?.value.replicas).toBe(5);
      });

      it('keeps namespaces apart and lists one namespace sorted by key', async () => {
        await store.put('campaigns', 'b', 2, T0);
        await store.put('campaigns', 'a', 1, T0);
        await store.put('intents', 'a', 'other', T0);

        const items = await store.list<number>('campaigns', T0);
        expect(items.map((i) => [i.key, i.value])).toEqual([
          ['a', 1],
          ['b', 2],
        ]);
        expect(await store.list('approvals', T0)).toEqual([]);
      });

      it('lists namespaces larger than one page', async () => {
        const big = 'x'.repeat(4_000);
        const keys = Array.from({ length: 320 }, (_, i) => `k${String(i).padStart(4, '0')}`);
        for (const key of keys) await store.put('bulk', key, { big }, T0);

        const items = await store.list<{ big: string }>('bulk', T0);
        expect(items.map((i) => i.key)).toEqual(keys);
        expect(items.every((i) => i.value.big.length === 4_000)).toBe(true);
      });

      it('deletes a record, and deleting a missing one is not an error', async () => {
        await store.put('approvals', 'step-1', { ok: true }, T0);
        await store.delete('approvals', 'step-1');
        await store.delete('approvals', 'never-there');

        expect(await store.get('approvals', 'step-1', T0)).toBeUndefined();
        expect(await store.list('approvals', T0)).toEqual([]);
      });

      it('round-trips nested JSON, unicode, empty strings, nulls and arrays', async () => {
        const value = {
          name: 'Ünïcødé ✓ 日本語 🚀',
          empty: '',
          nothing: null,
          nested: { list: [1, 2.5, -3, { deep: ['a', '', null] }], flag: false, zero: 0 },
          emptyList: [],
          emptyObject: {},
        };
        await store.put('targets', 'ключ/🔑', value, T0);

        expect((await store.get('targets', 'ключ/🔑', T0))?.value).toEqual(value);
        expect((await store.list('targets', T0))[0]?.value).toEqual(value);
      });
    });

    describe('Function: put with conditions', () => {
      it('ifAbsent writes only when no live record exists', async () => {
        expect(await store.put('idem', 'req-1', 'first', T0, { ifAbsent: true })).toBe(true);
        expect(await store.put('idem', 'req-1', 'second', T0, { ifAbsent: true })).toBe(false);

        expect((await store.get('idem', 'req-1', T0))?.value).toBe('first');
      });

      it('ifAbsent treats an expired record as absent and restarts its version', async () => {
        await store.put('idem', 'req-1', 'old', T0, { expiresAt: epoch(at(60)) });
        await store.put('idem', 'req-1', 'old-again', T0, { expiresAt: epoch(at(60)) });

        expect(await store.put('idem', 'req-1', 'new', at(61), { ifAbsent: true })).toBe(true);

        expect(await store.get('idem', 'req-1', at(61))).toEqual({
          ns: 'idem',
          key: 'req-1',
          value: 'new',
          version: 1,
        });
      });

      it('ifVersion writes only over the expected version', async () => {
        await store.put('intents', 'i', { v: 'a' }, T0);
        const read = await store.get('intents', 'i', T0);

        expect(await store.put('intents', 'i', { v: 'b' }, T0, { ifVersion: read?.version })).toBe(true);
        // A second writer that read the same version loses.
        expect(await store.put('intents', 'i', { v: 'c' }, T0, { ifVersion: read?.version })).toBe(false);

        expect(await store.get('intents', 'i', T0)).toMatchObject({ value: { v: 'b' }, version: 2 });
      });

      it('ifVersion fails on a missing record', async () => {
        expect(await store.put('intents', 'ghost', 1, T0, { ifVersion: 1 })).toBe(false);
        expect(await store.get('intents', 'ghost', T0)).toBeUndefined();
      });

      it('lets exactly one of many concurrent ifVersion writers win', async () => {
        await store.put('intents', 'race', { n: 0 }, T0);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, n) => store.put('intents', 'race', { n }, T0, { ifVersion: 1 })),
        );

        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.get('intents', 'race', T0))?.version).toBe(2);
      });
    });

    describe('Function: expiry', () => {
      it('hides a record from get and list once the passed now reaches expiresAt', async () => {
        await store.put('approvals', 'short', 's', T0, { expiresAt: epoch(at(30)) });
        await store.put('approvals', 'forever', 'f', T0);

        expect((await store.get('approvals', 'short', at(29)))?.expiresAt).toBe(epoch(at(30)));
        expect(await store.get('approvals', 'short', at(30))).toBeUndefined();
        expect((await store.list('approvals', at(29))).map((i) => i.key)).toEqual(['forever', 'short']);
        expect((await store.list('approvals', at(31))).map((i) => i.key)).toEqual(['forever']);
      });

      it('follows the passed clock, not the wall clock', async () => {
        const past = new Date('2001-01-01T00:00:00Z');
        await store.put('approvals', 'old', 'o', past, { expiresAt: epoch(past) + 60 });

        expect((await store.get('approvals', 'old', past))?.value).toBe('o');
      });

      it('an overwrite without expiresAt makes the record permanent again', async () => {
        await store.put('targets', 't', 1, T0, { expiresAt: epoch(at(10)) });
        await store.put('targets', 't', 2, T0);

        expect((await store.get('targets', 't', at(3600)))?.value).toBe(2);
      });
    });

    describe('Function: acquireLease / releaseLease', () => {
      it('lets exactly one of 50 concurrent owners win', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.acquireLease('reconcile', `owner-${i}`, T0, 60)),
        );

        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = `owner-${results.indexOf(true)}`;
        expect(await store.acquireLease('reconcile', winner, at(1), 60)).toBe(true);
      });

      it('is renewed by the same owner, which extends it', async () => {
        expect(await store.acquireLease('reconcile', 'a', T0, 60)).toBe(true);
        expect(await store.acquireLease('reconcile', 'a', at(50), 60)).toBe(true);

        // Without the renewal the lease would have run out at +60s.
        expect(await store.acquireLease('reconcile', 'b', at(100), 60)).toBe(false);
        expect(await store.acquireLease('reconcile', 'b', at(110), 60)).toBe(true);
      });

      it('is taken over by another owner only after it expires', async () => {
        await store.acquireLease('reconcile', 'a', T0, 60);

        expect(await store.acquireLease('reconcile', 'b', at(59), 60)).toBe(false);
        expect(await store.acquireLease('reconcile', 'b', at(60), 60)).toBe(true);
        expect(await store.acquireLease('reconcile', 'a', at(61), 60)).toBe(false);
      });

      it('is freed by its owner on release, and not by anyone else', async () => {
        await store.acquireLease('reconcile', 'a', T0, 60);

        await store.releaseLease('reconcile', 'b');
        expect(await store.acquireLease('reconcile', 'b', at(1), 60)).toBe(false);

        await store.releaseLease('reconcile', 'a');
        expect(await store.acquireLease('reconcile', 'b', at(2), 60)).toBe(true);
      });

      it('keeps leases of different names independent', async () => {
        expect(await store.acquireLease('reconcile', 'a', T0, 60)).toBe(true);
        expect(await store.acquireLease('campaign:black-friday', 'b', T0, 60)).toBe(true);
      });
    });

    describe('Function: appendAudit / listAudit', () => {
      it('lists newest first, entries at the same time in reverse insertion order', async () => {
        await store.appendAudit(audit('1', '2026-03-01T09:00:00.000Z'));
        await store.appendAudit(audit('2', '2026-03-02T11:00:00.000Z'));
        await store.appendAudit(audit('3', '2026-03-02T10:00:00.000Z'));
        await store.appendAudit(audit('4', '2026-03-02T10:00:00.000Z'));

        expect((await store.listAudit()).map((e) => e.id)).toEqual(['2', '4', '3', '1']);
      });

      it('honours since (inclusive) and limit', async () => {
        for (let day = 1; day <= 6; day++) {
          await store.appendAudit(audit(`d${day}`, `2026-03-0${day}T12:00:00.000Z`));
        }

        const since = await store.listAudit({ since: new Date('2026-03-04T12:00:00.000Z') });
        expect(since.map((e) => e.id)).toEqual(['d6', 'd5', 'd4']);
        expect((await store.listAudit({ limit: 2 })).map((e) => e.id)).toEqual(['d6', 'd5']);
        expect(
          (await store.listAudit({ since: new Date('2026-03-02T00:00:00Z'), limit: 10 })).map((e) => e.id),
        ).toEqual(['d6', 'd5', 'd4', 'd3', 'd2']);
      });

      it('keeps every field of an entry', async () => {
        const entry = audit('full', '2026-03-02T10:00:00.000Z', {
          action: 'step-failed',
          stepId: 'orders-db:scale-up',
          before: { instanceClass: 'db.r6g.large' },
          after: { instanceClass: 'db.r6g.xlarge' },
          actor: 'alice@example.com',
          error: 'InvalidDBInstanceState — “busy”',
        });
        await store.appendAudit(entry);

        expect(await store.listAudit()).toEqual([entry]);
      });
    });
  });
}
