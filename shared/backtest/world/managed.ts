/**
 * An AWS-managed resource (RDS read replicas or instance class, Aurora readers or ACUs,
 * ElastiCache replicas, shards, node type or ECPU minimum): a configured value and the value
 * that is ready capacity. Each added unit becomes ready after the kind's real lead time (the
 * actuator defaults in shared/domain/kinds.ts unless `backtest.leadTimes` says otherwise);
 * removing units of a count is immediate (units still on their way go first); a class or
 * node-type change (a ladder) takes the lead time either way. Exclusive kinds refuse a second
 * change while one is under way, as RDS and ElastiCache answer InvalidDBInstanceState /
 * InvalidReplicationGroupState.
 */
export class ManagedResource {
  value: number;
  private readyNow: number;
  /** Units on their way, oldest first. */
  private readonly arriving: { at: number; to?: number; units: number }[] = [];
  private readonly exclusive: boolean;
  private readonly ladder: boolean;
  /** The service refuses a change this soon after the last one (RDS storage: 6 h). */
  private readonly minIntervalMs: number;
  private lastSetAt = Number.NEGATIVE_INFINITY;
  changes = 0;

  constructor(initial: number, opts: { exclusive: boolean; ladder: boolean; minIntervalSeconds?: number }) {
    this.value = initial;
    this.readyNow = initial;
    this.exclusive = opts.exclusive;
    this.ladder = opts.ladder;
    this.minIntervalMs = (opts.minIntervalSeconds ?? 0) * 1000;
  }

  /** Ready capacity at `now`, settling changes whose lead time has passed. */
  ready(now: number): number {
    while (this.arriving.length && this.arriving[0]!.at <= now) {
      const a = this.arriving.shift()!;
      this.readyNow = this.ladder ? a.to! : this.readyNow + a.units;
    }
    return this.readyNow;
  }

  /** When the change under way ends, if this kind cannot take another one before. */
  busyUntil(now: number): number | undefined {
    this.ready(now);
    const arriving = this.exclusive && this.arriving.length ? this.arriving.at(-1)!.at : undefined;
    const allowed = this.lastSetAt + this.minIntervalMs;
    return allowed > now ? Math.max(allowed, arriving ?? allowed) : arriving;
  }

  set(now: number, to: number, leadSeconds: number): void {
    this.ready(now);
    const delta = to - this.value;
    this.value = to;
    this.changes++;
    this.lastSetAt = now;
    const at = now + leadSeconds * 1000;
    if (this.ladder) {
      this.arriving.push({ at, to, units: 0 });
      return;
    }
    if (delta > 0) {
      this.arriving.push({ at, units: delta });
      return;
    }
    let remove = -delta;
    while (remove > 0 && this.arriving.length) {
      const last = this.arriving.at(-1)!;
      const k = Math.min(remove, last.units);
      last.units -= k;
      remove -= k;
      if (last.units <= 0) this.arriving.pop();
    }
    this.readyNow -= remove;
  }
}
