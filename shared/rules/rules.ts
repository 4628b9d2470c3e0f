import { Cron } from 'croner';
import type { Config, Rule } from '../config/types.ts';
import { formatDuration } from '../domain/duration.ts';
import { iso } from '../domain/time.ts';
import type { Intent, IntentSource, RaiseSpec, Target } from '../domain/types.ts';
import { display } from '../domain/units.ts';

/** A CloudWatch alarm's state change, as the rules see it. */
export interface AlarmSignal {
  kind: 'alarm';
  name: string;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  reason?: string;
  id: string;
}

/** A Prometheus alert from AlertManager, as the rules see it. */
export interface AlertSignal {
  kind: 'alert';
  labels: Record<string, string>;
  status: 'firing' | 'resolved';
  fingerprint: string;
  startsAt: string;
}

/** Something that happened and may trigger a rule (not a demand signal: see DemandSignal). */
export type TriggerSignal = AlarmSignal | AlertSignal;

/** Compiled globs: rule patterns are few and fixed, alarms are matched against them often. */
const globs = new Map<string, RegExp>();

/** Glob with `*` and `?`, anchored, case-sensitive (CloudWatch alarm names are). */
export function globMatch(pattern: string, text: string): boolean {
  let re = globs.get(pattern);
  if (!re) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${source}$`);
    globs.set(pattern, re);
  }
  return re.test(text);
}

/** AlertManager-style matchers: `value` exact, `=~re`, `!=value`, `!~re` (regexes anchored). */
export function labelsMatch(matchers: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(matchers).every(([k, m]) => {
    const v = labels[k] ?? '';
    if (m.startsWith('=~')) return new RegExp(`^(?:${m.slice(2)})$`).test(v);
    if (m.startsWith('!~')) return !new RegExp(`^(?:${m.slice(2)})$`).test(v);
    if (m.startsWith('!=')) return v !== m.slice(2);
    return v === m;
  });
}

/** Rules whose `when` this signal satisfies (for alarms: name and state; for alerts: labels). */
export function matchingRules(config: Config, signal: TriggerSignal): Rule[] {
  return config.rules.filter((r) => {
    if (signal.kind === 'alarm')
      return (
        r.when.alarm !== undefined && globMatch(r.when.alarm, signal.name) && r.when.state === signal.state
      );
    return r.when.alert !== undefined && labelsMatch(r.when.alert, signal.labels);
  });
}

/** Rules an OK alarm or a resolved alert releases (`releaseOnResolve`). */
export function releasingRules(config: Config, signal: TriggerSignal): Rule[] {
  return config.rules.filter((r) => {
    if (!r.releaseOnResolve) return false;
    if (signal.kind === 'alarm')
      return r.when.alarm !== undefined && signal.state === 'OK' && globMatch(r.when.alarm, signal.name);
    return (
      r.when.alert !== undefined && signal.status === 'resolved' && labelsMatch(r.when.alert, signal.labels)
    );
  });
}

/**
 * The absolute floor of a rule or a command. `raise` is relative to the actual capacity when
 * the intent is created (a percentage rounds up, at least one unit); a ladder moves up tiers.
 */
export function resolveFloor(
  target: Target,
  base: number,
  spec: { floor?: number; raise?: RaiseSpec },
): number {
  if (spec.floor !== undefined) return spec.floor;
  const r = spec.raise!;
  if (target.scale === 'ladder') return base + (r.percent ? Math.max(1, Math.ceil(r.value / 100)) : r.value);
  const add = r.percent ? Math.max(target.granularity, Math.ceil((base * r.value) / 100)) : r.value;
  return base + add;
}

function describeFloor(target: Target, rule: Rule, floor: number, base: number): string {
  if (rule.then.raise) {
    const r = rule.then.raise;
    return `raise ${r.value}${r.percent ? '%' : ''} from ${display(target, base)} to ${display(target, floor)}`;
  }
  return `floor ${display(target, floor)}`;
}

/** The intent a rule makes from a signal, `for` long from `now`. */
export function intentFromRule(
  rule: Rule,
  target: Target,
  base: number,
  now: Date,
  source: IntentSource,
  trigger: string,
): Intent {
  const floor = resolveFloor(target, base, rule.then);
  return {
    id: `rule:${rule.name}:${source.ref}`,
    target: target.id,
    floor,
    raise: rule.then.raise,
    from: iso(now),
    until: iso(now.getTime() + rule.then.forSeconds * 1000),
    reason: `rule ${rule.name}: ${trigger} -> ${describeFloor(target, rule, floor, base)} for ${formatDuration(rule.then.forSeconds)}`,
    source,
    rule: rule.name,
    createdAt: iso(now),
  };
}

interface CronMemo {
  cron: Cron;
  /** nextRun(from) was `next`: there is no run in (from, next), so any later `from` below it gives it too. */
  from: number;
  next: number | null;
  /** The run after each recent run: every reconcile walks the same runs of the next day. */
  after: Map<number, number | null>;
}
const crons = new WeakMap<Rule, CronMemo>();

/** The first run strictly after `from`; parsers and recent answers are kept per rule object. */
function nextRun(rule: Rule, timezone: string, from: Date): Date | null {
  let m = crons.get(rule);
  if (!m) {
    m = {
      cron: new Cron(rule.when.cron!, { timezone, paused: true }),
      from: Number.NaN,
      next: null,
      after: new Map(),
    };
    crons.set(rule, m);
  }
  const t = from.getTime();
  if (t >= m.from && m.next !== null && t < m.next) return new Date(m.next);
  const next = m.cron.nextRun(from);
  m.from = t;
  m.next = next ? next.getTime() : null;
  return next;
}

/** The run after `run` (itself a run of the rule); remembered per rule. */
function runAfter(rule: Rule, run: Date): Date | null {
  const m = crons.get(rule)!;
  const key = run.getTime();
  let next = m.after.get(key);
  if (next === undefined) {
    next = m.cron.nextRun(run)?.getTime() ?? null;
    if (m.after.size >= 512) m.after.clear();
    m.after.set(key, next);
  }
  return next === null ? null : new Date(next);
}

/**
 * Intents of cron rules, derived on every reconcile: each occurrence in the config time zone
 * whose window is live now or starts within `lookaheadSeconds`, so the planner can start a
 * slow change early. `base` gives each target's baseline for relative raises.
 */
export function cronIntents(
  config: Config,
  now: Date,
  base: (target: Target) => number,
  lookaheadSeconds = 86400,
): Intent[] {
  const out: Intent[] = [];
  const byId = new Map(config.targets.map((t) => [t.id, t]));
  for (const rule of config.rules) {
    if (!rule.when.cron) continue;
    const target = byId.get(rule.then.target);
    if (!target) continue;
    const keepAfter = rule.then.forSeconds + target.scaleDownDelaySeconds;
    let t = nextRun(rule, config.timezone, new Date(now.getTime() - keepAfter * 1000));
    const horizon = now.getTime() + lookaheadSeconds * 1000;
    while (t && t.getTime() <= horizon) {
      const b = base(target);
      const intent = intentFromRule(
        rule,
        target,
        b,
        t,
        { kind: 'cron', ref: `${rule.name}@${iso(t)}` },
        `schedule "${rule.when.cron}" (${config.timezone}) at ${iso(t)}`,
      );
      intent.id = `cron:${rule.name}:${iso(t)}`;
      out.push(intent);
      t = runAfter(rule, t);
    }
  }
  return out;
}
