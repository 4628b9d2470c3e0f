import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  AddTagsToResourceCommand,
  type AddTagsToResourceCommandInput,
  CreateBlueGreenDeploymentCommand,
  type CreateBlueGreenDeploymentCommandInput,
  CreateDBInstanceCommand,
  type CreateDBInstanceCommandInput,
  CreateDBInstanceReadReplicaCommand,
  type CreateDBInstanceReadReplicaCommandInput,
  type DBCluster,
  DBClusterNotFoundFault,
  type DBInstance,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  DeleteBlueGreenDeploymentCommand,
  type DeleteBlueGreenDeploymentCommandInput,
  DeleteDBInstanceCommand,
  type DeleteDBInstanceCommandInput,
  DescribeBlueGreenDeploymentsCommand,
  type DescribeBlueGreenDeploymentsCommandInput,
  DescribeDBClustersCommand,
  type DescribeDBClustersCommandInput,
  DescribeDBInstancesCommand,
  type DescribeDBInstancesCommandInput,
  DescribeDBParametersCommand,
  type DescribeDBParametersCommandInput,
  InstanceQuotaExceededFault,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  ModifyDBClusterCommand,
  type ModifyDBClusterCommandInput,
  ModifyDBInstanceCommand,
  type ModifyDBInstanceCommandInput,
  RDSClient,
  RDSServiceException,
  SwitchoverBlueGreenDeploymentCommand,
  type SwitchoverBlueGreenDeploymentCommandInput,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../../shared/ports/clock.ts';
import { ACCOUNT, FakeApi, MIN, metadata, REGION } from './fake-base.ts';
import { FakeBlueGreen } from './fake-rds-blue-green.ts';

/**
 * How long RDS takes in this model: each below the default lead time of its kind (class
 * change 30 m, replica 40 m, Aurora reader 15 m, Serverless v2 2 m), as on AWS.
 */
export const RDS_DELAYS = {
  classChange: 20 * MIN,
  storageChange: 5 * MIN,
  storageOptimization: 2 * 60 * MIN,
  replicaCreate: 30 * MIN,
  auroraReaderCreate: 12 * MIN,
  instanceDelete: 8 * MIN,
  clusterModify: 30_000,
};

export interface FakeInstance {
  id: string;
  instanceClass: string;
  status: string;
  multiAZ: boolean;
  engine: string;
  allocatedGiB: number;
  usedGiB: number;
  /** Storage autoscaling's ceiling (MaxAllocatedStorage); undefined: autoscaling off. */
  maxAllocatedGiB?: number;
  backupRetention: number;
  az: string;
  source?: string;
  cluster?: string;
  tags: { Key: string; Value: string }[];
  createdAt: number;
  deletionProtection: boolean;
  parameterGroup: string;
  securityGroups: string[];
  publiclyAccessible: boolean;
  promotionTier?: number;
  pending: { DBInstanceClass?: string; AllocatedStorage?: number };
  lastStorageChange?: number;
}

export interface FakeCluster {
  id: string;
  status: string;
  engine: string;
  engineMode: string;
  writer?: string;
  serverless?: { min: number; max: number };
}

const arn = (id: string) => `arn:aws:rds:${REGION}:${ACCOUNT}:db:${id}`;

/** Errors RDS answers without a modelled class: the SDK names them after the wire code. */
export function rdsError(name: string, message: string, status = 400): RDSServiceException {
  return new RDSServiceException({ name, $fault: 'client', message, $metadata: metadata(status) });
}

/** A parameter the API requires: AWS answers MissingParameter without it. */
function need<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw rdsError('MissingParameter', `The request must contain the parameter ${name}`);
  return v;
}

/**
 * A stateful RDS (and the CloudWatch FreeStorageSpace metric) behind aws-sdk-client-mock:
 * instances and clusters whose statuses move with the injected clock, and the real error
 * classes, names and messages for unknown identifiers, busy resources and quotas.
 */
export class FakeRds extends FakeApi {
  readonly instances = new Map<string, FakeInstance>();
  readonly clusters = new Map<string, FakeCluster>();
  /** Total DB instances the account may have (InstanceQuotaExceeded beyond). */
  instanceQuota = 40;
  /** Parameters of custom DB parameter groups; `default.*` groups hold the engine defaults. */
  readonly parameterGroups = new Map<string, Record<string, string>>();
  /** Blue/Green deployments of this account's instances. */
  readonly blueGreen = new FakeBlueGreen({
    instances: this.instances,
    addInstance: (p) => this.addInstance(p),
    later: (ms, run) => this.later(ms, run),
    now: () => this.now(),
    arn,
    rdsError,
    need,
  });
  private readonly mocks: { restore(): void }[] = [];

  constructor(clock: Clock) {
    super(clock, () => rdsError('Throttling', 'Rate exceeded'));
  }

  addInstance(p: Partial<FakeInstance> & { id: string }): FakeInstance {
    const inst: FakeInstance = {
      instanceClass: 'db.r6g.large',
      status: 'available',
      multiAZ: true,
      engine: 'postgres',
      allocatedGiB: 100,
      usedGiB: 40,
      backupRetention: 7,
      az: `${REGION}a`,
      tags: [],
      createdAt: this.now() - 86400_000,
      deletionProtection: false,
      parameterGroup: 'default.postgres16',
      securityGroups: ['sg-0db1'],
      publiclyAccessible: false,
      pending: {},
      ...p,
    };
    this.instances.set(inst.id, inst);
    return inst;
  }

  addCluster(p: Partial<FakeCluster> & { id: string }): FakeCluster {
    const c: FakeCluster = {
      status: 'available',
      engine: 'aurora-postgresql',
      engineMode: 'provisioned',
      ...p,
    };
    this.clusters.set(c.id, c);
    return c;
  }

  instance(id: string): FakeInstance | undefined {
    this.settle();
    return this.instances.get(id);
  }

  replicasOf(source: string): FakeInstance[] {
    this.settle();
    return [...this.instances.values()].filter((i) => i.source === source);
  }

  readersOf(cluster: string): FakeInstance[] {
    this.settle();
    const c = this.clusters.get(cluster);
    return [...this.instances.values()].filter((i) => i.cluster === cluster && i.id !== c?.writer);
  }

  /** Routes every RDSClient and CloudWatchClient `send` of this process to this model. */
  install(): this {
    const rds = mockClient(RDSClient);
    const on = <I extends object>(cmd: unknown, name: string, fn: (input: I) => unknown) =>
      rds.on(cmd as never).callsFake(async (input: I) => this.handle(name, input, () => fn(input)));
    on(DescribeDBInstancesCommand, 'DescribeDBInstances', (i: DescribeDBInstancesCommandInput) =>
      this.describeInstances(i),
    );
    on(ModifyDBInstanceCommand, 'ModifyDBInstance', (i: ModifyDBInstanceCommandInput) =>
      this.modifyInstance(i),
    );
    on(
      CreateDBInstanceReadReplicaCommand,
      'CreateDBInstanceReadReplica',
      (i: CreateDBInstanceReadReplicaCommandInput) => this.createReplica(i),
    );
    on(CreateDBInstanceCommand, 'CreateDBInstance', (i: CreateDBInstanceCommandInput) =>
      this.createInstance(i),
    );
    on(DeleteDBInstanceCommand, 'DeleteDBInstance', (i: DeleteDBInstanceCommandInput) =>
      this.deleteInstance(i),
    );
    on(DescribeDBClustersCommand, 'DescribeDBClusters', (i: DescribeDBClustersCommandInput) =>
      this.describeClusters(i),
    );
    on(ModifyDBClusterCommand, 'ModifyDBCluster', (i: ModifyDBClusterCommandInput) => this.modifyCluster(i));
    on(AddTagsToResourceCommand, 'AddTagsToResource', (i: AddTagsToResourceCommandInput) => this.addTags(i));
    on(DescribeDBParametersCommand, 'DescribeDBParameters', (i: DescribeDBParametersCommandInput) =>
      describeParameters(this.parameterGroups, i),
    );
    const bg = this.blueGreen;
    on(
      CreateBlueGreenDeploymentCommand,
      'CreateBlueGreenDeployment',
      (i: CreateBlueGreenDeploymentCommandInput) => bg.create(i),
    );
    on(
      DescribeBlueGreenDeploymentsCommand,
      'DescribeBlueGreenDeployments',
      (i: DescribeBlueGreenDeploymentsCommandInput) => bg.describe(i),
    );
    on(
      SwitchoverBlueGreenDeploymentCommand,
      'SwitchoverBlueGreenDeployment',
      (i: SwitchoverBlueGreenDeploymentCommandInput) => bg.switchover(i),
    );
    on(
      DeleteBlueGreenDeploymentCommand,
      'DeleteBlueGreenDeployment',
      (i: DeleteBlueGreenDeploymentCommandInput) => bg.delete(i),
    );
    const cw = mockClient(CloudWatchClient);
    cw.on(GetMetricDataCommand).callsFake(async (i: GetMetricDataCommandInput) =>
      this.handle('GetMetricData', i, () => this.freeStorage(i)),
    );
    this.mocks.push(rds, cw);
    return this;
  }

  restore(): void {
    for (const m of this.mocks) m.restore();
  }

  // --- answers ---------------------------------------------------------------------------

  private toApi(i: FakeInstance): DBInstance {
    const cluster = i.cluster ? this.clusters.get(i.cluster) : undefined;
    return {
      DBInstanceIdentifier: i.id,
      DBInstanceArn: arn(i.id),
      DBInstanceClass: i.instanceClass,
      Engine: i.engine,
      DBInstanceStatus: i.status,
      AllocatedStorage: i.allocatedGiB,
      MaxAllocatedStorage: i.maxAllocatedGiB,
      InstanceCreateTime: new Date(i.createdAt),
      MultiAZ: i.multiAZ,
      AvailabilityZone: i.az,
      BackupRetentionPeriod: i.backupRetention,
      DeletionProtection: i.deletionProtection,
      PubliclyAccessible: i.publiclyAccessible,
      AutoMinorVersionUpgrade: true,
      PromotionTier: i.promotionTier,
      DBParameterGroups: [{ DBParameterGroupName: i.parameterGroup, ParameterApplyStatus: 'in-sync' }],
      VpcSecurityGroups: i.securityGroups.map((g) => ({ VpcSecurityGroupId: g, Status: 'active' })),
      PendingModifiedValues: { ...i.pending },
      ReadReplicaSourceDBInstanceIdentifier: i.source,
      ReadReplicaDBInstanceIdentifiers: [...this.instances.values()]
        .filter((r) => r.source === i.id)
        .map((r) => r.id),
      DBClusterIdentifier: cluster?.id,
      TagList: i.tags.map((t) => ({ ...t })),
    };
  }

  private get(id: string): FakeInstance {
    const i = this.instances.get(id);
    if (!i)
      throw new DBInstanceNotFoundFault({ message: `DBInstance ${id} not found.`, $metadata: metadata(404) });
    return i;
  }

  private describeInstances(input: DescribeDBInstancesCommandInput) {
    if (input.DBInstanceIdentifier)
      return { DBInstances: [this.toApi(this.get(input.DBInstanceIdentifier))] };
    let list = [...this.instances.values()];
    for (const f of input.Filters ?? []) {
      if (f.Name === 'db-instance-id')
        list = list.filter((i) => (f.Values ?? []).includes(i.id) || (f.Values ?? []).includes(arn(i.id)));
      else if (f.Name === 'db-cluster-id')
        list = list.filter((i) => i.cluster && (f.Values ?? []).includes(i.cluster));
      else throw rdsError('InvalidParameterValue', `Unrecognized filter name: ${f.Name}`);
    }
    return { DBInstances: list.map((i) => this.toApi(i)) };
  }

  private modifyInstance(input: ModifyDBInstanceCommandInput) {
    const i = this.get(need(input.DBInstanceIdentifier, 'DBInstanceIdentifier'));
    if (i.status !== 'available' && i.status !== 'storage-optimization')
      throw new InvalidDBInstanceStateFault({
        message: 'Database instance is not in available state.',
        $metadata: metadata(400),
      });
    const storage = input.AllocatedStorage as number | undefined;
    if (storage !== undefined) {
      const since = i.lastStorageChange === undefined ? Infinity : this.now() - i.lastStorageChange;
      if (i.status === 'storage-optimization' || since < 6 * 60 * MIN)
        throw rdsError(
          'InvalidParameterCombination',
          'You cannot change the storage size of this DB instance yet: the last storage change was less than 6 hours ago or is still being optimized.',
        );
      if (storage < Math.ceil(i.allocatedGiB * 1.1 - 1e-9))
        throw rdsError(
          'InvalidParameterCombination',
          `Invalid storage size for engine name ${i.engine}: allocated storage must increase by at least 10%.`,
        );
    }
    const ceiling = input.MaxAllocatedStorage;
    if (ceiling !== undefined && ceiling < Math.ceil((storage ?? i.allocatedGiB) * 1.1 - 1e-9))
      throw rdsError(
        'InvalidParameterCombination',
        'Max storage size must be greater than storage size by at least 10%.',
      );
    if (ceiling !== undefined) i.maxAllocatedGiB = ceiling;
    if (input.DBInstanceClass) i.pending.DBInstanceClass = input.DBInstanceClass;
    if (storage !== undefined) i.pending.AllocatedStorage = storage;
    if (input.ApplyImmediately !== true) return { DBInstance: this.toApi(i) };
    // The 6 hours run from the storage modification itself.
    if (storage !== undefined) i.lastStorageChange = this.now();
    i.status = 'modifying';
    const classChange = input.DBInstanceClass && input.DBInstanceClass !== i.instanceClass;
    this.later(classChange ? RDS_DELAYS.classChange : RDS_DELAYS.storageChange, () => {
      if (i.pending.DBInstanceClass) i.instanceClass = i.pending.DBInstanceClass;
      const grew = i.pending.AllocatedStorage !== undefined;
      if (grew) i.allocatedGiB = i.pending.AllocatedStorage!;
      i.pending = {};
      i.status = grew ? 'storage-optimization' : 'available';
      if (grew)
        this.later(RDS_DELAYS.storageOptimization, () => {
          if (i.status === 'storage-optimization') i.status = 'available';
        });
    });
    return { DBInstance: this.toApi(i) };
  }

  private checkNew(id: string): void {
    if (this.instances.has(id))
      throw new DBInstanceAlreadyExistsFault({
        message: 'DB instance already exists',
        $metadata: metadata(400),
      });
    if (this.instances.size >= this.instanceQuota)
      throw new InstanceQuotaExceededFault({
        message: `You have reached the limit of ${this.instanceQuota} DB instances for this account.`,
        $metadata: metadata(400),
      });
  }

  private createReplica(input: CreateDBInstanceReadReplicaCommandInput) {
    const src = this.get(need(input.SourceDBInstanceIdentifier, 'SourceDBInstanceIdentifier'));
    if (src.status !== 'available')
      throw new InvalidDBInstanceStateFault({
        message: `DB instance ${src.id} is not in available state.`,
        $metadata: metadata(400),
      });
    if (src.backupRetention === 0)
      throw new InvalidDBInstanceStateFault({
        message:
          'Automated backups are not enabled for this database instance. To enable automated backups, use ModifyDBInstance to set the backup retention period to a non-zero value.',
        $metadata: metadata(400),
      });
    const id = need(input.DBInstanceIdentifier, 'DBInstanceIdentifier');
    this.checkNew(id);
    const r = this.addInstance({
      id,
      instanceClass: input.DBInstanceClass ?? src.instanceClass,
      status: 'creating',
      multiAZ: input.MultiAZ === true,
      engine: src.engine,
      allocatedGiB: src.allocatedGiB,
      usedGiB: src.usedGiB,
      az: input.AvailabilityZone ?? src.az,
      source: src.id,
      tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
      createdAt: this.now(),
      securityGroups: input.VpcSecurityGroupIds ?? ['sg-default'],
      publiclyAccessible: input.PubliclyAccessible ?? true,
      parameterGroup: input.DBParameterGroupName ?? src.parameterGroup,
    });
    this.later(RDS_DELAYS.replicaCreate, () => {
      if (r.status === 'creating') r.status = 'available';
    });
    return { DBInstance: this.toApi(r) };
  }

  private createInstance(input: CreateDBInstanceCommandInput) {
    const c = this.getCluster(need(input.DBClusterIdentifier, 'DBClusterIdentifier'));
    if (c.status !== 'available')
      throw new InvalidDBClusterStateFault({
        message: `DB cluster ${c.id} is not in available state.`,
        $metadata: metadata(400),
      });
    if (input.Engine !== c.engine)
      throw rdsError(
        'InvalidParameterCombination',
        `The engine name requested for your DB instance (${input.Engine}) doesn't match the engine name of your DB cluster (${c.engine}).`,
      );
    const id = need(input.DBInstanceIdentifier, 'DBInstanceIdentifier');
    this.checkNew(id);
    const r = this.addInstance({
      id,
      instanceClass: need(input.DBInstanceClass, 'DBInstanceClass'),
      status: 'creating',
      multiAZ: false,
      engine: c.engine,
      cluster: c.id,
      tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
      createdAt: this.now(),
      promotionTier: input.PromotionTier ?? 1,
      parameterGroup: input.DBParameterGroupName ?? `default.${c.engine}16`,
      publiclyAccessible: input.PubliclyAccessible ?? false,
    });
    this.later(RDS_DELAYS.auroraReaderCreate, () => {
      if (r.status === 'creating') r.status = 'available';
    });
    return { DBInstance: this.toApi(r) };
  }

  private deleteInstance(input: DeleteDBInstanceCommandInput) {
    const i = this.get(need(input.DBInstanceIdentifier, 'DBInstanceIdentifier'));
    if (i.status !== 'available' && i.status !== 'storage-optimization')
      throw new InvalidDBInstanceStateFault({
        message: `Instance ${i.id} is currently ${i.status} - a final snapshot cannot be taken.`,
        $metadata: metadata(400),
      });
    if (i.deletionProtection)
      throw rdsError(
        'InvalidParameterCombination',
        'Cannot delete protected DB Instance, please disable deletion protection and try again.',
      );
    if (!i.source && !i.cluster && input.SkipFinalSnapshot !== true && !input.FinalDBSnapshotIdentifier)
      throw rdsError(
        'InvalidParameterCombination',
        'FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.',
      );
    i.status = 'deleting';
    this.later(RDS_DELAYS.instanceDelete, () => this.instances.delete(i.id));
    return { DBInstance: this.toApi(i) };
  }

  private getCluster(id: string): FakeCluster {
    const c = this.clusters.get(id);
    if (!c)
      throw new DBClusterNotFoundFault({ message: `DBCluster ${id} not found.`, $metadata: metadata(404) });
    return c;
  }

  private clusterApi(c: FakeCluster): DBCluster {
    const members = [...this.instances.values()].filter((i) => i.cluster === c.id);
    return {
      DBClusterIdentifier: c.id,
      Status: c.status,
      Engine: c.engine,
      EngineMode: c.engineMode,
      DBClusterMembers: members.map((m) => ({
        DBInstanceIdentifier: m.id,
        IsClusterWriter: m.id === c.writer,
        PromotionTier: m.promotionTier,
        DBClusterParameterGroupStatus: 'in-sync',
      })),
      ...(c.serverless
        ? {
            ServerlessV2ScalingConfiguration: {
              MinCapacity: c.serverless.min,
              MaxCapacity: c.serverless.max,
            },
          }
        : {}),
    };
  }

  private describeClusters(input: DescribeDBClustersCommandInput) {
    return {
      DBClusters: [this.clusterApi(this.getCluster(need(input.DBClusterIdentifier, 'DBClusterIdentifier')))],
    };
  }

  private modifyCluster(input: ModifyDBClusterCommandInput) {
    const c = this.getCluster(need(input.DBClusterIdentifier, 'DBClusterIdentifier'));
    if (c.status !== 'available')
      throw new InvalidDBClusterStateFault({
        message: `DB cluster ${c.id} is not in available state.`,
        $metadata: metadata(400),
      });
    const s = input.ServerlessV2ScalingConfiguration;
    if (s) {
      const min = need(s.MinCapacity, 'MinCapacity');
      const max = need(s.MaxCapacity, 'MaxCapacity');
      if (max > 256 || min < 0 || min > max)
        throw rdsError(
          'InvalidParameterCombination',
          `MinCapacity ${min} and MaxCapacity ${max} are not a valid Serverless v2 range.`,
        );
      c.serverless = { min, max };
      c.status = 'modifying';
      this.later(RDS_DELAYS.clusterModify, () => {
        c.status = 'available';
      });
    }
    return { DBCluster: this.clusterApi(c) };
  }

  private addTags(input: AddTagsToResourceCommandInput) {
    const i = [...this.instances.values()].find((x) => arn(x.id) === input.ResourceName);
    if (!i)
      throw new DBInstanceNotFoundFault({
        message: `DBInstance ${input.ResourceName} not found.`,
        $metadata: metadata(404),
      });
    for (const t of input.Tags ?? []) {
      i.tags = [...i.tags.filter((x) => x.Key !== t.Key), { Key: t.Key ?? '', Value: t.Value ?? '' }];
    }
    return {};
  }

  private freeStorage(input: GetMetricDataCommandInput) {
    const q = need(input.MetricDataQueries?.[0], 'MetricDataQueries');
    const dims = q.MetricStat?.Metric?.Dimensions ?? [];
    const id = need(
      dims.find((d) => d.Name === 'DBInstanceIdentifier')?.Value,
      'DBInstanceIdentifier dimension',
    );
    const i = this.instances.get(id);
    const values = i ? [(i.allocatedGiB - i.usedGiB) * 1024 ** 3] : [];
    return {
      MetricDataResults: [
        {
          Id: q.Id,
          Label: 'FreeStorageSpace',
          StatusCode: 'Complete',
          Timestamps: values.map(() => new Date(this.now() - 60_000)),
          Values: values,
        },
      ],
      $metadata: metadata(),
    };
  }
}

/**
 * DescribeDBParameters, 100 a page as RDS answers: a default group lists its ~400 parameters with
 * `max_connections` as the RDS for PostgreSQL formula somewhere in the middle; a custom group
 * lists what it sets. An unknown group is DBParameterGroupNotFound.
 */
function describeParameters(
  groups: Map<string, Record<string, string>>,
  input: DescribeDBParametersCommandInput,
) {
  const name = need(input.DBParameterGroupName, 'DBParameterGroupName');
  let params = groups.get(name);
  if (!params && name.startsWith('default.')) {
    params = {};
    for (let k = 0; k < 400; k++)
      params[`${k < 200 ? 'autovacuum' : 'work'}_${String(k).padStart(3, '0')}`] = String(k);
    params.max_connections = 'LEAST({DBInstanceClassMemory/9531392},5000)';
  }
  if (!params) throw rdsError('DBParameterGroupNotFound', `DBParameterGroup not found: ${name}`, 404);
  const all = Object.entries(params)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ParameterName, ParameterValue]) => ({ ParameterName, ParameterValue, Source: 'system' }));
  const from = Number(input.Marker ?? 0);
  const page = all.slice(from, from + 100);
  return {
    Parameters: page,
    ...(from + 100 < all.length ? { Marker: String(from + 100) } : {}),
    $metadata: metadata(),
  };
}
