import type { Config } from '../config/types.ts';
import { InputError } from '../domain/errors.ts';
import type { ServingTarget } from './score.ts';

/**
 * `--sweep reactive.targetUtilization=0.7,0.5,0.4,0.3`: reactive autoscaling run again with
 * more slack, to draw its cost / under-provisioned-minutes frontier, so that Headroom is
 * compared with "reactive over-provisioned to the same cost" rather than with reactive at its
 * default only: reactive's short minutes are interpolated at Headroom's cost.
 */

export interface SweepSpec {
  policy: 'reactive';
  parameter: 'targetUtilization';
  values: number[];
}

export interface SweepPoint {
  value: number;
  underProvisionedMinutes: number;
  capacityUnitHours: number;
  costVsOracle: number;
}

export interface SweepJson {
  parameter: string;
  points: SweepPoint[];
  /** Headroom against the frontier at its own cost (absent without a headroom run). */
  atHeadroomCost?: {
    costVsOracle: number;
    headroomUnderProvisionedMinutes: number;
    /** Reactive's short minutes on the frontier at Headroom's cost (linear between the two swept points around it); null outside the swept costs. */
    reactiveUnderProvisionedMinutes: number | null;
    /** headroom / reactive at equal cost (below 1: Headroom is better for the money); null when not comparable. */
    ratio: number | null;
  };
}

const SWEEPABLE = ['reactive.targetUtilization'];

/** Parses `reactive.targetUtilization=0.7,0.5`; errors name the option and the bad part. */
export function parseSweep(text: string): SweepSpec {
  const eq = text.indexOf('=');
  const key = eq < 0 ? text.trim() : text.slice(0, eq).trim();
  if (!SWEEPABLE.includes(key))
    throw new InputError(`--sweep: unknown parameter "${key}" (one of ${SWEEPABLE.join(', ')})`);
  const list = eq < 0 ? '' : text.slice(eq + 1);
  const parts = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new InputError(`--sweep: give values, e.g. ${key}=0.7,0.5,0.4,0.3`);
  const values = parts.map((p) => {
    const v = Number(p);
    if (!(Number.isFinite(v) && v > 0 && v <= 1))
      throw new InputError(`--sweep: ${key} must be in (0, 1], got "${p}"`);
    return v;
  });
  return { policy: 'reactive', parameter: 'targetUtilization', values: [...new Set(values)] };
}

/** The config and serving targets with every serving target's capacity at `targetUtilization`. */
export function withTargetUtilization(
  config: Config,
  serving: ServingTarget[],
  targetUtilization: number,
): { config: Config; serving: ServingTarget[] } {
  const ids = new Set(serving.map((s) => s.target.id));
  const targets = config.targets.map((t) =>
    ids.has(t.id) && t.capacity ? { ...t, capacity: { ...t.capacity, targetUtilization } } : t,
  );
  return {
    config: { ...config, targets },
    serving: serving.map((s) => ({
      ...s,
      target: targets.find((t) => t.id === s.target.id)!,
      targetUtilization,
    })),
  };
}

/**
 * Reactive's short minutes at `cost` on the frontier: the points sorted by cost, linear
 * between the two around it (the frontier is not extrapolated).
 */
export function shortMinutesAtCost(points: SweepPoint[], cost: number): number | null {
  const byCost = [...points].sort((a, b) => a.costVsOracle - b.costVsOracle);
  for (let k = 0; k < byCost.length; k++) {
    const p = byCost[k]!;
    if (Math.abs(p.costVsOracle - cost) < 1e-12) return p.underProvisionedMinutes;
    const q = byCost[k + 1];
    if (q && p.costVsOracle < cost && cost < q.costVsOracle) {
      const f = (cost - p.costVsOracle) / (q.costVsOracle - p.costVsOracle);
      return p.underProvisionedMinutes + f * (q.underProvisionedMinutes - p.underProvisionedMinutes);
    }
  }
  return null;
}

/** The sweep's JSON: its points, and Headroom against them at Headroom's cost. */
export function sweepJson(
  points: SweepPoint[],
  headroom?: { costVsOracle: number; underProvisionedMinutes: number },
): SweepJson {
  const out: SweepJson = { parameter: 'reactive.targetUtilization', points };
  if (headroom) {
    const reactive = shortMinutesAtCost(points, headroom.costVsOracle);
    const r = (x: number) => Math.round(x * 10) / 10;
    out.atHeadroomCost = {
      costVsOracle: headroom.costVsOracle,
      headroomUnderProvisionedMinutes: headroom.underProvisionedMinutes,
      reactiveUnderProvisionedMinutes: reactive === null ? null : r(reactive),
      ratio:
        reactive === null || reactive === 0
          ? null
          : Math.round((headroom.underProvisionedMinutes / reactive) * 1000) / 1000,
    };
  }
  return out;
}
