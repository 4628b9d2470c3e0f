import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { AuditEntry } from '../../domain/types.ts';
import type { PutOptions, StateStore, StoredItem } from '../../ports/state.ts';

/** How long a second process waits for the file lock before SQLite gives up (ms). */
const BUSY_TIMEOUT_MS = 5_000;
/** Expired rows are purged once every this many writes, so the file does not grow forever. */
const PURGE_EVERY_WRITES = 100;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS record (
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at REAL,
  PRIMARY KEY (ns, key)
);
CREATE TABLE IF NOT EXISTS lease (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at_ms DESC, seq DESC);
`;

interface RecordRow {
  key: string;
  value: string;
  version: number;
  expires_at: number | null;
}

const epochSeconds = (now: Date): number => now.getTime() / 1000;

function toItem<T>(ns: string, row: RecordRow): StoredItem<T> {
  const item: StoredItem<T> = { ns, key: row.key, value: JSON.parse(row.value) as T, version: row.version };
  if (row.expires_at !== null) item.expiresAt = row.expires_at;
  return item;
}

/**
 * The embedded store of the command line and `headroom dev`: one SQLite file (or memory).
 * WAL and a busy timeout let two processes share the file; every conditional write is one
 * IMMEDIATE transaction (or one statement), so the check and the write cannot interleave
 * with another process. A record whose `expiresAt` is at or before `now` is treated as absent.
 */
export class SqliteStateStore implements StateStore {
  private readonly db: DatabaseSync;
  private writes = 0;
  private closed = false;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
    if (file !== ':memory:') this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.db.exec(SCHEMA);
  }

  async get<T>(ns: string, key: string, now: Date): Promise<StoredItem<T> | undefined> {
    const row = this.db
      .prepare(
        'SELECT key, value, version, expires_at FROM record WHERE ns = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)',
      )
      .get(ns, key, epochSeconds(now)) as RecordRow | undefined;
    return row ? toItem<T>(ns, row) : undefined;
  }

  async put<T>(ns: string, key: string, value: T, now: Date, opts: PutOptions = {}): Promise<boolean> {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`State value for ${ns}/${key} is not JSON-serialisable`);
    const nowSec = epochSeconds(now);
    const written = this.immediate(() => {
      const current = this.db
        .prepare(
          'SELECT version FROM record WHERE ns = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)',
        )
        .get(ns, key, nowSec) as { version: number } | undefined;
      if (opts.ifAbsent && current) return false;
      if (opts.ifVersion !== undefined && current?.version !== opts.ifVersion) return false;
      this.db
        .prepare(
          `INSERT INTO record (ns, key, value, version, expires_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, version = excluded.version, expires_at = excluded.expires_at`,
        )
        .run(ns, key, json, (current?.version ?? 0) + 1, opts.expiresAt ?? null);
      return true;
    });
    if (written) this.purgeNowAndThen(nowSec);
    return written;
  }

  async delete(ns: string, key: string): Promise<void> {
    this.db.prepare('DELETE FROM record WHERE ns = ? AND key = ?').run(ns, key);
  }

  async list<T>(ns: string, now: Date): Promise<StoredItem<T>[]> {
    const rows = this.db
      .prepare(
        'SELECT key, value, version, expires_at FROM record WHERE ns = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY key',
      )
      .all(ns, epochSeconds(now)) as unknown as RecordRow[];
    return rows.map((row) => toItem<T>(ns, row));
  }

  async acquireLease(name: string, owner: string, now: Date, ttlSeconds: number): Promise<boolean> {
    const nowSec = epochSeconds(now);
    // One statement: insert, or take over only when the holder is us or its lease has run out.
    const { changes } = this.db
      .prepare(
        `INSERT INTO lease (name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE lease.owner = excluded.owner OR lease.expires_at <= ?`,
      )
      .run(name, owner, nowSec + ttlSeconds, nowSec);
    return Number(changes) === 1;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.db.prepare('DELETE FROM lease WHERE name = ? AND owner = ?').run(name, owner);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const atMs = Date.parse(entry.at);
    if (Number.isNaN(atMs)) throw new TypeError(`Audit entry ${entry.id} has an invalid time: ${entry.at}`);
    this.db.prepare('INSERT INTO audit (at_ms, entry) VALUES (?, ?)').run(atMs, JSON.stringify(entry));
  }

  async listAudit(opts: { since?: Date; limit?: number } = {}): Promise<AuditEntry[]> {
    const since = opts.since?.getTime() ?? Number.MIN_SAFE_INTEGER;
    const limit = opts.limit ?? -1; // SQLite: a negative LIMIT means no limit
    const rows = this.db
      .prepare('SELECT entry FROM audit WHERE at_ms >= ? ORDER BY at_ms DESC, seq DESC LIMIT ?')
      .all(since, limit) as unknown as { entry: string }[];
    return rows.map((row) => JSON.parse(row.entry) as AuditEntry);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private immediate<R>(fn: () => R): R {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  private purgeNowAndThen(nowSec: number): void {
    this.writes += 1;
    if (this.writes % PURGE_EVERY_WRITES !== 0) return;
    this.db.prepare('DELETE FROM record WHERE expires_at IS NOT NULL AND expires_at <= ?').run(nowSec);
    this.db.prepare('DELETE FROM lease WHERE expires_at <= ?').run(nowSec);
  }
}

/** Opens (creating if missing) the SQLite state store at `file`, or an in-memory one. */
export function openSqliteStateStore(file: string | ':memory:'): SqliteStateStore {
  return new SqliteStateStore(file);
}
