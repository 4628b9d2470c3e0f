import { Cron } from 'croner';
import type { Config, Schedule } from '../config/types.ts';
import { formatDuration } from '../domain/duration.ts';
import { iso } from '../domain/time.ts';
import type { Intent } from '../domain/types.ts';

interface RunMemo {
  cron: Cron;
  /** Every run in (lo, hi], computed once: reconciles a minute apart ask for nearly the same range. */
  lo: number;
  hi: number;
  runs: number[];
}
const memos = new WeakMap<Schedule, RunMemo>();

/** The runs of a schedule in (lo, hi]; a day more is computed ahead and kept per schedule object. */
function runsBetween(s: Schedule, lo: number, hi: number): number[] {
  let m = memos.get(s);
  if (!m) {
    m = { cron: new Cron(s.cron, { timezone: s.timezone, paused: true }), lo: 0, hi: -1, runs: [] };
    memos.set(s, m);
  }
  if (lo < m.lo || hi > m.hi) {
    const runs: number[] = [];
    const until = hi + 86400_000;
    let run = m.cron.nextRun(new Date(lo));
    while (run && run.getTime() <= until && runs.length < MAX_RUNS * 2) {
      runs.push(run.getTime());
      run = m.cron.nextRun(run);
    }
    // Cut short by MAX_RUNS: the memo covers only what was computed.
    const last = runs.length === MAX_RUNS * 2 ? runs[runs.length - 1]! : until;
    Object.assign(m, { lo, hi: last, runs });
  }
  return m.runs.filter((r) => r > lo && r <= hi).slice(0, MAX_RUNS);
}

/** At most this many runs per schedule in one look (a `* * * * *` schedule is a mistake, not a load). */
const MAX_RUNS = 64;

/**
 * The ceiling intents of the config's schedules, derived on every reconcile as cron rules are:
 * each run whose window is live now or starts within `lookaheadSeconds` (shown in the plan as
 * the next ceiling), one intent per target.
 */
export function scheduleIntents(config: Config, now: Date, lookaheadSeconds = 86400): Intent[] {
  const out: Intent[] = [];
  for (const s of config.schedules ?? []) {
    const horizon = now.getTime() + lookaheadSeconds * 1000;
    for (const run of runsBetween(s, now.getTime() - s.durationSeconds * 1000, horizon)) {
      const from = iso(run);
      const until = iso(run + s.durationSeconds * 1000);
      for (const target of s.targets) {
        out.push({
          id: `schedule:${s.name}:${target}:${from}`,
          target,
          floor: 0,
          ceiling: s.ceiling,
          from,
          until,
          reason: `schedule ${s.name} ("${s.cron}" ${s.timezone}, ${formatDuration(s.durationSeconds)})`,
          source: { kind: 'schedule', ref: `${s.name}@${from}` },
          ...(s.yieldsToCampaigns ? { yieldsToCampaigns: true } : {}),
          createdAt: from,
        });
      }
    }
  }
  return out;
}
