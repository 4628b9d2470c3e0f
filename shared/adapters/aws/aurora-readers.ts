import {
  CreateDBInstanceCommand,
  type DBCluster,
  type DBInstance,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
} from '@aws-sdk/client-rds';
import { ActuatorError } from '../../domain/errors.ts';
import { managedPrefix } from '../../domain/managed.ts';
import type { Target } from '../../domain/types.ts';
import type { ApplyResult } from '../../ports/actuator.ts';
import type { RdsApi } from './clients.ts';
import { call } from './errors.ts';
import {
  createHeadroomMade,
  describeInstances,
  FleetActuator,
  type FleetMember,
  type FleetView,
  fleetCounts,
  fleetMember,
  MANAGED_TAG,
  parentBroken,
  removeHeadroomMade,
  TARGET_TAG_KEY,
} from './rds-common.ts';

/** What the actuator reads from an `aurora-readers` target's spec. */
export type AuroraReadersNeeds = { clusterIdentifier: string; instanceClass?: string };

/** Failover promotes the lowest tier first: Headroom's temporary readers go last (15). */
const PROMOTION_TIER = 15;

export async function describeCluster(rds: RdsApi, id: string): Promise<DBCluster> {
  const out = await call(`DescribeDBClusters ${id}`, () =>
    rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id })),
  );
  const c = out.DBClusters?.[0];
  if (!c) throw new ActuatorError('not-found', `DescribeDBClusters ${id}: no such DB cluster`);
  return c;
}

interface Fleet {
  cluster: DBCluster;
  clusterId: string;
  writer?: DBInstance;
  /** Readers only: the writer is never counted, never deleted. */
  readers: FleetMember[];
  prefix: string;
}

/**
 * `aurora-readers`: the number of reader instances in an Aurora cluster. Headroom adds
 * `<cluster>-headroom-<n>` readers (CreateDBInstance into the cluster, the writer's parameter
 * group, promotion tier 15) and removes only those, newest first, once available, and never an
 * instance that has become the writer.
 */
export class AuroraReadersActuator extends FleetActuator<Fleet, AuroraReadersNeeds> {
  protected async fleet(target: Target<AuroraReadersNeeds>): Promise<Fleet> {
    const clusterId = target.spec.clusterIdentifier;
    const cluster = await describeCluster(this.rds, clusterId);
    const instances = await describeInstances(
      this.rds,
      { Name: 'db-cluster-id', Values: [clusterId] },
      `of cluster ${clusterId}`,
    );
    const writerIds = new Set(
      (cluster.DBClusterMembers ?? []).filter((m) => m.IsClusterWriter).map((m) => m.DBInstanceIdentifier),
    );
    const prefix = managedPrefix(clusterId);
    const readers = instances
      .filter((i) => !writerIds.has(i.DBInstanceIdentifier))
      .map((i) => fleetMember(i, prefix));
    const writer = instances.find((i) => writerIds.has(i.DBInstanceIdentifier));
    return { cluster, clusterId, writer, readers, prefix };
  }

  protected viewOf(f: Fleet): FleetView {
    return view(f);
  }

  protected async create(target: Target<AuroraReadersNeeds>, f: Fleet, count: number): Promise<ApplyResult> {
    const { value } = fleetCounts(f.readers);
    const before = { readers: value };
    const instanceClass = target.spec.instanceClass ?? f.writer?.DBInstanceClass;
    if (!instanceClass)
      return {
        status: 'blocked',
        before,
        after: before,
        message: `cluster ${f.clusterId} has no writer to copy an instance class from: set instanceClass`,
      };
    const paramGroup = f.writer?.DBParameterGroups?.[0]?.DBParameterGroupName;
    const created = await createHeadroomMade({
      prefix: f.prefix,
      members: f.readers,
      count,
      create: (name) =>
        call(`CreateDBInstance ${name}`, () =>
          this.rds.send(
            new CreateDBInstanceCommand({
              DBInstanceIdentifier: name,
              DBClusterIdentifier: f.clusterId,
              Engine: f.cluster.Engine,
              DBInstanceClass: instanceClass,
              PromotionTier: PROMOTION_TIER,
              // A reader should behave like the writer it stands in for: same parameters.
              ...(paramGroup ? { DBParameterGroupName: paramGroup } : {}),
              PubliclyAccessible: f.writer?.PubliclyAccessible === true,
              AutoMinorVersionUpgrade: f.writer?.AutoMinorVersionUpgrade,
              Tags: [MANAGED_TAG, { Key: TARGET_TAG_KEY, Value: target.id }],
            }),
          ),
        ),
    });
    return {
      status: 'applied',
      before,
      after: { readers: value + created.length, created },
      message: `adding readers ${created.join(', ')} (${instanceClass}) to ${f.clusterId}`,
    };
  }

  protected remove(f: Fleet, count: number): Promise<ApplyResult> {
    return removeHeadroomMade({
      members: f.readers,
      count,
      field: 'readers',
      noun: 'reader',
      remove: (id) =>
        call(`DeleteDBInstance ${id}`, () =>
          this.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id })),
        ),
    });
  }
}

function clusterProblem(f: Fleet): string | undefined {
  if (f.cluster.EngineMode && f.cluster.EngineMode !== 'provisioned')
    return `cluster ${f.clusterId} is ${f.cluster.EngineMode}: it has no reader instances to count`;
  return parentBroken(`cluster ${f.clusterId}`, f.cluster.Status);
}

function view(f: Fleet): FleetView {
  return {
    members: f.readers,
    field: 'readers',
    parent: { key: 'cluster', id: f.clusterId, status: f.cluster.Status },
    extra: { writer: f.writer?.DBInstanceIdentifier },
    blocked: clusterProblem(f),
    adding: 'readers are added',
  };
}
