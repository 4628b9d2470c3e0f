import type { AuditEntry } from '../domain/types.ts';
import type { PutOptions, StateStore, StoredItem } from '../ports/state.ts';

/**
 * A state store in process memory, for simulations and backtests that run thousands of
 * reconciles and need no persistence. Same semantics as the durable adapters.
 */
export class MemoryStateStore implements StateStore {
  private readonly items = new Map<string, StoredItem>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  private readonly auditLog: AuditEntry[] = [];

  private live(item: StoredItem | undefined, now: Date): StoredItem | undefined {
    if (!item) return undefined;
    if (item.expiresAt !== undefined && item.expiresAt <= now.getTime() / 1000) return undefined;
    return item;
  }

  async get<T>(ns: string, key: string, now: Date): Promise<StoredItem<T> | undefined> {
    const item = this.live(this.items.get(`${ns}\u0000${key}`), now);
    return item ? (structuredClone(item) as StoredItem<T>) : undefined;
  }

  async put<T>(ns: string, key: string, value: T, now: Date, opts: PutOptions = {}): Promise<boolean> {
    const k = `${ns}\u0000${key}`;
    const current = this.live(this.items.get(k), now);
    if (opts.ifAbsent && current) return false;
    if (opts.ifVersion !== undefined && current?.version !== opts.ifVersion) return false;
    this.items.set(k, {
      ns,
      key,
      value: structuredClone(value),
      version: (current?.version ?? 0) + 1,
      expiresAt: opts.expiresAt,
    });
    return true;
  }

  async delete(ns: string, key: string): Promise<void> {
    this.items.delete(`${ns}\u0000${key}`);
  }

  async list<T>(ns: string, now: Date): Promise<StoredItem<T>[]> {
    const out: StoredItem<T>[] = [];
    for (const item of this.items.values()) {
      if (item.ns === ns && this.live(item, now)) out.push(structuredClone(item) as StoredItem<T>);
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async acquireLease(name: string, owner: string, now: Date, ttlSeconds: number): Promise<boolean> {
    const l = this.leases.get(name);
    if (l && l.owner !== owner && l.expiresAt > now.getTime()) return false;
    this.leases.set(name, { owner, expiresAt: now.getTime() + ttlSeconds * 1000 });
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.auditLog.push(structuredClone(entry));
  }

  async listAudit(opts: { since?: Date; limit?: number } = {}): Promise<AuditEntry[]> {
    const since = opts.since?.getTime() ?? Number.NEGATIVE_INFINITY;
    const out = this.auditLog
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => Date.parse(e.at) >= since)
      .sort((a, b) => Date.parse(b.e.at) - Date.parse(a.e.at) || b.i - a.i)
      .map(({ e }) => structuredClone(e));
    return opts.limit !== undefined ? out.slice(0, opts.limit) : out;
  }

  async close(): Promise<void> {}
}
