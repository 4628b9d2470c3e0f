import { iso } from '../domain/time.ts';
import type { Intent, Target } from '../domain/types.ts';
import { display, stepsBetween } from '../domain/units.ts';
import { intentStart } from '../planner/plan.ts';
import { stageIntervalSeconds } from '../planner/windows.ts';
import type { LayerVerdict } from './rehearsal-types.ts';

/** A layer's verdict in a rehearsal (rehearse.ts): ready before the start, or late and why. */

export interface Track {
  /** Units the campaign needs, as the plan states it once the target's raise is due. */
  need?: number;
  needReasons: string[];
  firstStep?: number;
  readyAt?: number;
  revertedAt?: number;
  /** Why the target was held back before it was ready: approvals, blocks, guards. */
  held: string[];
  series: { at: string; ready: number; value: number }[];
}

/** A span for people: `44m`, `12m30s`, `1h5m`. */
export function span(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest ? `${rest}s` : ''}`;
  return out || '0m';
}

export function verdict(
  target: Target,
  tr: Track,
  initial: number,
  from: number,
  start: number,
  end: number,
): LayerVerdict {
  const need = tr.need ?? initial;
  const stages = need > initial ? Math.max(0, stepsBetween(target, initial, need) - 1) : 0;
  const staging = stages * stageIntervalSeconds(target);
  const leadSeconds = target.leadTimeSeconds + target.marginSeconds + staging;
  const due =
    need > initial ? intentStart(target, { floor: need, from: iso(start) } as Intent, initial) : undefined;
  const reasons: string[] = [...tr.held];
  if (due !== undefined && due < from) {
    const parts = [`lead time ${span(target.leadTimeSeconds)}`];
    if (target.marginSeconds) parts.push(`margin ${span(target.marginSeconds)}`);
    if (staging) parts.push(`${stages} staged step(s) ${span(staging)}`);
    reasons.unshift(
      `${parts.join(' + ')} = ${span(leadSeconds)} is longer than the ${span((start - Math.max(from, 0)) / 1000)} left before the start`,
    );
  }
  // Ready since the last change that brought ready capacity up to the need (the start, when the
  // actual state already covered it).
  let readyAt = tr.readyAt ?? (need <= initial ? from : undefined);
  if (readyAt !== undefined) {
    const before = tr.series.filter((p) => Date.parse(p.at) <= readyAt!);
    const short = before.findLastIndex((p) => p.ready < need);
    readyAt = short < 0 ? from : Date.parse(before[short + 1]?.at ?? iso(readyAt));
  }
  const status = readyAt === undefined ? 'not-ready' : readyAt <= start ? 'ready' : 'late';
  if (status === 'ready' && need <= initial)
    reasons.push('no change needed: the current value covers the campaign');
  const mins =
    status === 'ready'
      ? Math.floor((start - readyAt!) / 60_000)
      : Math.ceil(((readyAt ?? end) - start) / 60_000);
  return {
    target: target.id,
    kind: target.kind,
    status,
    minutes: mins,
    from: display(target, initial),
    need: display(target, need),
    dueAt: due !== undefined ? iso(due) : undefined,
    firstStepAt: tr.firstStep !== undefined ? iso(tr.firstStep) : undefined,
    readyAt: readyAt !== undefined ? iso(readyAt) : undefined,
    revertedAt: tr.revertedAt !== undefined ? iso(tr.revertedAt) : undefined,
    leadTime: span(target.leadTimeSeconds),
    reasons,
    ...(tr.needReasons[0] ? { capped: tr.needReasons[0] } : {}),
    series: tr.series,
  };
}
