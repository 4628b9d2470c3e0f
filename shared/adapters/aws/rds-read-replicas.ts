import {
  CreateDBInstanceReadReplicaCommand,
  type DBInstance,
  DeleteDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { managedPrefix } from '../../domain/managed.ts';
import type { Target } from '../../domain/types.ts';
import type { ApplyResult } from '../../ports/actuator.ts';
import { call } from './errors.ts';
import {
  createHeadroomMade,
  describeInstance,
  describeInstances,
  FleetActuator,
  type FleetMember,
  type FleetView,
  fleetCounts,
  fleetMember,
  leastUsedZone,
  MANAGED_TAG,
  parentBroken,
  removeHeadroomMade,
  TARGET_TAG_KEY,
} from './rds-common.ts';

/** What the actuator reads from an `rds-read-replicas` target's spec. */
export type ReadReplicasNeeds = { source: string; instanceClass: string; availabilityZones?: string[] };

interface Fleet {
  source: DBInstance;
  sourceId: string;
  prefix: string;
  members: FleetMember[];
}

/**
 * `rds-read-replicas`: the number of read replicas of a source instance. Every replica counts
 * (hand-made ones too); Headroom creates `<source>-headroom-<n>` replicas tagged
 * `headroom:managed=true` and deletes only those, newest first, once they are available.
 */
export class RdsReadReplicasActuator extends FleetActuator<Fleet, ReadReplicasNeeds> {
  protected async fleet(target: Target<ReadReplicasNeeds>): Promise<Fleet> {
    const sourceId = target.spec.source;
    const source = await describeInstance(this.rds, sourceId);
    // Cross-region replicas are listed as ARNs: they serve another region, not this target.
    const ids = (source.ReadReplicaDBInstanceIdentifiers ?? []).filter((id) => !id.startsWith('arn:'));
    const instances = ids.length
      ? await describeInstances(this.rds, { Name: 'db-instance-id', Values: ids }, `replicas of ${sourceId}`)
      : [];
    const prefix = managedPrefix(sourceId);
    return { source, sourceId, prefix, members: instances.map((i) => fleetMember(i, prefix)) };
  }

  protected viewOf(f: Fleet): FleetView {
    return view(f);
  }

  protected async create(target: Target<ReadReplicasNeeds>, f: Fleet, count: number): Promise<ApplyResult> {
    const { value } = fleetCounts(f.members);
    const before = { replicas: value };
    const zones = target.spec.availabilityZones;
    const planned = [...f.members];
    const created = await createHeadroomMade({
      prefix: f.prefix,
      members: f.members,
      count,
      create: (name) => {
        const az = leastUsedZone(zones, planned);
        // Counted in the next one's zone choice whether it is created now or already was.
        planned.push({ ...fleetMember({ DBInstanceIdentifier: name }, f.prefix), state: 'coming', az });
        return call(`CreateDBInstanceReadReplica ${name}`, () =>
          this.rds.send(
            new CreateDBInstanceReadReplicaCommand({
              DBInstanceIdentifier: name,
              SourceDBInstanceIdentifier: f.sourceId,
              DBInstanceClass: target.spec.instanceClass,
              ...(az ? { AvailabilityZone: az } : {}),
              // Without these a replica gets the VPC's default security group and the
              // default public setting: copy the source so clients can reach it as before.
              VpcSecurityGroupIds: (f.source.VpcSecurityGroups ?? [])
                .map((g) => g.VpcSecurityGroupId)
                .filter((g): g is string => !!g),
              PubliclyAccessible: f.source.PubliclyAccessible === true,
              AutoMinorVersionUpgrade: f.source.AutoMinorVersionUpgrade,
              DeletionProtection: false,
              Tags: [MANAGED_TAG, { Key: TARGET_TAG_KEY, Value: target.id }],
            }),
          ),
        );
      },
    });
    return {
      status: 'applied',
      before,
      after: { replicas: value + created.length, created },
      message: `creating ${created.join(', ')} (${target.spec.instanceClass})`,
    };
  }

  protected remove(f: Fleet, count: number): Promise<ApplyResult> {
    return removeHeadroomMade({
      members: f.members,
      count,
      field: 'replicas',
      noun: 'replica',
      remove: (id) =>
        call(`DeleteDBInstance ${id}`, () =>
          this.rds.send(
            new DeleteDBInstanceCommand({
              DBInstanceIdentifier: id,
              // A read replica has no final snapshot of its own: the source holds the data.
              SkipFinalSnapshot: true,
              DeleteAutomatedBackups: true,
            }),
          ),
        ),
    });
  }
}

/** A source that cannot have replicas created (or that is itself broken) blocks the target. */
function sourceProblem(f: Fleet): string | undefined {
  const broken = parentBroken(`source ${f.sourceId}`, f.source.DBInstanceStatus);
  if (broken) return broken;
  if (f.source.BackupRetentionPeriod === 0)
    return `automated backups are off on ${f.sourceId}: RDS cannot create read replicas (set a backup retention period)`;
  return undefined;
}

function view(f: Fleet): FleetView {
  return {
    members: f.members,
    field: 'replicas',
    parent: { key: 'source', id: f.sourceId, status: f.source.DBInstanceStatus },
    blocked: sourceProblem(f),
    adding: 'replicas are created',
  };
}
