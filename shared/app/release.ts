import type { Config } from '../config/types.ts';
import { InputError } from '../domain/errors.ts';
import { iso } from '../domain/time.ts';
import type { Intent, IntentSource } from '../domain/types.ts';
import { display } from '../domain/units.ts';
import type { Clock } from '../ports/clock.ts';
import type { Repo } from '../state/repo.ts';

/** Who asks for a release. */
export interface Releaser {
  /** Written to the audit entry (`slack:U0G9QF9C6`, a CLI user name). */
  actor: string;
  /** How this person's own intents are recorded: they may release those (`intent.source`). */
  source: IntentSource;
  /** Approvers may also release intents created by someone else (rules, other people, systems). */
  approver: boolean;
}

export interface ReleaseDeps {
  repo: Repo;
  config: Config;
  clock: Clock;
}

function createdBy(i: Intent, who: Releaser): boolean {
  return i.source.kind === who.source.kind && i.source.ref === who.source.ref;
}

/** The live stored intents `what` names: one intent by id, or every live intent of a target. */
function selectIntents(config: Config, stored: Intent[], what: string, now: Date): Intent[] {
  const live = stored.filter((i) => Date.parse(i.until) > now.getTime());
  const byId = live.find((i) => i.id === what);
  if (byId) return [byId];
  const ended = stored.find((i) => i.id === what);
  if (ended) throw new InputError(`intent ${what} already ended at ${ended.until}`);
  if (config.targets.some((t) => t.id === what)) {
    const mine = live.filter((i) => i.target === what);
    if (mine.length === 0) throw new InputError(`no live intent holds a floor on target ${what}`);
    return mine;
  }
  const known = live.map((i) => i.id).slice(0, 10);
  throw new InputError(
    `no live intent or target "${what}"${known.length ? ` (live intents: ${known.join(', ')})` : ' (no intent is live)'}; floors of campaigns end with \`campaign cancel <name>\``,
  );
}

/**
 * Ends intents before their time: one by id, or every live intent of a target. Approvers may
 * release any intent, everyone else only their own; when one of them is not permitted nothing
 * is released. Each release is audited; the next reconcile reverts what the floor held, as
 * for an intent that ended on time.
 */
export async function releaseIntents(
  deps: ReleaseDeps,
  what: string,
  who: Releaser,
  note?: string,
): Promise<Intent[]> {
  const now = deps.clock.now();
  const selected = selectIntents(deps.config, await deps.repo.intents(now), what.trim(), now);
  const refused = selected.filter((i) => !who.approver && !createdBy(i, who));
  if (refused.length > 0)
    throw new InputError(
      `only approvers may release intents created by someone else: ${refused.map((i) => `${i.id} (by ${i.source.kind} ${i.source.ref})`).join(', ')}; nothing was released`,
    );
  const reason = `released by ${who.actor}${note?.trim() ? `: ${note.trim()}` : ''}`;
  for (const i of selected) {
    const target = deps.config.targets.find((t) => t.id === i.target);
    await deps.repo.removeIntent(i.id);
    await deps.repo.audit(
      {
        action: 'intent-released',
        target: i.target,
        before:
          i.ceiling !== undefined
            ? { id: i.id, ceiling: i.ceiling, until: i.until }
            : { id: i.id, floor: target ? display(target, i.floor) : i.floor, until: i.until },
        after: { until: iso(now) },
        reason,
        actor: who.actor,
      },
      now,
    );
  }
  return selected;
}
