import * as z from 'zod';
import { parseDuration } from '../domain/duration.ts';
import { measuresOf } from './measures.ts';

/**
 * The optional `capacity:` section of headroom.yaml: the review's window, horizon, interval
 * and trend model, the threshold table (defaults: the runbook's), per-target overrides and
 * the monthly Slack report. Embedded by the config schema; cross-references are checked in
 * `checkCapacitySection` once the targets and signals are known.
 */

const days = (min: number, max: number) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const s = typeof v === 'number' ? v : parseDuration(v);
    if (s === undefined || s < min * 86_400 || s > max * 86_400) {
      ctx.addIssue({
        code: 'custom',
        message: `"${v}" must be a duration from ${min}d to ${max}d (e.g. 30d)`,
      });
      return z.NEVER;
    }
    return s;
  });

const percent = z.number().gt(0).max(100);

const measure = z.strictObject({
  /** Percent of the limit at which to act. */
  threshold: percent.optional(),
  /** The measure's 100 %, in its unit (allocated GiB, max connections, benchmark ops/s). */
  limit: z.number().positive().optional(),
  /** A signal of `signals:` to read instead of the default CloudWatch metric. */
  signal: z.string().optional(),
  enabled: z.boolean().default(true),
});

export const capacitySchema = z.strictObject({
  window: days(7, 90).default(30 * 86_400),
  horizon: days(1, 366).default(90 * 86_400),
  interval: z.number().gt(0.5).lt(1).default(0.9),
  trend: z.enum(['compound', 'linear']).default('compound'),
  thresholds: z.record(z.string(), percent).default({}),
  targets: z.record(z.string(), z.record(z.string(), measure)).default({}),
  /** The tier a ladder target runs on now, when it is not its bounds.min (e.g. db: db.r6g.xlarge). */
  current: z.record(z.string(), z.string()).default({}),
  report: z
    .strictObject({
      slack: z.strictObject({ channel: z.string().min(1) }).optional(),
      /** EventBridge schedule of the monthly report (UTC). */
      schedule: z
        .string()
        .regex(/^cron\(.+\)$/, 'must be an EventBridge cron(...) expression, e.g. cron(0 8 1 * ? *)')
        .default('cron(0 8 1 * ? *)'),
    })
    .optional(),
});

export type CapacitySection = z.infer<typeof capacitySchema>;
export type MeasureOverride = z.infer<typeof measure>;

/** The review's settings when the config has no `capacity:` section. */
export const DEFAULT_CAPACITY: CapacitySection = capacitySchema.parse({});

/** Cross-references of the section: targets, measures of their kind, signals. */
export function checkCapacitySection(
  section: CapacitySection | undefined,
  ctx: { kinds: Map<string, string>; signals: Set<string>; tiers: Map<string, string[] | undefined> },
  add: (path: (string | number)[], message: string) => void,
): void {
  if (!section) return;
  const known = new Set([...ctx.kinds.values()].flatMap((k) => measuresOf(k).map((m) => m.name)));
  for (const name of Object.keys(section.thresholds))
    if (!known.has(name) && !Object.values(section.targets).some((ms) => name in ms))
      add(
        ['capacity', 'thresholds', name],
        `unknown measure "${name}" (known: ${[...known].join(', ') || 'none'})`,
      );
  for (const [id, measures] of Object.entries(section.targets)) {
    const kind = ctx.kinds.get(id);
    if (kind === undefined) {
      add(['capacity', 'targets', id], `unknown target "${id}" (known: ${[...ctx.kinds.keys()].join(', ')})`);
      continue;
    }
    const own = measuresOf(kind).map((m) => m.name);
    for (const [name, m] of Object.entries(measures)) {
      const path = ['capacity', 'targets', id, name];
      if (!own.includes(name) && !(m.signal && m.limit))
        add(
          path,
          `${kind} has no measure "${name}" (${own.join(', ') || 'none by default'}); a measure of your own needs a signal and a limit`,
        );
      if (m.signal !== undefined && !ctx.signals.has(m.signal))
        add(
          [...path, 'signal'],
          `unknown signal "${m.signal}" (declared: ${[...ctx.signals].join(', ') || 'none'})`,
        );
    }
  }
  for (const [id, tier] of Object.entries(section.current)) {
    const tiers = ctx.tiers.get(id);
    if (!ctx.kinds.has(id)) add(['capacity', 'current', id], `unknown target "${id}"`);
    else if (!tiers?.includes(tier))
      add(
        ['capacity', 'current', id],
        `"${tier}" is not on the ladder of ${id} (${tiers?.join(', ') ?? 'not a ladder target'})`,
      );
  }
}
