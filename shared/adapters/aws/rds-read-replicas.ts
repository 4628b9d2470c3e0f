import {
  CreateDBInstanceReadReplicaCommand,
  type DBInstance,
  DeleteDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { managedPrefix } from '../../domain/managed.ts';
import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { RdsApi } from './clients.ts';
import { call } from './errors.ts';
import {
  capacityState,
  createHeadroomMade,
  describeInstance,
  describeInstances,
  type FleetMember,
  fleetCounts,
  fleetMember,
  leastUsedZone,
  MANAGED_TAG,
  removeHeadroomMade,
  TARGET_TAG_KEY,
} from './rds-common.ts';

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
export class RdsReadReplicasActuator implements Actuator {
  private readonly rds: RdsApi;
  constructor(deps: { rds: RdsApi }) {
    this.rds = deps.rds;
  }

  private async fleet(target: Target): Promise<Fleet> {
    const sourceId = String(target.spec.source);
    const source = await describeInstance(this.rds, sourceId);
    // Cross-region replicas are listed as ARNs: they serve another region, not this target.
    const ids = (source.ReadReplicaDBInstanceIdentifiers ?? []).filter((id) => !id.startsWith('arn:'));
    const instances = ids.length
      ? await describeInstances(this.rds, { Name: 'db-instance-id', Values: ids }, `replicas of ${sourceId}`)
      : [];
    const prefix = managedPrefix(sourceId);
    return { source, sourceId, prefix, members: instances.map((i) => fleetMember(i, prefix)) };
  }

  async read(target: Target): Promise<Actual> {
    const f = await this.fleet(target);
    const { value, ready } = fleetCounts(f.members);
    const actual: Actual = {
      value,
      ready,
      details: {
        source: f.sourceId,
        sourceStatus: f.source.DBInstanceStatus,
        replicas: f.members.map((m) => ({ id: m.id, status: m.status, headroomMade: m.headroomMade })),
      },
    };
    const blocked = sourceProblem(f);
    if (blocked) actual.blocked = blocked;
    return actual;
  }

  async apply(target: Target, desired: number, _ctx: ApplyContext): Promise<ApplyResult> {
    const f = await this.fleet(target);
    const { value } = fleetCounts(f.members);
    const before = { replicas: value };
    if (desired === value) return { status: 'no-op', before, after: before };
    const blocked = sourceProblem(f);
    if (blocked) return { status: 'blocked', before, after: before, message: blocked };
    return desired > value ? this.create(target, f, desired - value) : this.remove(f, value - desired);
  }

  private async create(target: Target, f: Fleet, count: number): Promise<ApplyResult> {
    const { value } = fleetCounts(f.members);
    const before = { replicas: value };
    if (f.source.DBInstanceStatus !== 'available')
      return {
        status: 'in-progress',
        before,
        after: before,
        message: `source ${f.sourceId} is ${f.source.DBInstanceStatus}: replicas are created once it is available`,
      };
    const zones = target.spec.availabilityZones as string[] | undefined;
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
              DBInstanceClass: String(target.spec.instanceClass),
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
      message: `creating ${created.join(', ')} (${String(target.spec.instanceClass)})`,
    };
  }

  private remove(f: Fleet, count: number): Promise<ApplyResult> {
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
  const state = capacityState(f.source.DBInstanceStatus);
  if (state === 'broken' || state === 'gone')
    return `source ${f.sourceId} is ${f.source.DBInstanceStatus}: Headroom changes nothing until it is available`;
  if (f.source.BackupRetentionPeriod === 0)
    return `automated backups are off on ${f.sourceId}: RDS cannot create read replicas (set a backup retention period)`;
  return undefined;
}
