import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../../domain/types.ts';
import type { PutOptions, StateStore, StoredItem } from '../../ports/state.ts';

const DAY_SECONDS = 86_400;
const DAY_MS = DAY_SECONDS * 1000;
/** Partition listing the day buckets that hold audit entries (sk = yyyy-mm-dd). */
const AUDIT_DAYS_PK = 'audit#days';
/** An unconditional put re-reads and retries when another writer changed the record meanwhile. */
const MAX_PUT_ATTEMPTS = 8;

export interface DynamoStateStoreOptions {
  /** A DynamoDB client built once per cold start; the store only sends item commands with it. */
  client: DynamoDBClient;
  tableName: string;
  /** Audit entries are deleted by DynamoDB TTL this many days after their `at` (default 90). */
  auditRetentionDays?: number;
  /** listAudit without `since` reads this many days back from the newest day with entries (default 30). */
  auditWindowDays?: number;
}

interface RecordItem {
  pk: string;
  sk: string;
  value: string;
  version: number;
  expiresAt?: number;
}

const epochSeconds = (now: Date): number => now.getTime() / 1000;
const isLive = (item: { expiresAt?: number }, nowSec: number): boolean =>
  item.expiresAt === undefined || item.expiresAt > nowSec;
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const leaseKey = (name: string) => ({ pk: `lease#${name}`, sk: 'lease' });

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * The brain's memory in one DynamoDB table (pk/sk strings, TTL on `expiresAt`). Records live
 * at pk = namespace, sk = key; leases at pk = `lease#<name>`; audit entries in day buckets
 * pk = `audit#<yyyy-mm-dd>`, sk = `<at>#<seq>#<id>`, so no partition grows forever. Every
 * conditional write is a single ConditionExpression (no transactions). TTL deletes late, so
 * expired items are filtered on read as well.
 */
export class DynamoStateStore implements StateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly retentionSeconds: number;
  private readonly windowMs: number;
  private readonly knownAuditDays = new Set<string>();
  private auditSeq = 0;

  constructor(opts: DynamoStateStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(opts.client, { marshallOptions: { removeUndefinedValues: true } });
    this.table = opts.tableName;
    this.retentionSeconds = (opts.auditRetentionDays ?? 90) * DAY_SECONDS;
    this.windowMs = (opts.auditWindowDays ?? 30) * DAY_MS;
  }

  async get<T>(ns: string, key: string, now: Date): Promise<StoredItem<T> | undefined> {
    const item = await this.read(ns, key);
    return item && isLive(item, epochSeconds(now)) ? this.toStored<T>(ns, item) : undefined;
  }

  async put<T>(ns: string, key: string, value: T, now: Date, opts: PutOptions = {}): Promise<boolean> {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`State value for ${ns}/${key} is not JSON-serialisable`);
    const nowSec = epochSeconds(now);
    const item = (version: number): RecordItem => ({
      pk: ns,
      sk: key,
      value: json,
      version,
      expiresAt: opts.expiresAt,
    });

    if (opts.ifAbsent) {
      return this.conditionalPut({
        Item: item(1),
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
        ExpressionAttributeValues: { ':now': nowSec },
      });
    }
    if (opts.ifVersion !== undefined) {
      return this.conditionalPut({
        Item: item(opts.ifVersion + 1),
        ConditionExpression: '#version = :v AND (attribute_not_exists(expiresAt) OR expiresAt > :now)',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':v': opts.ifVersion, ':now': nowSec },
      });
    }
    // Unconditional: the next version depends on what is stored, so write only over exactly
    // what was read and try again if another writer came in between.
    for (let attempt = 0; attempt < MAX_PUT_ATTEMPTS; attempt++) {
      const current = await this.read(ns, key);
      const written = await this.conditionalPut(
        current
          ? {
              Item: item(isLive(current, nowSec) ? current.version + 1 : 1),
              ConditionExpression: '#version = :seen',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':seen': current.version },
            }
          : { Item: item(1), ConditionExpression: 'attribute_not_exists(pk)' },
      );
      if (written) return true;
    }
    throw new Error(`State record ${ns}/${key} kept changing; gave up after ${MAX_PUT_ATTEMPTS} attempts`);
  }

  async delete(ns: string, key: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: ns, sk: key } }));
  }

  async list<T>(ns: string, now: Date): Promise<StoredItem<T>[]> {
    const nowSec = epochSeconds(now);
    const out: StoredItem<T>[] = [];
    for await (const items of this.pages({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': ns },
    })) {
      for (const item of items as RecordItem[]) {
        if (isLive(item, nowSec)) out.push(this.toStored<T>(ns, item));
      }
    }
    return out;
  }

  async acquireLease(name: string, owner: string, now: Date, ttlSeconds: number): Promise<boolean> {
    const untilMs = now.getTime() + ttlSeconds * 1000;
    return this.conditionalPut({
      // leaseUntil (ms) decides; expiresAt (whole seconds) only lets TTL clean up later.
      Item: { ...leaseKey(name), owner, leaseUntil: untilMs, expiresAt: Math.ceil(untilMs / 1000) },
      ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil <= :now OR #owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':now': now.getTime(), ':owner': owner },
    });
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: leaseKey(name),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const atMs = Date.parse(entry.at);
    if (Number.isNaN(atMs)) throw new TypeError(`Audit entry ${entry.id} has an invalid time: ${entry.at}`);
    const day = dayOf(atMs);
    const expiresAt = Math.ceil(atMs / 1000) + this.retentionSeconds;
    // The sequence keeps entries of the same millisecond from one writer in insertion order.
    const seq = String(this.auditSeq++).padStart(12, '0');
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: `audit#${day}`,
          sk: `${new Date(atMs).toISOString()}#${seq}#${entry.id}`,
          entry: JSON.stringify(entry),
          expiresAt,
        },
      }),
    );
    if (!this.knownAuditDays.has(day)) {
      // The day index lets listAudit find the buckets without a clock; it outlives the day's entries.
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: AUDIT_DAYS_PK,
            sk: day,
            expiresAt: Date.parse(day) / 1000 + DAY_SECONDS + this.retentionSeconds,
          },
        }),
      );
      this.knownAuditDays.add(day);
    }
  }

  async listAudit(opts: { since?: Date; limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = opts.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    const days = await this.auditDaysNewestFirst();
    const newest = days[0];
    if (newest === undefined) return [];
    const sinceMs = opts.since?.getTime() ?? Date.parse(newest) + DAY_MS - this.windowMs;
    const sinceDay = dayOf(sinceMs);
    const out: AuditEntry[] = [];
    for (const day of days) {
      if (day < sinceDay || out.length >= limit) break;
      const pages = this.pages(
        {
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': `audit#${day}`, ':since': new Date(sinceMs).toISOString() },
          ScanIndexForward: false,
        },
        () => (Number.isFinite(limit) ? limit - out.length : undefined),
      );
      for await (const items of pages) {
        for (const item of items) out.push(JSON.parse(String(item.entry)) as AuditEntry);
        if (out.length >= limit) break;
      }
    }
    return out.slice(0, limit);
  }

  async close(): Promise<void> {
    // The client is injected and may be shared; its owner destroys it.
  }

  private async read(ns: string, key: string): Promise<RecordItem | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: { pk: ns, sk: key }, ConsistentRead: true }),
    );
    return res.Item as RecordItem | undefined;
  }

  private async conditionalPut(input: Omit<PutCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, ...input }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async auditDaysNewestFirst(): Promise<string[]> {
    const days: string[] = [];
    for await (const items of this.pages({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': AUDIT_DAYS_PK },
      ScanIndexForward: false,
    }))
      for (const item of items) days.push(String(item.sk));
    return days;
  }

  /**
   * A consistent Query, page by page: every page's items until the last page (or until the
   * caller stops), `limit` asked anew before each page.
   */
  private async *pages(
    input: Pick<
      QueryCommandInput,
      'KeyConditionExpression' | 'ExpressionAttributeValues' | 'ScanIndexForward'
    >,
    limit?: () => number | undefined,
  ): AsyncGenerator<NonNullable<QueryCommandOutput['Items']>> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          ...input,
          ConsistentRead: true,
          Limit: limit?.(),
          ExclusiveStartKey: startKey,
        }),
      );
      yield page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private toStored<T>(ns: string, item: RecordItem): StoredItem<T> {
    const stored: StoredItem<T> = {
      ns,
      key: item.sk,
      value: JSON.parse(item.value) as T,
      version: item.version,
    };
    if (item.expiresAt !== undefined) stored.expiresAt = item.expiresAt;
    return stored;
  }
}
