import { Cron } from 'croner';
import type { Config, Schedule } from '../config/types.ts';
import { formatDuration } from '../domain/duration.ts';
import { iso } from '../domain/time.ts';
import type { Intent } from '../domain/types.ts';

const crons = new WeakMap<Schedule, Cron>();

function cronOf(s: Schedule): Cron {
  let c = crons.get(s);
  if (!c) {
    c = new Cron(s.cron, { timezone: s.timezone, paused: true });
    crons.set(s, c);
  }
  return c;
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
    const cron = cronOf(s);
    const horizon = now.getTime() + lookaheadSeconds * 1000;
    let run = cron.nextRun(new Date(now.getTime() - s.durationSeconds * 1000));
    for (let n = 0; run && run.getTime() <= horizon && n < MAX_RUNS; n++) {
      const from = iso(run);
      const until = iso(run.getTime() + s.durationSeconds * 1000);
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
      run = cron.nextRun(run);
    }
  }
  return out;
}
