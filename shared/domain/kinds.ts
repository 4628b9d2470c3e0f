import type { Scale, TargetKind } from './types.ts';

/**
 * What the brain knows about each kind before any adapter is loaded: how it counts, the field
 * a step sets (CONTRACTS.md `set`), and a default lead time. Lead times are the time from
 * issuing a change to ready capacity, from AWS and Kubernetes documentation:
 * - HPA/KEDA floors and Deployments: pods on warm nodes start in about a minute.
 * - Karpenter: a node is ready ~45-60 s after pods are pending, plus image pulls.
 * - EKS managed node groups: an ASG instance joins in several minutes.
 * - RDS instance class change: ~20 minutes plus a 60-120 s failover (Multi-AZ).
 * - RDS read replica: 15-40 minutes depending on storage size.
 * - Aurora reader: ~10-15 minutes; Serverless v2 capacity changes apply in seconds.
 * - ElastiCache replicas: ~15-20 minutes; node type change and online resharding: ~30 minutes.
 * - ElastiCache Serverless minimums: "may take up to 60 minutes" to apply.
 * docs/data-tier.md lists the AWS documentation behind each data-tier figure.
 */
export interface KindInfo {
  scale: Scale;
  /** The field named in a step's `set`. */
  field: string;
  defaultLeadTimeSeconds: number;
  granularity: number;
  /** Kubernetes pod workloads (sized into Karpenter headroom). */
  podWorkload: boolean;
  /** Lives in a Kubernetes cluster (needs `cluster`). */
  kubernetes: boolean;
  /** A change must finish before the next can start (AWS rejects a modify while modifying). */
  exclusive: boolean;
  /** Kinds that steer one of several dimensions (`spec.dimension`): a lead time per dimension. */
  leadTimeByDimension?: Record<string, number>;
}

const m = 60;
export const KINDS: Record<TargetKind, KindInfo> = {
  'aurora-readers': {
    scale: 'count',
    field: 'readers',
    defaultLeadTimeSeconds: 15 * m,
    granularity: 1,
    podWorkload: false,
    kubernetes: false,
    exclusive: false,
  },
  'aurora-serverless-v2': {
    scale: 'count',
    field: 'minCapacity',
    defaultLeadTimeSeconds: 2 * m,
    granularity: 0.5,
    podWorkload: false,
    kubernetes: false,
    exclusive: true,
  },
  'eks-nodegroup': {
    scale: 'count',
    field: 'minSize',
    defaultLeadTimeSeconds: 6 * m,
    granularity: 1,
    podWorkload: false,
    kubernetes: true,
    exclusive: true,
  },
  'elasticache-replication-group': {
    scale: 'count',
    field: 'replicasPerShard',
    defaultLeadTimeSeconds: 20 * m,
    granularity: 1,
    podWorkload: false,
    kubernetes: false,
    exclusive: true,
    // Adding a replica copies the data set (~15-20 min); a node type change or resharding
    // migrates every slot (~30 min for a few GiB, longer with more data).
    leadTimeByDimension: { replicas: 20 * m, shards: 30 * m, nodeType: 30 * m },
  },
  'elasticache-serverless': {
    scale: 'count',
    field: 'ecpuPerSecondMinimum',
    defaultLeadTimeSeconds: 60 * m,
    granularity: 1,
    podWorkload: false,
    kubernetes: false,
    exclusive: true,
  },
  'k8s-deployment': {
    scale: 'count',
    field: 'replicas',
    defaultLeadTimeSeconds: 60,
    granularity: 1,
    podWorkload: true,
    kubernetes: true,
    exclusive: false,
  },
  'k8s-hpa': {
    scale: 'count',
    field: 'minReplicas',
    defaultLeadTimeSeconds: 90,
    granularity: 1,
    podWorkload: true,
    kubernetes: true,
    exclusive: false,
  },
  'k8s-statefulset': {
    scale: 'count',
    field: 'replicas',
    defaultLeadTimeSeconds: 2 * m,
    granularity: 1,
    podWorkload: true,
    kubernetes: true,
    exclusive: false,
  },
  'karpenter-headroom': {
    scale: 'count',
    field: 'spareNodes',
    defaultLeadTimeSeconds: 3 * m,
    granularity: 1,
    podWorkload: false,
    kubernetes: true,
    exclusive: false,
  },
  'keda-scaledobject': {
    scale: 'count',
    field: 'minReplicaCount',
    defaultLeadTimeSeconds: 90,
    granularity: 1,
    podWorkload: true,
    kubernetes: true,
    exclusive: false,
  },
  'rds-instance': {
    scale: 'ladder',
    field: 'instanceClass',
    defaultLeadTimeSeconds: 30 * m,
    granularity: 1,
    podWorkload: false,
    kubernetes: false,
    exclusive: true,
  },
  'rds-read-replicas': {
    scale: 'count',
    field: 'replicas',
    defaultLeadTimeSeconds: 40 * m,
    granularity: 1,
    podWorkload: false,
    kubernetes: false,
    exclusive: false,
  },
};

/** The default lead time of a target of this kind steering `dimension` (when the kind has several). */
export function defaultLeadTimeSeconds(kind: TargetKind, dimension?: unknown): number {
  const info = KINDS[kind];
  const byDim = typeof dimension === 'string' ? info.leadTimeByDimension?.[dimension] : undefined;
  return byDim ?? info.defaultLeadTimeSeconds;
}
