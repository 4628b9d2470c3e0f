import type { Target } from './types.ts';

/** A value in units shown as users read it: a count, or a tier name. */
export function display(target: Target, units: number): number | string {
  if (target.scale === 'ladder') return target.tiers?.[units] ?? `tier#${units}`;
  return units;
}

export function clampToBounds(target: Target, units: number): number {
  return Math.min(target.bounds.max, Math.max(target.bounds.min, roundToGranularity(target, units)));
}

/** Counts round up to the next whole unit (0.5 ACU for Serverless v2): never under-provision. */
export function roundToGranularity(target: Target, units: number): number {
  const g = target.granularity;
  const v = Math.ceil(units / g - 1e-9) * g;
  const least = target.values?.leastAboveZero;
  return least !== undefined && v > 0 && v < least ? least : v;
}

/**
 * The next value on the way from `from` to `to` when one change may move a count by at most
 * `maxStepPercent` (200 % = triple). Ladder targets move in one change: a class change is one
 * restart however many tiers it skips.
 */
export function nextStep(target: Target, from: number, to: number): number {
  const raise = target.values?.minRaisePercent;
  if (raise !== undefined && to > from) {
    // The service refuses a smaller raise: the step goes at least this far (within bounds).
    const least = Math.min(target.bounds.max, roundToGranularity(target, from * (1 + raise / 100)));
    if (to < least) return least;
  }
  if (target.scale === 'ladder' || from === to || target.values?.direct) return to;
  const f = 1 + target.maxStepPercent / 100;
  const g = target.granularity;
  if (to > from) {
    const limit = Math.max(from + g, Math.floor((from * f) / g) * g);
    return Math.min(to, limit);
  }
  const limit = Math.ceil(from / f / g) * g;
  return Math.max(to, Math.min(limit, from - g));
}

/** Whether `v` still has to move on the way from `from` to `to` (a step may overshoot a small raise). */
export function stillToGo(from: number, to: number, v: number): boolean {
  return to > from ? v < to : v > to;
}

/** How many changes it takes to go from `from` to `to`. */
export function stepsBetween(target: Target, from: number, to: number): number {
  let n = 0;
  let v = from;
  while (stillToGo(from, to, v) && n < 1000) {
    v = nextStep(target, v, to);
    n++;
  }
  return n;
}

/** The field a step of this target sets (CONTRACTS.md `set`), as its kind names it. */
export function fieldOf(target: Target): string {
  return target.field;
}

/** FNV-1a, 32 bits, as 6 hex digits: short stable ids people can type in Slack. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0').slice(0, 6);
}
