import type { Target } from '../domain/types.ts';
import { defaultMaxConnections } from './prices.ts';
import type { TrendModel } from './trend.ts';

/**
 * What the capacity review watches on each kind of target, with the runbook's thresholds:
 * database CPU 70 %, connections 70 % of max_connections, storage 70 % used, Redis memory
 * 70 %, Redis operations 80 % of the benchmark. Every threshold and limit can be overridden
 * in the config's `capacity:` section (shared/capacity/schema.ts).
 */

/** What to do when a measure nears its limit. */
export type ActionKind = 'next-tier' | 'more-replicas' | 'more-storage' | 'cluster-mode';

export interface CloudWatchMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  stat: string;
}

export interface MeasureDef {
  name: string;
  label: string;
  /** Unit of the measure's values and of its limit. */
  unit: string;
  /** Percent of the limit at which the runbook acts. */
  threshold: number;
  action: ActionKind;
  /** The trend model whatever `capacity.trend` says: storage fills by gigabytes, not by percent. */
  model?: TrendModel;
  /** The CloudWatch metrics whose sum is the measure (before `convert`), if it has a default source. */
  metrics?(t: Target): CloudWatchMetric[];
  /** A raw sample (per period of `stepSeconds`) in measure units, given the limit. */
  convert?(raw: number, stepSeconds: number, limit: number): number;
  /** The measure's 100 % for the target as it runs now, when it can be derived. */
  limit?(t: Target, current: { tier?: string; storageGiB?: number }): number | undefined;
  /** What `limit` means, for the message when it must be configured. */
  limitHelp: string;
}

const GiB = 1024 ** 3;
const spec = (t: Target) => t.spec as Record<string, unknown>;
const rds = (t: Target, name: string, stat: string): CloudWatchMetric[] => [
  { namespace: 'AWS/RDS', name, stat, dimensions: { DBInstanceIdentifier: String(spec(t).identifier) } },
];
// ElastiCache publishes node metrics per cache cluster: the group's first node is `<group>-001`.
const redis = (t: Target, name: string, stat: string): CloudWatchMetric => ({
  namespace: 'AWS/ElastiCache',
  name,
  stat,
  dimensions: { CacheClusterId: `${String(spec(t).replicationGroupId)}-001` },
});

const cpu = (metrics?: MeasureDef['metrics'], action: ActionKind = 'next-tier'): MeasureDef => ({
  name: 'cpu',
  label: 'CPU',
  unit: '%',
  threshold: 70,
  action,
  metrics,
  limit: () => 100,
  limitHelp: 'percent',
});

const BY_KIND: Record<string, MeasureDef[]> = {
  'rds-instance': [
    cpu((t) => rds(t, 'CPUUtilization', 'Average')),
    {
      name: 'connections',
      label: 'connections',
      unit: 'connections',
      threshold: 70,
      action: 'next-tier',
      metrics: (t) => rds(t, 'DatabaseConnections', 'Maximum'),
      limit: (_t, c) => (c.tier ? defaultMaxConnections(c.tier) : undefined),
      limitHelp: 'max_connections of the instance',
    },
    {
      name: 'storage',
      label: 'storage used',
      unit: 'GiB',
      threshold: 70,
      action: 'more-storage',
      model: 'linear',
      metrics: (t) => rds(t, 'FreeStorageSpace', 'Minimum'),
      convert: (freeBytes, _step, allocated) => allocated - freeBytes / GiB,
      // The allocated storage as read (the instance, or an rds-storage target of it).
      limit: (_t, c) => c.storageGiB,
      limitHelp: 'allocated storage in GiB',
    },
  ],
  'rds-read-replicas': [cpu(undefined, 'more-replicas')],
  'elasticache-replication-group': [
    {
      name: 'memory',
      label: 'Redis memory',
      unit: '%',
      threshold: 70,
      action: 'next-tier',
      metrics: (t) => [redis(t, 'DatabaseMemoryUsagePercentage', 'Maximum')],
      limit: () => 100,
      limitHelp: 'percent',
    },
    {
      name: 'ops',
      label: 'Redis operations',
      unit: 'ops/s',
      threshold: 80,
      action: 'more-replicas',
      metrics: (t) => [redis(t, 'GetTypeCmds', 'Sum'), redis(t, 'SetTypeCmds', 'Sum')],
      convert: (commands, step) => commands / step,
      limitHelp: 'the benchmark in operations per second',
    },
  ],
};

/** The measures the review knows for a kind (none for kinds it does not review by default). */
export function measuresOf(kind: string): MeasureDef[] {
  return BY_KIND[kind] ?? [];
}

/** The default threshold of every named measure, for the config's `capacity.thresholds`. */
export const DEFAULT_THRESHOLDS: Record<string, number> = {
  cpu: 70,
  connections: 70,
  storage: 70,
  memory: 70,
  ops: 80,
};

/** A measure of the config only (a signal and a limit): its values are in the limit's unit. */
export function customMeasure(name: string): MeasureDef {
  return {
    name,
    label: name,
    unit: 'units',
    threshold: DEFAULT_THRESHOLDS[name] ?? 70,
    action: 'more-replicas',
    limitHelp: 'the value that is 100 %',
  };
}
