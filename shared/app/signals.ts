import { formatDuration } from '../domain/duration.ts';
import type { Intent } from '../domain/types.ts';
import { display } from '../domain/units.ts';
import { baselineOf, isReadFailure } from '../planner/plan.ts';
import { intentFromRule, matchingRules, releasingRules, type TriggerSignal } from '../rules/rules.ts';
import type { BrainContext } from './context.ts';

// Signals --------------------------------------------------------------------------------
/**
 * An alarm state change or an alert: matching rules create intents, resolving signals
 * release the intents of rules that ask for it. A repeated delivery (same key) does nothing.
 */
export async function handleSignal(
  ctx: BrainContext,
  signal: TriggerSignal,
  idempotencyKey: string,
): Promise<{ duplicate: boolean; inProgress?: boolean; intents: Intent[]; released: number }> {
  const { repo, clock } = ctx.deps;
  const now = clock.now();
  const r = await repo.once(`signal:${idempotencyKey}`, now, ctx.inProgressSeconds, () =>
    applySignal(ctx, signal, now),
  );
  if (r.status === 'ran') return { duplicate: false, ...r.value };
  return { duplicate: true, inProgress: r.status === 'in-progress', intents: [], released: 0 };
}

/** The work of one signal: the intents of matching rules, the releases of resolving ones. */
async function applySignal(
  ctx: BrainContext,
  signal: TriggerSignal,
  now: Date,
): Promise<{ intents: Intent[]; released: number }> {
  const { repo } = ctx.deps;
  const created: Intent[] = [];
  const rules = matchingRules(ctx.config, signal);
  const actuals = rules.length ? await ctx.readActuals() : {};
  const state = rules.length ? await repo.plannerState(now) : undefined;
  for (const rule of rules) {
    const target = ctx.target(rule.then.target);
    const a = actuals[target.id];
    const actual = a && !isReadFailure(a) ? a : undefined;
    // A raise is relative to the actual capacity now; without it, to the baseline.
    const base = actual?.value ?? baselineOf(target, undefined, state?.targets[target.id]);
    const ref =
      signal.kind === 'alarm' ? `${signal.name}@${signal.id}` : `${signal.fingerprint}@${signal.startsAt}`;
    const trigger =
      signal.kind === 'alarm'
        ? `alarm ${signal.name} is ${signal.state}`
        : `alert ${signal.labels.alertname ?? signal.fingerprint} is firing`;
    let intent = intentFromRule(rule, target, base, now, { kind: signal.kind, ref }, trigger);
    // A relative raise is computed once per episode, from the value before it: while an
    // intent of this rule from the same alarm (or alert) still holds, a repeated ALARM
    // extends it at the same floor instead of raising again from the already raised value.
    const held = rule.then.raise ? await episodeFloor(ctx, rule.name, signal, now) : undefined;
    if (held !== undefined)
      intent = {
        ...intent,
        floor: held,
        reason: `rule ${rule.name}: ${trigger} again -> floor ${display(target, held)} held since the episode began, for ${formatDuration(rule.then.forSeconds)} more`,
      };
    if (await repo.addIntent(intent, now)) {
      created.push(intent);
      await repo.audit(
        {
          action: 'intent-created',
          target: target.id,
          after: { floor: display(target, intent.floor), until: intent.until },
          reason: intent.reason,
        },
        now,
      );
    }
  }
  let released = 0;
  for (const rule of releasingRules(ctx.config, signal)) {
    const prefix = `rule:${rule.name}:`;
    const mine = (await repo.intents(now)).filter((i) => i.id.startsWith(prefix) && matchesSource(i, signal));
    for (const i of mine) {
      await repo.removeIntent(i.id);
      released++;
      await repo.audit(
        {
          action: 'intent-released',
          target: i.target,
          before: { floor: i.floor },
          reason: `rule ${rule.name}: ${signal.kind === 'alarm' ? `alarm ${signal.name} is OK` : 'alert resolved'}`,
        },
        now,
      );
    }
  }
  return { intents: created, released };
}

/** The floor of a live episode of `rule` for this alarm or alert, if one holds now. */
async function episodeFloor(
  ctx: BrainContext,
  rule: string,
  signal: TriggerSignal,
  now: Date,
): Promise<number | undefined> {
  const live = (await ctx.deps.repo.intents(now)).filter(
    (i) =>
      i.id.startsWith(`rule:${rule}:`) && matchesSource(i, signal) && Date.parse(i.until) > now.getTime(),
  );
  return live.length ? Math.max(...live.map((i) => i.floor)) : undefined;
}

function matchesSource(i: Intent, signal: TriggerSignal): boolean {
  if (signal.kind === 'alarm') return i.source.kind === 'alarm' && i.source.ref.startsWith(`${signal.name}@`);
  return i.source.kind === 'alert' && i.source.ref.startsWith(`${signal.fingerprint}@`);
}
