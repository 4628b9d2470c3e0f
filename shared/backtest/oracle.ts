import type { Target } from '../domain/types.ts';
import { capacityOf, type PolicyScores, type Scorer, type ServingTarget, type Timeline } from './score.ts';

export interface OracleTarget extends ServingTarget {
  /** Seconds from ordering a unit to its serving: pod start-up, or the resource's real lead time. */
  leadSeconds: number;
}

/** The fewest units of a target that keep demand at or below its target utilisation. */
export function unitsNeeded(s: ServingTarget, perSecond: number): number {
  const t: Target = s.target;
  if (t.scale === 'ladder') {
    let tier = t.bounds.min;
    while (tier < t.bounds.max && capacityOf(s, tier) * s.targetUtilization < perSecond) tier++;
    return tier;
  }
  const n = Math.ceil(perSecond / (s.perUnit * s.targetUtilization) - 1e-9);
  return Math.min(t.bounds.max, Math.max(t.bounds.min, n));
}

/**
 * Perfect foresight (CONTRACTS.md): at every tick each serving target has exactly the units
 * that keep demand at or below its target utilisation, ready on time because each unit was
 * ordered its lead time before it was needed, and paid for from then on. The units existing
 * at t are therefore the most needed over [t, t + lead]: the least any policy that honours
 * lead times can pay while never running hotter than the target. Bounds apply as to everyone.
 */
export function runOracle(
  tl: Timeline,
  targets: OracleTarget[],
  scorer: Scorer,
  nodesFor: (units: number[]) => number,
): PolicyScores {
  const n = tl.demand.length;
  const tickSeconds = tl.tickMs / 1000;
  const needed = targets.map((s) => {
    const a = new Float64Array(n);
    // Demand in gaps and the settle hour is unknown or unscored: the oracle pays nothing for it.
    for (let i = 0; i < n; i++) a[i] = tl.scored[i] ? unitsNeeded(s, tl.demand[i]!) : unitsNeeded(s, 0);
    return a;
  });
  // Sliding maximum over the next `lead` ticks, right to left, with a monotonic deque.
  const provisioned = targets.map((s, k) => {
    const need = needed[k]!;
    const lead = Math.ceil(s.leadSeconds / tickSeconds);
    const out = new Float64Array(n);
    const dq = new Int32Array(n);
    let head = 0;
    let tail = 0;
    for (let i = n - 1; i >= 0; i--) {
      while (tail > head && need[dq[tail - 1]!]! <= need[i]!) tail--;
      dq[tail++] = i;
      while (dq[head]! > i + lead) head++;
      out[i] = need[dq[head]!]!;
    }
    return out;
  });
  let changes = 0;
  const units = new Array<number>(targets.length).fill(0);
  for (let i = 0; i < n; i++) {
    let capacity = Number.POSITIVE_INFINITY;
    let hot = false;
    let paid = 0;
    for (let k = 0; k < targets.length; k++) {
      const p = provisioned[k]![i]!;
      if (tl.scored[i] && i > 0 && p !== provisioned[k]![i - 1]!) changes++;
      const c = capacityOf(targets[k]!, needed[k]![i]!);
      capacity = Math.min(capacity, c);
      // Only where a bound caps the oracle does it run hotter than the target.
      if (tl.demand[i]! > c * targets[k]!.targetUtilization + 1e-9) hot = true;
      paid += p;
      units[k] = p;
    }
    scorer.record(i, capacity, hot, paid, nodesFor(units));
  }
  return { ...scorer.result({ unitChanges: changes }, changes), costVsOracle: 1 };
}
