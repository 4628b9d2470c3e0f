import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

export { DynamoStateStore, type DynamoStateStoreOptions } from './dynamodb.ts';
export { openSqliteStateStore, SqliteStateStore } from './sqlite.ts';

/** How long createTableIfMissing waits for a new table to become ACTIVE. */
const ACTIVE_TIMEOUT_MS = 120_000;

const errorName = (error: unknown): string | undefined => (error instanceof Error ? error.name : undefined);

/**
 * Creates the single state table (pk/sk strings, on demand, TTL on `expiresAt`) unless it
 * exists, and waits until it is ACTIVE. For tests and `headroom dev`; production tables come
 * from infrastructure code. Local DynamoDB-protocol servers that lack UpdateTimeToLive
 * (dynalite) are tolerated: the store filters expired items on read anyway.
 */
export async function createTableIfMissing(client: DynamoDBClient, tableName: string): Promise<void> {
  let exists = true;
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (errorName(error) !== 'ResourceNotFoundException') throw error;
    exists = false;
  }
  if (!exists) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      // Another process created it first; waiting below is all that is left to do.
      if (errorName(error) !== 'ResourceInUseException') throw error;
    }
  }
  await waitUntilActive(client, tableName);
  if (exists) return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
  } catch (error) {
    if (errorName(error) !== 'UnknownOperationException') throw error;
  }
}

/** Polls DescribeTable with a short, growing delay: local servers are ACTIVE at once, AWS in seconds. */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  let delayMs = 20;
  for (
    let waited = 0;
    waited <= ACTIVE_TIMEOUT_MS;
    waited += delayMs, delayMs = Math.min(delayMs * 2, 5_000)
  ) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  throw new Error(`DynamoDB table ${tableName} did not become ACTIVE within ${ACTIVE_TIMEOUT_MS / 1000}s`);
}
