import * as z from 'zod';
import type { DemandSignal, Target } from '../domain/types.ts';
import { duration } from './fields.ts';
import type { Path } from './problems.ts';

/**
 * `surge:` in headroom.yaml: the response to a surge nobody announced. When observed demand
 * leaves the forecast band upward (above `factor` x the band's upper bound for `samples`
 * consecutive samples, or above it and `growth` x the window's mean within one sample), the
 * signal's targets and their dependent layers get floors at once, sized to the demand
 * projected one lead time ahead (shared/forecast/surge.ts, shared/app/surge-intents.ts).
 */
export const surgeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Observed demand above this many times the forecast's upper bound counts as a surge. */
  factor: z.number().gt(1).max(100).default(3),
  /** ... for this many consecutive one-minute samples. */
  samples: z.number().int().min(1).max(60).default(3),
  /** ... or one sample above the band and this many times the mean of the window before it. */
  growth: z.number().gt(1).max(100).default(3),
  /** The recent demand the detector reads (and compares the last sample with). */
  window: duration.default(600),
  /** How long floors hold after the last sample that still looked like a surge. */
  hold: duration.default(600),
  /** The most a surge floor asks for, as a multiple of the forecast's upper bound. */
  maxMultiplier: z.number().gt(1).max(1000).default(20),
  /** The signals watched (default: every signal a capacity model measures). */
  signals: z.array(z.string()).optional(),
  /** The targets raised (default: the signal's capacity targets, their dependencies and node capacity). */
  targets: z.array(z.string()).optional(),
});

export type RawSurge = z.infer<typeof surgeSchema>;

/** The validated `surge` section. */
export interface SurgeConfig {
  enabled: boolean;
  factor: number;
  samples: number;
  growth: number;
  windowSeconds: number;
  holdSeconds: number;
  maxMultiplier: number;
  signals?: string[];
  targets?: string[];
}

/** Checks names against the config and normalises; problems are reported at `surge.<field>`. */
export function normaliseSurge(
  raw: RawSurge | undefined,
  ctx: { signals: Record<string, DemandSignal>; targets: Target[]; declared: Set<string> },
  add: (path: Path, message: string) => void,
): SurgeConfig | undefined {
  if (!raw) return undefined;
  raw.signals?.forEach((s, i) => {
    if (!ctx.signals[s]) add(['surge', 'signals', i], `unknown signal "${s}"`);
    else if (!ctx.targets.some((t) => t.capacity?.signal === s))
      add(['surge', 'signals', i], `no target has a capacity model on signal "${s}": nothing to size`);
  });
  raw.targets?.forEach((id, i) => {
    if (!ctx.declared.has(id)) add(['surge', 'targets', i], `unknown target "${id}"`);
  });
  if (raw.window < 120) add(['surge', 'window'], 'must be at least 2m (two one-minute samples)');
  if (raw.hold < 60) add(['surge', 'hold'], 'must be at least 1m');
  return {
    enabled: raw.enabled,
    factor: raw.factor,
    samples: raw.samples,
    growth: raw.growth,
    windowSeconds: raw.window,
    holdSeconds: raw.hold,
    maxMultiplier: raw.maxMultiplier,
    signals: raw.signals,
    targets: raw.targets,
  };
}
