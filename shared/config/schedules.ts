import * as z from 'zod';
import { durationProblem } from '../domain/duration.ts';
import type { Target } from '../domain/types.ts';
import { ceilingField } from '../planner/ceilings.ts';
import { cron, duration, name, timeZone } from './fields.ts';
import type { Problems } from './problems.ts';
import type { Schedule } from './types.ts';

/**
 * `schedules:` in headroom.yaml (docs/ceilings.md): ceilings on a cron, e.g. staging at 0 from
 * 20:00 for 12 hours on weekdays. Each run is a `ceiling` intent on each of its targets.
 */
export const scheduleSchema = z.strictObject({
  name,
  targets: z.array(z.string()).min(1, 'needs at least one target'),
  ceiling: z.number().int('must be a whole count').nonnegative(),
  cron,
  duration,
  timezone: timeZone.optional(),
  /** A campaign floor on a target lifts the ceiling while the campaign holds (default: the ceiling wins). */
  yieldToCampaigns: z.boolean().optional(),
});
export type RawSchedule = z.infer<typeof scheduleSchema>;

/** Checks schedules against the targets (declared, taking ceilings this low) and the limits. */
export function normaliseSchedules(
  raw: RawSchedule[],
  ctx: { timezone: string; targets: Target[]; declared: Set<string>; maxIntentSeconds: number },
  problems: Problems,
): Schedule[] {
  const byId = new Map(ctx.targets.map((t) => [t.id, t]));
  const names = new Set<string>();
  return raw.map((s, i) => {
    const path = ['schedules', i];
    if (names.has(s.name)) problems.add([...path, 'name'], `duplicate schedule name "${s.name}"`);
    names.add(s.name);
    s.targets.forEach((id, j) => {
      const t = byId.get(id);
      if (!t) {
        // A declared target that failed validation is reported once, at its own path.
        if (!ctx.declared.has(id)) problems.add([...path, 'targets', j], `unknown target "${id}"`);
        return;
      }
      const cf = ceilingField(t);
      if (!cf) problems.add([...path, 'targets', j], `"${id}" (${t.kind}) takes no ceiling`);
      else if (s.ceiling < cf.minimum)
        problems.add(
          [...path, 'ceiling'],
          `${s.ceiling} is below what "${id}" accepts on ${cf.field} (at least ${cf.minimum})`,
        );
    });
    const wrong = durationProblem(s.duration, ctx.maxIntentSeconds);
    if (wrong) problems.add([...path, 'duration'], wrong);
    return {
      name: s.name,
      targets: s.targets,
      ceiling: s.ceiling,
      cron: s.cron,
      durationSeconds: s.duration,
      timezone: s.timezone ?? ctx.timezone,
      yieldsToCampaigns: s.yieldToCampaigns ?? false,
    };
  });
}
