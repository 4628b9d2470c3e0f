import { iso } from '../../domain/time.ts';
import type { Actual, Target } from '../../domain/types.ts';
import { display, fieldOf } from '../../domain/units.ts';
import { kindOf } from '../../kinds/index.ts';
import type { Actuator, ActuatorRegistry, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { Clock } from '../../ports/clock.ts';
import type { TargetTrackingGroup } from './autoscaling-group.ts';
import { type CeilingField, type WorldCeiling, worldCeiling } from './ceilings.ts';
import type { World } from './world.ts';

/**
 * The Actuator port over the simulated world, so the real executor changes exactly what it
 * changes in a cluster: an HPA's `minReplicas` (and `maxReplicas` when the floor needs it,
 * restored later), a ScaledObject's `minReplicaCount`, a Deployment's `replicas`, the
 * placeholder pods of karpenter-headroom (and the NodePool's disruption budget, `0` while a
 * campaign runs), a node group's `minSize` and its warm pool's, a static NodePool's
 * `replicas`, and the AWS-managed resources with their real
 * lead times. The autoscalers keep doing their job on top of Headroom's floors.
 */
export function worldActuators(world: World, clock: Clock): ActuatorRegistry {
  const made = new Map<string, Actuator>();
  return (target) => {
    let a = made.get(target.id);
    if (!a) {
      a = actuatorFor(world, clock, target);
      made.set(target.id, a);
    }
    return a;
  };
}

type Field = { get: () => number; set: (n: number) => void; name: string };

function result(status: ApplyResult['status'], before: Record<string, unknown>, after = before): ApplyResult {
  return { status, before, after };
}

/** Actual.ceiling when a Headroom ceiling is in force. */
function withCeiling(a: Actual, c: WorldCeiling | undefined): Actual {
  const n = c?.inForce();
  return n === undefined ? a : { ...a, ceiling: n };
}

/**
 * A floor under an autoscaler whose maximum is raised (and later restored) when the floor needs
 * it; a ceiling caps the maximum (or `ceilingOn`, KEDA's paused-replicas) until it lifts.
 */
function floorActuator(
  floor: Field,
  max: Field,
  read: () => Omit<Actual, 'value'>,
  ceilingOn: CeilingField = { get: max.get, set: (n) => max.set(n!) },
): Actuator {
  const ceiling = worldCeiling(ceilingOn);
  return {
    read: async () => withCeiling({ value: floor.get(), ...read() }, ceiling),
    apply: async (_t, desired, ctx: ApplyContext) => {
      const before = { [floor.name]: floor.get(), [max.name]: max.get() };
      const capped = ceiling.apply(ctx.ceiling);
      if (desired === floor.get() && !capped) return result('no-op', before);
      const out: ApplyResult = result('applied', before);
      if (ceiling.inForce() !== undefined) {
        // A ceiling holds the maximum: the floor stays within it (the planner lowered it).
      } else if (desired > max.get()) {
        out.remember = { [max.name]: max.get() };
        max.set(desired);
      } else {
        const original = ctx.remembered[max.name];
        if (typeof original === 'number' && desired <= original && max.get() !== original) {
          max.set(original);
          out.forget = [max.name];
        }
      }
      floor.set(desired);
      out.after = { [floor.name]: floor.get(), [max.name]: max.get() };
      return out;
    },
  };
}

/** A count Headroom sets and nothing else moves (replicas, a static pool, a warm pool's minSize). */
function countActuator(field: Field, read: () => Omit<Actual, 'value'>): Actuator {
  return {
    read: async () => ({ value: field.get(), ...read() }),
    apply: async (_t, desired) => {
      const before = { [field.name]: field.get() };
      if (desired === field.get()) return result('no-op', before);
      field.set(desired);
      return result('applied', before, { [field.name]: desired });
    },
  };
}

function actuatorFor(world: World, clock: Clock, target: Target): Actuator {
  const w = world.workloads.get(target.id);
  if (w?.hpa) {
    const hpa = w.hpa;
    return floorActuator(
      { name: 'minReplicas', get: () => hpa.minReplicas, set: (n) => (hpa.minReplicas = n) },
      { name: 'maxReplicas', get: () => hpa.maxReplicas, set: (n) => (hpa.maxReplicas = n) },
      () => ({
        ready: w.workload.ready,
        podResources: w.workload.shape,
        details: {
          currentReplicas: w.workload.existing,
          desiredReplicas: w.workload.replicas,
          readyReplicas: w.workload.ready,
        },
      }),
    );
  }
  if (w?.keda) {
    const keda = w.keda;
    const max: Field = {
      name: 'maxReplicaCount',
      get: () => keda.hpa.maxReplicas,
      set: (n) => (keda.hpa.maxReplicas = n),
    };
    const paused = kindOf(target).ceiling?.field(target.spec) !== max.name;
    return floorActuator(
      { name: 'minReplicaCount', get: () => keda.minReplicaCount, set: (n) => (keda.minReplicaCount = n) },
      max,
      () => ({
        ready: w.workload.ready,
        podResources: w.workload.shape,
        details: { currentReplicas: w.workload.existing, readyReplicas: w.workload.ready },
      }),
      paused ? { get: () => keda.pausedReplicas, set: (n) => (keda.pausedReplicas = n) } : undefined,
    );
  }
  if (w) {
    const wl = w.workload;
    return countActuator({ name: 'replicas', get: () => wl.replicas, set: (n) => (wl.replicas = n) }, () => ({
      ready: wl.ready,
      podResources: wl.shape,
    }));
  }
  const pool = world.staticPools.get(target.id);
  if (pool)
    return countActuator(
      { name: 'replicas', get: () => pool.replicas, set: (n) => (pool.replicas = n) },
      () => ({
        ready: pool.readyCount,
        details: { nodes: pool.count },
      }),
    );
  const warm = world.warmPools.get(target.id);
  if (warm)
    return countActuator(
      { name: 'warmPoolMinSize', get: () => warm.warmMin, set: (n) => (warm.warmMin = n) },
      () => ({ ready: warm.warmReady(clock.now().getTime()) }),
    );
  const ph = world.placeholders.get(target.id);
  if (ph) {
    const wl = ph.workload;
    const field = fieldOf(target);
    const state = () => ({ [field]: wl.replicas, disruptionBudget: ph.karpenter?.budget ?? 'default' });
    return {
      read: async () => ({
        value: wl.replicas,
        ready: wl.ready,
        details: { pendingPlaceholders: wl.pending, disruptionBudget: ph.karpenter?.budget ?? 'default' },
      }),
      apply: async (_t, desired, ctx) => {
        const before = state();
        const out = result('applied', before);
        // Consolidation would take the warm nodes away mid-campaign: the budget holds them
        // while there are any (none left, as when a buffer was handed to the pods: released).
        const protect = ctx.campaignActive && desired > 0;
        if (ph.karpenter && protect && ph.karpenter.budget !== '0') {
          out.remember = { disruptionBudget: ph.karpenter.budget };
          ph.karpenter.budget = '0';
        } else if (ph.karpenter && !protect && ctx.remembered.disruptionBudget !== undefined) {
          ph.karpenter.budget = ctx.remembered.disruptionBudget as 'default' | '0';
          out.forget = ['disruptionBudget'];
        }
        wl.replicas = desired;
        out.after = state();
        return desired === before[field] && out.after.disruptionBudget === before.disruptionBudget
          ? result('no-op', before)
          : out;
      },
    };
  }
  const group = world.nodegroups.get(target.id);
  if (group) {
    return floorActuator(
      { name: 'minSize', get: () => group.minSize, set: (n) => (group.minSize = n) },
      { name: 'maxSize', get: () => group.maxSize, set: (n) => (group.maxSize = n) },
      () => ({ ready: group.readyCount, details: { desiredSize: group.desired } }),
    );
  }
  const asg = world.autoScalingGroups.get(target.id);
  if (asg) return groupActuator(asg, clock);
  const m = world.managed.get(target.id);
  if (m) {
    const field = fieldOf(target);
    const needs = kindOf(target).needsApproval;
    const risk =
      needs?.always?.(target.spec) ??
      (needs && world.settings.singleAz.includes(target.id) ? needs.risk : undefined);
    const lead = world.settings.leadTimeSeconds(target);
    return {
      read: async () => {
        const now = clock.now().getTime();
        const until = m.busyUntil(now);
        const actual: Actual = { value: m.value, ready: m.ready(now) };
        if (until !== undefined) actual.busy = `modifying to ${display(target, m.value)} until ${iso(until)}`;
        if (risk) actual.risk = risk;
        return actual;
      },
      apply: async (_t, desired, ctx) => {
        const now = ctx.now.getTime();
        const before = { [field]: display(target, m.value) };
        if (desired === m.value) return result('no-op', before);
        if (m.busyUntil(now) !== undefined)
          return { ...result('in-progress', before), message: 'a change is in progress' };
        if (risk && !ctx.approved)
          return { ...result('blocked', before), message: `refused without approval: ${risk}` };
        m.set(now, desired, lead);
        return result('applied', before, { [field]: display(target, desired) });
      },
    };
  }
  throw new Error(`the simulated world has no target ${target.id}`);
}

/**
 * An Auto Scaling group's MinSize under its target tracking policy, as the real actuator steers
 * it: desired follows a raise, MaxSize is never raised (a floor above it is clamped), and the
 * group is busy while instances launch or warm up.
 */
function groupActuator(g: TargetTrackingGroup, clock: Clock): Actuator {
  const sizes = () => ({ minSize: g.minSize, desiredCapacity: g.desired, maxSize: g.maxSize });
  // A ceiling on MaxSize (MinSize and desired down with it); its lift restores MaxSize and desired.
  let desiredBefore: number | undefined;
  const ceiling = worldCeiling({ get: () => g.maxSize, set: (n) => g.setMaxSize(clock.now().getTime(), n!) });
  return {
    read: async () => {
      const now = clock.now().getTime();
      const launching = g.launching(now);
      const actual: Actual = { value: g.minSize, ready: Math.min(g.minSize, g.ready(now)), details: sizes() };
      if (launching)
        actual.busy = `scaling activity InProgress: ${launching} instance(s) launching or warming up`;
      return withCeiling(actual, ceiling);
    },
    apply: async (_t, desired, ctx) => {
      const now = ctx.now.getTime();
      const before = sizes();
      if (ctx.ceiling !== undefined) {
        if (g.launching(now))
          return { ...result('in-progress', before), message: 'a scaling activity is in progress' };
        if (ctx.ceiling !== null && ceiling.inForce() === undefined) desiredBefore = g.desired;
        const restore = ctx.ceiling === null ? desiredBefore : undefined;
        if (!ceiling.apply(ctx.ceiling) && desired === g.minSize) return result('no-op', before);
        g.setMinSize(now, Math.min(desired, g.maxSize), restore);
        if (ctx.ceiling === null) desiredBefore = undefined;
        return result('applied', before, sizes());
      }
      const floor = Math.min(desired, g.maxSize);
      if (floor === g.minSize && desired > floor)
        return {
          ...result('blocked', before),
          message: `MinSize is already the group's MaxSize ${g.maxSize}`,
        };
      if (floor === g.minSize) return result('no-op', before);
      if (g.launching(now))
        return { ...result('in-progress', before), message: 'a scaling activity is in progress' };
      // As the real actuator: the first raise remembers desired, a release lowers it only while the floor held it.
      const found = ctx.remembered.desiredCapacity;
      const out = result('applied', before);
      if (floor > g.minSize && found === undefined) out.remember = { desiredCapacity: g.desired };
      const held = floor < g.minSize && g.desired <= g.minSize;
      g.setMinSize(now, floor, held ? Math.max(floor, typeof found === 'number' ? found : floor) : undefined);
      if (held && floor <= (typeof found === 'number' ? found : floor)) out.forget = ['desiredCapacity'];
      out.after = sizes();
      return out;
    },
  };
}
