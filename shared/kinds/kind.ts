import type * as z from 'zod';
import type { Bounds, PodResources, Scale, ValueRules } from '../domain/types.ts';
import type { KindGrants } from '../iam/grants.ts';
import type { ActuatorFactory } from '../ports/actuator.ts';

/**
 * Everything Headroom knows about one kind of target, in one place: how it counts, how long
 * a change takes to become capacity, what the YAML may say, what AWS and Kubernetes must
 * allow, which actuator drives it and how the simulated cloud and the backtest world play it.
 * The rest of the code asks these fields instead of testing kind names
 * (docs/adding-a-kind.md shows how a kind is added).
 */
export interface KindDefinition<S = Record<string, unknown>> {
  /** The `kind:` users write. */
  name: string;
  /** One line for `headroom validate` messages and docs. */
  description: string;
  /** The target as written in `headroom.yaml`, common fields included (config/fields.ts `common`). */
  schema: z.ZodType<S>;
  /** The field a step sets (CONTRACTS.md `set`), for the target as validated. */
  field: string | ((shape: Shape) => string);
  /** Smallest change (1 for counts, 0.5 for Aurora Serverless v2 ACUs). */
  granularity: number;
  /** From issuing a change to ready capacity, with where the figure comes from. */
  leadTime: LeadTime;
  /** Kinds that steer one of several dimensions: a lead time per dimension. */
  leadTimeByDimension?: Record<string, LeadTime>;
  /** A lead time the spec itself implies (an Auto Scaling group's instance warmup), over the default. */
  leadTimeOf?(spec: S): LeadTime | undefined;
  /** Bounds, ladder and dimension from the validated spec; AWS limits are reported here. */
  shape(spec: S, problems: SpecProblems): Shape | undefined;

  /** Pods of a Kubernetes workload: campaign targets, sized into node headroom, depend on it. */
  isWorkload: boolean;
  /** Spare node capacity sized from the pod workloads of its cluster (pods are raised after it). */
  isNodeCapacity: boolean;
  /** Node capacity: what one unit holds (a spare node's placeholder pod), to size it from pods. */
  unitResources?(spec: S): { resources: PodResources; written: string };
  /**
   * Node capacity handed over to the pods it is held for: sized from the added pods not yet
   * ready, so it shrinks as raised floors start pods and the same room is not paid twice.
   */
  releasedByPods?: boolean;
  /** Lives in a Kubernetes cluster (needs `cluster`); `eks`: only a cluster declared with eksCluster. */
  cluster?: 'any' | 'eks';
  /** A change must finish before the next can start (AWS rejects a modify while modifying). */
  exclusive: boolean;
  /** Changes to an at-risk resource (a Single-AZ database) restart it: a person approves them. */
  needsApproval?: {
    risk: string;
    /** A risk every change of a target so written carries (a Blue/Green switchover), at-risk or not. */
    always?(spec: S): string | undefined;
  };
  /** The service refuses another change this long after one (RDS storage: 6 hours). */
  minChangeIntervalSeconds?: number;

  /** The AWS actions its actuator calls and the ARNs they are allowed on. */
  iam: KindGrants<S>;
  /** The Kubernetes RBAC rules its actuator needs (deploy/kubernetes/rbac.yaml is generated from them). */
  rbac?: KindRbac;
  /** The actuator, loaded when the first target of the kind is driven (the core never loads an SDK). */
  actuator(): Promise<ActuatorFactory<S>>;
  /** What the target is in the backtest's simulated world. */
  world: WorldRole;
  /** Multi-dimension kinds whose dimensions play different parts in the backtest world. */
  worldByDimension?: Record<string, WorldRole>;
  /** Fields the simulated cloud shows after an apply (Karpenter's disruption budget in a campaign). */
  simFields?(campaignActive: boolean): Record<string, string>;
  /** Ceilings (an upper bound over a window, docs/ceilings.md): kinds without it refuse them. */
  ceiling?: CeilingSupport<S>;
}

/**
 * How a count kind takes a ceiling. When `field` is the steered field (a Deployment's replicas)
 * the ceiling lowers the value itself; otherwise the actuator caps `field` (an HPA's
 * maxReplicas) and records what it replaced on the object, and the floor is lowered with it
 * when `lowersFloor` (an HPA refuses minReplicas above maxReplicas).
 */
export interface CeilingSupport<S = Record<string, unknown>> {
  field(spec: S): string;
  /** The lowest ceiling the service accepts (an HPA's maxReplicas is at least 1). */
  minimum(spec: S): number;
  lowersFloor(spec: S): boolean;
}

export interface LeadTime {
  seconds: number;
  /** Where the figure comes from (AWS or Kubernetes documentation, measurements). */
  source: string;
}

/** How a validated target counts: its scale, ladder and bounds in units. */
export interface Shape {
  scale: Scale;
  /** Ladder targets: tier names, smallest first. */
  tiers?: string[];
  bounds: Bounds;
  /** Which dimension a multi-dimension kind steers (ElastiCache: replicas, shards, nodeType). */
  dimension?: string;
  /** Values the service accepts and how far one change moves, beyond bounds (domain/types.ts). */
  values?: ValueRules;
}

/** Problems with a target's spec, at paths relative to `targets.<id>`. */
export interface SpecProblems {
  add(path: (string | number)[], message: string): void;
}

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  /** Why the actuator needs it (a comment in the generated manifest). */
  why?: string;
}

/** Where each rule is granted: the namespaces of the targets, the cluster, or Headroom's own namespace. */
export interface KindRbac {
  namespaced?: RbacRule[];
  cluster?: RbacRule[];
  own?: RbacRule[];
}

/**
 * The backtest world's part for a target: an AWS resource that becomes ready after its lead
 * time (with `target-tracking`: an Auto Scaling group whose policy scales it too), the cluster's
 * node group, the warm pool of that node group, a static Karpenter
 * NodePool (a fixed node count), placeholder pods holding spare nodes, or pods scaled by an
 * HPA, KEDA or only by Headroom.
 */
export type WorldRole =
  | { role: 'managed'; autoscaler?: 'target-tracking' }
  | { role: 'node-group' }
  | { role: 'warm-pool' }
  | { role: 'static-nodes' }
  | { role: 'node-headroom' }
  | { role: 'pods'; autoscaler?: 'hpa' | 'keda' };

/** A count kind's shape: `bounds` as written. */
export function countShape(spec: { bounds: Bounds }): Shape {
  return { scale: 'count', bounds: spec.bounds };
}

/**
 * A ladder kind's shape: the tiers (each checked with `valid`, no duplicates) and the bounds
 * as tier names, in tier indexes.
 */
export function ladderShape(
  tiers: string[],
  written: { min: string; max: string } | undefined,
  valid: (tier: string) => boolean,
  label: string,
  problems: SpecProblems,
): Shape {
  tiers.forEach((name, i) => {
    if (!valid(name)) problems.add(['tiers', i], `unknown ${label} "${name}"`);
    if (tiers.indexOf(name) !== i) problems.add(['tiers', i], `duplicate tier "${name}"`);
  });
  const min = written ? tiers.indexOf(written.min) : 0;
  const max = written ? tiers.indexOf(written.max) : tiers.length - 1;
  if (written && min < 0) problems.add(['bounds', 'min'], `"${written.min}" is not on the tier ladder`);
  if (written && max < 0) problems.add(['bounds', 'max'], `"${written.max}" is not on the tier ladder`);
  if (min >= 0 && max >= 0 && min > max) problems.add(['bounds'], 'min is above max on the ladder');
  return { scale: 'ladder', tiers, bounds: { min: Math.max(min, 0), max: Math.max(max, 0) } };
}

const m = 60;
export const minutes = (n: number) => n * m;
