/**
 * Ceilings in the backtest world (docs/ceilings.md), as the real actuators apply them on a field
 * other than the steered one: an HPA's maxReplicas, a ScaledObject's maxReplicaCount or
 * paused-replicas, an Auto Scaling group's MaxSize. The value replaced is kept until the lift
 * restores it (unless the field changed since); a ceiling over Headroom's own keeps the first.
 */
export interface CeilingField {
  get: () => number | undefined;
  set: (n: number | undefined) => void;
}

export interface WorldCeiling {
  /** The ceiling Headroom set that is still in force (Actual.ceiling). */
  inForce(): number | undefined;
  /** Applies ApplyContext.ceiling (a number, null to lift, undefined: nothing); true when it changed. */
  apply(to: number | null | undefined): boolean;
}

export function worldCeiling(field: CeilingField): WorldCeiling {
  let replaced: { from: number | undefined; to: number } | undefined;
  const inForce = () => (replaced && field.get() === replaced.to ? replaced.to : undefined);
  return {
    inForce,
    apply(to) {
      if (to === undefined) return false;
      if (to === null) {
        if (!replaced) return false;
        if (inForce() !== undefined) field.set(replaced.from);
        replaced = undefined;
        return true;
      }
      if (inForce() === to) return false;
      replaced = { from: inForce() !== undefined ? replaced!.from : field.get(), to };
      field.set(to);
      return true;
    },
  };
}
