import type { AuditEntry } from '../domain/types.ts';

/** One record of the store: a namespace (intents, campaigns, targets...), a key and a JSON value. */
export interface StoredItem<T = unknown> {
  ns: string;
  key: string;
  value: T;
  /** Incremented on every write; used for optimistic concurrency. */
  version: number;
  /** Epoch seconds after which the record is gone. */
  expiresAt?: number;
}

export interface PutOptions {
  /** Only write if no live record exists (idempotency keys). */
  ifAbsent?: boolean;
  /** Only write if the stored version is this one (optimistic concurrency). */
  ifVersion?: number;
  /** Epoch seconds; the record expires then (DynamoDB TTL, or filtered by the local store). */
  expiresAt?: number;
}

/**
 * The brain's memory: intents, campaigns, per-target state, approvals, leases, idempotency
 * keys and the audit log. Two adapters: an embedded local store and DynamoDB. `now` is always
 * passed in so expiry follows the injected clock.
 */
export interface StateStore {
  get<T>(ns: string, key: string, now: Date): Promise<StoredItem<T> | undefined>;
  /** Returns false when a condition (ifAbsent / ifVersion) did not hold; nothing is written then. */
  put<T>(ns: string, key: string, value: T, now: Date, opts?: PutOptions): Promise<boolean>;
  delete(ns: string, key: string): Promise<void>;
  list<T>(ns: string, now: Date): Promise<StoredItem<T>[]>;
  /** A lease is held by one owner until it expires or is released. */
  acquireLease(name: string, owner: string, now: Date, ttlSeconds: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(opts?: { since?: Date; limit?: number }): Promise<AuditEntry[]>;
  close(): Promise<void>;
}
