import { randomUUID } from 'node:crypto';
import { iso } from '../domain/time.ts';
import type { Approval, AuditEntry, Campaign, Intent, PlannerState, TargetState } from '../domain/types.ts';
import type { SurgeState } from '../forecast/surge.ts';
import type { StateStore } from '../ports/state.ts';

/** Record namespaces of the state store. */
export const NS = {
  intent: 'intent',
  campaign: 'campaign',
  target: 'target',
  approval: 'approval',
  settings: 'settings',
  idempotency: 'idem',
  campaignFloor: 'campaign-floor',
  surge: 'surge',
} as const;

const DAY = 86400;

/** What `Repo.once` did: ran the work, or found it done or under way elsewhere. */
export type OnceResult<T> = { status: 'ran'; value: T } | { status: 'done' } | { status: 'in-progress' };

/** An idempotency key: `done` once its work succeeded (older records without status are done). */
interface IdempotencyRecord {
  status?: 'in-progress' | 'done';
  at: string;
}

/**
 * Typed access to the brain's memory over the generic StateStore port. Everything here is
 * idempotent or conditional: the store is shared by concurrent Lambda invocations.
 */
export class Repo {
  readonly store: StateStore;
  constructor(store: StateStore) {
    this.store = store;
  }

  // Intents -------------------------------------------------------------------------------
  /** Stores an intent unless one with the same id exists; returns false for a duplicate. */
  async addIntent(intent: Intent, now: Date, keepSeconds = DAY): Promise<boolean> {
    const expiresAt = Math.floor(Date.parse(intent.until) / 1000) + keepSeconds;
    return this.store.put(NS.intent, intent.id, intent, now, { ifAbsent: true, expiresAt });
  }

  async intents(now: Date): Promise<Intent[]> {
    return (await this.store.list<Intent>(NS.intent, now)).map((i) => i.value);
  }

  async removeIntent(id: string): Promise<void> {
    await this.store.delete(NS.intent, id);
  }

  // Campaigns -----------------------------------------------------------------------------
  async putCampaign(c: Campaign, now: Date): Promise<void> {
    const end = Date.parse(c.start) / 1000 + c.durationSeconds;
    await this.store.put(NS.campaign, c.name, c, now, { expiresAt: Math.floor(end + 30 * DAY) });
  }

  async storedCampaigns(now: Date): Promise<Campaign[]> {
    return (await this.store.list<Campaign>(NS.campaign, now)).map((i) => i.value);
  }

  /** The calendar: config campaigns, overridden (or cancelled) by stored ones of the same name. */
  async campaigns(configured: Campaign[], now: Date): Promise<Campaign[]> {
    const stored = await this.storedCampaigns(now);
    const byName = new Map(configured.map((c) => [c.name, c]));
    for (const c of stored) byName.set(c.name, c);
    return [...byName.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  }

  /** The floor a campaign holds on a target once its raise began, if one is recorded. */
  async campaignFloor(campaign: string, target: string, now: Date): Promise<number | undefined> {
    return (await this.store.get<{ floor: number }>(NS.campaignFloor, `${campaign}:${target}`, now))?.value
      .floor;
  }

  /** Records the floor a campaign holds on a target, kept two days past the intent's end. */
  async holdCampaignFloor(
    campaign: string,
    target: string,
    floor: number,
    until: string,
    now: Date,
  ): Promise<void> {
    const expiresAt = Math.floor(Date.parse(until) / 1000) + 2 * DAY;
    await this.store.put(NS.campaignFloor, `${campaign}:${target}`, { floor }, now, { expiresAt });
  }

  // Surges ---------------------------------------------------------------------------------
  /** Every surge recorded in the last 30 days (each signal's latest may still hold). */
  async surges(now: Date): Promise<SurgeState[]> {
    return (await this.store.list<SurgeState>(NS.surge, now)).map((i) => i.value);
  }

  /** Records a surge's state, kept 30 days past its end: forecasts leave its window out. */
  async putSurge(s: SurgeState, now: Date): Promise<void> {
    const expiresAt = Math.floor(Date.parse(s.until) / 1000) + 30 * DAY;
    await this.store.put(NS.surge, `${s.signal}:${s.since}`, s, now, { expiresAt });
  }

  // Target state --------------------------------------------------------------------------
  async targetState(id: string, now: Date): Promise<TargetState> {
    return (await this.store.get<TargetState>(NS.target, id, now))?.value ?? {};
  }

  /** Read-modify-write with optimistic concurrency, retried on a conflicting write. */
  async updateTargetState(
    id: string,
    now: Date,
    change: (s: TargetState) => TargetState,
  ): Promise<TargetState> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.store.get<TargetState>(NS.target, id, now);
      const next = change(structuredClone(current?.value ?? {}));
      const ok = await this.store.put(
        NS.target,
        id,
        next,
        now,
        current ? { ifVersion: current.version } : { ifAbsent: true },
      );
      if (ok) return next;
    }
    throw new Error(`could not update the state of target ${id}: too many concurrent writers`);
  }

  // Approvals -----------------------------------------------------------------------------
  async putApproval(a: Approval, now: Date): Promise<void> {
    await this.store.put(NS.approval, a.stepId, a, now, {
      expiresAt: Math.floor(now.getTime() / 1000) + DAY,
    });
  }

  // Pause ---------------------------------------------------------------------------------
  async setPaused(p: { by: string; at: string } | undefined, now: Date): Promise<void> {
    if (p) await this.store.put(NS.settings, 'paused', p, now);
    else await this.store.delete(NS.settings, 'paused');
  }

  async plannerState(now: Date): Promise<PlannerState> {
    const [targets, approvals, paused] = await Promise.all([
      this.store.list<TargetState>(NS.target, now),
      this.store.list<Approval>(NS.approval, now),
      this.store.get<{ by: string; at: string }>(NS.settings, 'paused', now),
    ]);
    return {
      targets: Object.fromEntries(targets.map((t) => [t.key, t.value])),
      approvals: Object.fromEntries(approvals.map((a) => [a.key, a.value])),
      paused: paused?.value,
    };
  }

  // Idempotency ---------------------------------------------------------------------------
  /** True the first time a key is claimed within `ttlSeconds`; false for a repeat. */
  async claim(key: string, now: Date, ttlSeconds = DAY): Promise<boolean> {
    return this.store.put(NS.idempotency, key, { at: iso(now) }, now, {
      ifAbsent: true,
      expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds,
    });
  }

  /** Marks a claimed key as done (overwriting an in-progress claim) for `ttlSeconds`. */
  async complete(key: string, now: Date, ttlSeconds = DAY): Promise<void> {
    await this.store.put(NS.idempotency, key, { at: iso(now), done: true }, now, {
      expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds,
    });
  }

  async unclaim(key: string): Promise<void> {
    await this.store.delete(NS.idempotency, key);
  }

  /**
   * Runs `work` once per key, with the semantics of Powertools idempotency: the key is first
   * stored as in progress, expiring after `inProgressSeconds` (the function's timeout), and
   * marked done (kept `ttlSeconds`) only when the work succeeded. A failure releases the key, so
   * a redelivery does the work; a process that dies leaves a record that expires, after which a
   * redelivery does the work too. A repeat while the first one runs is told so (`in-progress`);
   * a repeat after success does nothing (`done`).
   */
  async once<T>(
    key: string,
    now: Date,
    inProgressSeconds: number,
    work: () => Promise<T>,
    ttlSeconds = DAY,
  ): Promise<OnceResult<T>> {
    const epoch = Math.floor(now.getTime() / 1000);
    const record: IdempotencyRecord = { status: 'in-progress', at: iso(now) };
    let claimed = false;
    for (let attempt = 0; attempt < 2 && !claimed; attempt++) {
      claimed = await this.store.put(NS.idempotency, key, record, now, {
        ifAbsent: true,
        expiresAt: epoch + Math.max(1, Math.ceil(inProgressSeconds)),
      });
      if (claimed) break;
      const held = await this.store.get<IdempotencyRecord>(NS.idempotency, key, now);
      // Gone between the two calls (expired or released): try once more.
      if (held) return held.value.status === 'in-progress' ? { status: 'in-progress' } : { status: 'done' };
    }
    if (!claimed) return { status: 'in-progress' };
    let value: T;
    try {
      value = await work();
    } catch (err) {
      await this.unclaim(key).catch(() => {});
      throw err;
    }
    await this.store.put<IdempotencyRecord>(NS.idempotency, key, { status: 'done', at: iso(now) }, now, {
      expiresAt: epoch + ttlSeconds,
    });
    return { status: 'ran', value };
  }

  // Audit ---------------------------------------------------------------------------------
  async audit(entry: Omit<AuditEntry, 'id' | 'at'> & { at?: string }, now: Date): Promise<AuditEntry> {
    const full: AuditEntry = { id: randomUUID(), at: entry.at ?? iso(now), ...entry } as AuditEntry;
    await this.store.appendAudit(full);
    return full;
  }
}
