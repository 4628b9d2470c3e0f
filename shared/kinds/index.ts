import type { Target } from '../domain/types.ts';
import { auroraReaders } from './aurora-readers.ts';
import { auroraServerlessV2 } from './aurora-serverless-v2.ts';
import { capacityBuffer } from './capacity-buffer.ts';
import { ec2AutoScalingGroup } from './ec2-autoscaling-group.ts';
import { eksNodegroup } from './eks-nodegroup.ts';
import { elastiCacheReplicationGroup } from './elasticache-replication-group.ts';
import { elastiCacheServerless } from './elasticache-serverless.ts';
import { k8sDeployment } from './k8s-deployment.ts';
import { k8sHpa } from './k8s-hpa.ts';
import { k8sStatefulSet } from './k8s-statefulset.ts';
import { karpenterHeadroom } from './karpenter-headroom.ts';
import { karpenterStaticNodePool } from './karpenter-static-nodepool.ts';
import { kedaScaledObject } from './keda-scaledobject.ts';
import type { KindDefinition, WorldRole } from './kind.ts';
import { pgbouncer } from './pgbouncer.ts';
import { rdsInstance } from './rds-instance.ts';
import { rdsReadReplicas } from './rds-read-replicas.ts';
import { rdsStorage } from './rds-storage.ts';

export type { KindDefinition, Shape, WorldRole } from './kind.ts';

// biome-ignore lint/suspicious/noExplicitAny: each kind's spec type differs; the table holds them all.
type AnyKind = KindDefinition<any>;

/** Every kind Headroom steers, alphabetical. Adding a kind: its module, its test, one line here. */
const TABLE: readonly AnyKind[] = [
  auroraReaders,
  auroraServerlessV2,
  capacityBuffer,
  ec2AutoScalingGroup,
  eksNodegroup,
  elastiCacheReplicationGroup,
  elastiCacheServerless,
  k8sDeployment,
  k8sHpa,
  k8sStatefulSet,
  karpenterHeadroom,
  karpenterStaticNodePool,
  kedaScaledObject,
  pgbouncer,
  rdsInstance,
  rdsReadReplicas,
  rdsStorage,
];

/** The kinds by name. */
export class KindTable {
  private readonly byName = new Map<string, AnyKind>();

  constructor(kinds: readonly AnyKind[]) {
    for (const k of kinds) this.add(k);
  }

  /**
   * Adds a kind after start: how a test proves a fake kind is picked up everywhere (vitest
   * gives each test file its own modules, so the table of other files is untouched).
   */
  add(kind: AnyKind): void {
    if (this.byName.has(kind.name)) throw new Error(`kind "${kind.name}" is already defined`);
    this.byName.set(kind.name, kind);
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The definition of a kind validation accepted; a name it refused is a bug. */
  of(name: string): KindDefinition {
    const k = this.byName.get(name);
    if (!k) throw new Error(`unknown kind "${name}" (one of ${this.names.join(', ')})`);
    return k;
  }

  all(): KindDefinition[] {
    return [...this.byName.values()];
  }
}

export const KINDS = new KindTable(TABLE);

/** The definition of a target's kind. */
export const kindOf = (target: Pick<Target, 'kind'>): KindDefinition => KINDS.of(target.kind);

/** A target's part in the backtest world: its dimension's when the kind plays several. */
export function worldRoleOf(target: Pick<Target, 'kind' | 'spec'>): WorldRole {
  const kind = KINDS.of(target.kind);
  const d = target.spec.dimension;
  return (typeof d === 'string' ? kind.worldByDimension?.[d] : undefined) ?? kind.world;
}

/**
 * The default lead time of a kind steering `dimension` (when the kind has several), or the one
 * its `spec` implies (`leadTimeOf`), when the target does not configure `leadTime`.
 */
export function defaultLeadTimeSeconds(kind: KindDefinition, dimension?: unknown, spec?: unknown): number {
  const fromSpec = spec !== undefined ? kind.leadTimeOf?.(spec as Record<string, unknown>) : undefined;
  if (fromSpec) return fromSpec.seconds;
  const byDim = typeof dimension === 'string' ? kind.leadTimeByDimension?.[dimension] : undefined;
  return (byDim ?? kind.leadTime).seconds;
}
