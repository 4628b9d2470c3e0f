import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableIfMissing, DynamoStateStore } from '../../shared/adapters/state/index.ts';
import { describeStateStoreContract } from './contract.ts';
import { startDynalite } from './dynalite.ts';

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
async function freshStore(opts: { auditWindowDays?: number } = {}): Promise<DynamoStateStore> {
  const tableName = `headroom-state-${tables++}`;
  await createTableIfMissing(client, tableName);
  return new DynamoStateStore({ client, tableName, ...opts });
}

describeStateStoreContract('dynamodb (dynalite)', () => freshStore());

describe('Function: createTableIfMissing', () => {
  it('creates an ACTIVE pk/sk table and is a no-op the second time', async () => {
    await createTableIfMissing(client, 'headroom-create');
    await createTableIfMissing(client, 'headroom-create');

    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'headroom-create' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });
});

describe('Function: DynamoStateStore.listAudit', () => {
  it('reads back the last 30 days of entries by default, across day buckets', async () => {
    const store = await freshStore();
    await store.appendAudit({ id: 'old', at: '2026-01-01T12:00:00.000Z', action: 'paused', reason: 'r' });
    await store.appendAudit({ id: 'recent', at: '2026-02-20T12:00:00.000Z', action: 'resumed', reason: 'r' });
    await store.appendAudit({ id: 'newest', at: '2026-03-01T00:00:00.000Z', action: 'paused', reason: 'r' });

    expect((await store.listAudit()).map((e) => e.id)).toEqual(['newest', 'recent']);
    expect((await store.listAudit({ since: new Date('2025-12-31T00:00:00Z') })).map((e) => e.id)).toEqual([
      'newest',
      'recent',
      'old',
    ]);
  });

  it('is empty for a table without audit entries', async () => {
    const store = await freshStore();
    expect(await store.listAudit({ limit: 5 })).toEqual([]);
  });
});

describe('Function: DynamoStateStore with two instances', () => {
  it('shares records and leases through the table', async () => {
    const tableName = 'headroom-shared';
    await createTableIfMissing(client, tableName);
    const a = new DynamoStateStore({ client, tableName });
    const b = new DynamoStateStore({ client, tableName });
    const now = new Date('2026-03-02T10:00:00Z');

    await a.put('intents', 'black-friday', { floor: 10 }, now);
    await b.put('intents', 'black-friday', { floor: 20 }, now);
    expect(await a.get('intents', 'black-friday', now)).toMatchObject({ value: { floor: 20 }, version: 2 });

    expect(await a.acquireLease('reconcile', 'a', now, 60)).toBe(true);
    expect(await b.acquireLease('reconcile', 'b', now, 60)).toBe(false);
  });
});
