import { activeCampaignsFor } from '../campaigns/campaigns.ts';
import type { RawCampaign } from '../config/schema.ts';
import type { Config } from '../config/types.ts';
import { InputError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type {
  Actual,
  AuditEntry,
  Campaign,
  DemandView,
  Intent,
  Target,
  TargetFailure,
} from '../domain/types.ts';
import { display, fieldOf } from '../domain/units.ts';
import { describeError, execute, type StepResult } from '../executor/executor.ts';
import { type ActualOrFailure, type FullPlan, isReadFailure, plan } from '../planner/plan.ts';
import { type Logger, silentLogger } from '../ports/logger.ts';
import type { TriggerSignal } from '../rules/rules.ts';
import type { Repo } from '../state/repo.ts';
import { addCampaign, cancelCampaign } from './campaign-calendar.ts';
import { type CeilingRequest, requestCeiling } from './ceiling-requests.ts';
import type { BrainContext, BrainDeps } from './context.ts';
import { type FloorRequest, requestFloor } from './floor-requests.ts';
import { allIntents } from './intent-assembly.ts';
import { type Releaser, releaseIntents } from './release.ts';
import { handleSignal } from './signals.ts';

export type { BrainContext, BrainDeps } from './context.ts';
export type { FloorRequest } from './floor-requests.ts';

export interface ReconcileResult {
  plan: FullPlan;
  results: StepResult[];
}

/** A forecast-only advice that stays the same is recorded again after this long. */
const ADVICE_REPEAT_SECONDS = 3600;

/**
 * The use cases every trigger calls: record intents from signals, commands and campaigns,
 * and reconcile (plan, then execute). One instance per process; all state lives in the store.
 */
export class Brain {
  readonly config: Config;
  private readonly deps: BrainDeps;
  private readonly log: Logger;
  /** What the last reconcile of this process logged per target: repeats are not logged again. */
  private readonly lastLogged = new Map<string, string>();

  /** How long a claimed idempotency key counts as in progress (the function timeout). */
  get inProgressSeconds(): number {
    return this.deps.inProgressSeconds ?? 60;
  }

  /** What the use cases are given. */
  private get context(): BrainContext {
    return {
      config: this.config,
      deps: this.deps,
      inProgressSeconds: this.inProgressSeconds,
      target: (id) => this.target(id),
      readActuals: () => this.readActuals(),
      campaigns: (now) => this.campaigns(now),
      log: this.log,
    };
  }

  constructor(deps: BrainDeps) {
    this.deps = deps;
    this.config = deps.config;
    this.log = deps.logger ?? silentLogger;
  }

  get repo(): Repo {
    return this.deps.repo;
  }

  target(id: string): Target {
    const t = this.config.targets.find((x) => x.id === id);
    if (!t)
      throw new InputError(
        `unknown target "${id}" (known: ${this.config.targets.map((x) => x.id).join(', ')})`,
      );
    return t;
  }

  // Reading --------------------------------------------------------------------------------
  async readActuals(): Promise<Record<string, ActualOrFailure>> {
    const entries = await Promise.all(
      this.config.targets.map(async (t): Promise<[string, ActualOrFailure]> => {
        try {
          return [t.id, await this.deps.actuators(t).read(t)];
        } catch (err) {
          return [t.id, { error: describeError(err) }];
        }
      }),
    );
    return Object.fromEntries(entries);
  }

  async campaigns(now = this.deps.clock.now()): Promise<Campaign[]> {
    return this.deps.repo.campaigns(this.config.campaigns, now);
  }

  /** Stored intents plus those derived now from cron rules, campaigns and forecasts. */
  allIntents(now: Date, actuals: Record<string, ActualOrFailure>, persist = false): Promise<Intent[]> {
    return allIntents(this.context, now, actuals, persist);
  }

  /** What the brain would do at `at` (default now), from the actual state read now. */
  async plan(at?: Date, persist = false): Promise<FullPlan> {
    const now = at ?? this.deps.clock.now();
    const actuals = await this.readActuals();
    const [intents, state] = await Promise.all([
      this.allIntents(now, actuals, persist),
      this.deps.repo.plannerState(now),
    ]);
    return plan(this.config, intents, actuals, state, now);
  }

  /** Plan now and execute what is due. Safe to run concurrently and repeatedly. */
  async reconcile(trigger = 'tick'): Promise<ReconcileResult> {
    const p = await this.plan(undefined, true);
    const results = await execute(this.config, p, this.deps);
    for (const t of p.targets) {
      const step = t.steps[0];
      const outcome = results.find((r) => r.target === t.id);
      // One line per decision that changed (or a step that was tried), not one per target per tick.
      const seen = `${t.decision}|${t.actual}|${t.desired}|${step?.id ?? ''}`;
      const changed = this.lastLogged.get(t.id) !== seen;
      this.lastLogged.set(t.id, seen);
      const tried = outcome?.outcome === 'executed' || outcome?.outcome === 'failed';
      if (t.decision === 'no-op' || (!changed && !tried)) continue;
      this.log.info(
        `${t.id}: ${t.decision} ${t.actual} -> ${t.desired}${step ? ` (step ${step.id} ${JSON.stringify(step.set)} at ${step.at})` : ''}${outcome ? ` [${outcome.outcome}${outcome.message ? `: ${outcome.message}` : ''}]` : ''} — ${t.reasons.join('; ')}`,
        { target: t.id, decision: t.decision, trigger },
      );
    }
    await this.recordAdvice(p);
    await this.recordManualChanges(p);
    return { plan: p, results };
  }

  /**
   * A target someone raised by hand above what Headroom set is left where they put it: said
   * once per value in the audit log, with who changed it where the API tells.
   */
  private async recordManualChanges(p: FullPlan): Promise<void> {
    const { repo, clock } = this.deps;
    const now = clock.now();
    for (const t of p.targets) {
      if (!t.manual) continue;
      if (!(await repo.claim(`manual:${t.id}:${t.manual.value}`, now))) continue;
      const target = this.target(t.id);
      const field = fieldOf(target);
      await repo.audit(
        {
          action: 'manual-change',
          target: t.id,
          before: { [field]: display(target, t.manual.headroomSet) },
          after: { [field]: display(target, t.manual.value) },
          reason: t.reasons.find((r) => r.startsWith('kept at')) ?? 'set by hand',
          actor: t.manual.by ?? 'unknown (the API does not say)',
        },
        now,
      );
      this.log.info(`${t.id}: set by hand to ${display(target, t.manual.value)}; left as is`, {
        target: t.id,
      });
    }
  }

  /**
   * forecast-only targets are never changed, but what the forecast would do is recorded: a
   * `step-dry-run` audit entry (and a log line) when the advice appears or changes, and again
   * every hour while it holds.
   */
  private async recordAdvice(p: FullPlan): Promise<void> {
    const { repo, clock } = this.deps;
    const now = clock.now();
    for (const t of p.targets) {
      if (!t.advice) continue;
      const target = this.target(t.id);
      const to = display(target, t.advice.floor);
      if (!(await repo.claim(`forecast-only:${t.id}:${t.advice.floor}`, now, ADVICE_REPEAT_SECONDS)))
        continue;
      const field = Object.keys(t.steps[0]?.set ?? {})[0] ?? fieldOf(target);
      await repo.audit(
        {
          action: 'step-dry-run',
          target: t.id,
          before: { [field]: t.actual },
          after: { [field]: to },
          reason: t.advice.reason,
        },
        now,
      );
      this.log.info(`${t.id}: forecast-only ${t.actual} -> ${to} (not applied) — ${t.advice.reason}`, {
        target: t.id,
        decision: 'forecast-only',
      });
    }
  }

  // Signals and floor requests (use cases in signals.ts and floor-requests.ts) --------------
  /**
   * An alarm state change or an alert: matching rules create intents, resolving signals
   * release the intents of rules that ask for it. A repeated delivery (same key) does nothing.
   */
  handleSignal(
    signal: TriggerSignal,
    idempotencyKey: string,
  ): Promise<{ duplicate: boolean; inProgress?: boolean; intents: Intent[]; released: number }> {
    return handleSignal(this.context, signal, idempotencyKey);
  }

  /** A floor asked for by a person (Slack, CLI) or another system (an event on the bus). */
  requestFloor(req: FloorRequest, idempotencyKey?: string): Promise<Intent | undefined> {
    return requestFloor(this.context, req, idempotencyKey);
  }

  /** A ceiling asked for by a person (docs/ceilings.md). */
  requestCeiling(req: CeilingRequest): Promise<Intent> {
    return requestCeiling(this.context, req);
  }

  // Campaigns (use cases in campaign-calendar.ts) -------------------------------------------
  /** Adds a campaign to the calendar (a start of now, +2h or in 30m counts from now). */
  addCampaign(input: RawCampaign, actor: string): Promise<Campaign> {
    return addCampaign(this.context, input, actor);
  }

  /** Cancels a campaign: its floors are released and its phase schedules removed. */
  cancelCampaign(name: string, actor: string): Promise<Campaign> {
    return cancelCampaign(this.context, name, actor);
  }

  // Approvals and pauses ---------------------------------------------------------------------
  async decide(stepId: string, decision: 'approved' | 'rejected', by: string): Promise<ReconcileResult> {
    const { repo, clock } = this.deps;
    const now = clock.now();
    const pending = (await this.plan()).targets.find(
      (t) => t.steps[0]?.id === stepId && t.decision === 'needs-approval',
    );
    if (!pending) throw new InputError(`no step ${stepId} is waiting for approval`);
    await repo.putApproval({ stepId, decision, by, at: iso(now) }, now);
    await repo.audit(
      {
        action: 'approval',
        target: pending.id,
        stepId,
        reason: `step ${stepId} ${decision} by ${by}`,
        actor: by,
      },
      now,
    );
    return this.reconcile(`${decision} ${stepId}`);
  }

  /** Ends intents early (shared/app/release.ts): one by id, or every live intent of a target. */
  release(what: string, who: Releaser, note?: string): Promise<Intent[]> {
    return releaseIntents(this.deps, what, who, note);
  }

  async pause(targetId: string | undefined, by: string): Promise<void> {
    const { repo, clock } = this.deps;
    const now = clock.now();
    const p = { by, at: iso(now) };
    if (targetId) {
      this.target(targetId);
      await repo.updateTargetState(targetId, now, (s) => ({ ...s, paused: p }));
    } else await repo.setPaused(p, now);
    await repo.audit(
      { action: 'paused', target: targetId, reason: `${targetId ?? 'all targets'} paused`, actor: by },
      now,
    );
  }

  async resume(targetId: string | undefined, by: string): Promise<void> {
    const { repo, clock } = this.deps;
    const now = clock.now();
    if (targetId) {
      this.target(targetId);
      await repo.updateTargetState(targetId, now, (s) => ({ ...s, paused: undefined }));
    } else await repo.setPaused(undefined, now);
    await repo.audit(
      { action: 'resumed', target: targetId, reason: `${targetId ?? 'all targets'} resumed`, actor: by },
      now,
    );
  }

  // Views ------------------------------------------------------------------------------------
  /** Targets with actual and desired capacity, live intents and campaigns (GET /api/state). */
  async snapshot(): Promise<{
    at: string;
    paused?: { by: string; at: string };
    targets: (FullPlan['targets'][number] & {
      ready?: number | string;
      details?: Record<string, unknown>;
      /** The last step's failure and, when retryable, its next retry (TargetState.failure). */
      failure?: TargetFailure;
    })[];
    intents: Intent[];
    campaigns: Campaign[];
  }> {
    const now = this.deps.clock.now();
    const actuals = await this.readActuals();
    const [intents, state, campaigns] = await Promise.all([
      this.allIntents(now, actuals),
      this.deps.repo.plannerState(now),
      this.campaigns(now),
    ]);
    const p = plan(this.config, intents, actuals, state, now);
    return {
      at: p.at,
      paused: state.paused,
      targets: p.targets.map((t) => {
        const a = actuals[t.id] as Actual | undefined;
        const target = this.target(t.id);
        const failure = state.targets[t.id]?.failure;
        const withFailure = failure ? { ...t, failure } : t;
        return a && !isReadFailure(a)
          ? {
              ...withFailure,
              ready: a.ready !== undefined ? display(target, a.ready) : undefined,
              details: a.details,
            }
          : withFailure;
      }),
      intents: intents.filter((i) => Date.parse(i.until) + 86400_000 > now.getTime()),
      campaigns,
    };
  }

  /** The demand forecast of each signal from now to `until` (the dashboard's charts); {} without one. */
  async forecasts(until: Date): Promise<Record<string, DemandView>> {
    const { demand, clock } = this.deps;
    return demand ? demand.demand(this.config, clock.now(), until) : {};
  }

  async audit(opts: { since?: Date; limit?: number } = {}): Promise<AuditEntry[]> {
    return this.deps.repo.store.listAudit(opts);
  }

  activeCampaigns(campaigns: Campaign[], targetId: string): Campaign[] {
    return activeCampaignsFor(campaigns, targetId, this.deps.clock.now().getTime());
  }
}
