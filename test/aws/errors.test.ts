import {
  AccessDeniedException,
  InvalidParameterException,
  InvalidRequestException,
  InvalidStateException,
  ResourceInUseException,
  ResourceLimitExceededException,
  ResourceNotFoundException,
  ServerException,
  ServiceUnavailableException,
  ThrottlingException,
  UnsupportedAvailabilityZoneException,
} from '@aws-sdk/client-eks';
import {
  APICallRateForCustomerExceededFault,
  InsufficientCacheClusterCapacityFault,
  InvalidServerlessCacheStateFault,
  NodeGroupsPerReplicationGroupQuotaExceededFault,
  NodeQuotaForCustomerExceededFault,
  ReplicationGroupNotFoundFault,
  ServerlessCacheNotFoundFault,
  ServerlessCacheQuotaForCustomerExceededFault,
} from '@aws-sdk/client-elasticache';
import {
  DBClusterNotFoundFault,
  DBInstanceAlreadyExistsFault,
  DBInstanceNotFoundFault,
  InstanceQuotaExceededFault,
  InsufficientDBClusterCapacityFault,
  InsufficientDBInstanceCapacityFault,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  StorageQuotaExceededFault,
} from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toActuatorError } from '../../shared/adapters/aws/errors.ts';
import type { ActuatorErrorCode } from '../../shared/domain/errors.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { metadata } from './fake-base.ts';
import { FakeElastiCache } from './fake-elasticache.ts';
import { FakeRds, rdsError } from './fake-rds.ts';
import { applyCtx, realActuator, rejection, T0 } from './helpers.ts';

const m = (status = 400) => ({ $metadata: metadata(status) });

describe('Function: toActuatorError', () => {
  // One table for every service's real error names: RDS, ElastiCache, EKS and unmodelled wire codes.
  const cases: [Error, ActuatorErrorCode, boolean][] = [
    [new ResourceNotFoundException({ message: 'No node group found', ...m(404) }), 'not-found', false],
    [new ResourceInUseException({ message: 'update in progress', ...m(409) }), 'invalid-state', true],
    [new InvalidStateException({ message: 'cluster is UPDATING', ...m(400) }), 'invalid-state', true],
    [
      new UnsupportedAvailabilityZoneException({ message: 'no capacity in zone', ...m(400) }),
      'insufficient-capacity',
      true,
    ],
    [new ResourceLimitExceededException({ message: 'limit', ...m(400) }), 'quota-exceeded', false],
    [new ThrottlingException({ message: 'Rate exceeded', ...m(429) }), 'throttled', true],
    [new AccessDeniedException({ message: 'not authorized', ...m(403) }), 'forbidden', false],
    [new InvalidParameterException({ message: 'minSize > maxSize', ...m(400) }), 'invalid-request', false],
    [new InvalidRequestException({ message: 'bad request', ...m(400) }), 'invalid-request', false],
    [new ServerException({ message: 'internal', ...m(500) }), 'unknown', true],
    [new ServiceUnavailableException({ message: 'unavailable', ...m(503) }), 'unknown', true],
    [rdsError('ValidationError', '1 validation error detected'), 'invalid-request', false],
    [rdsError('SomethingNew', 'Service unavailable', 503), 'unknown', true],
    [rdsError('SlowDown', 'Too many requests', 429), 'throttled', true],
    [new DBInstanceNotFoundFault({ message: 'DBInstance x not found.', ...m(404) }), 'not-found', false],
    [new DBClusterNotFoundFault({ message: 'DBCluster x not found.', ...m(404) }), 'not-found', false],
    [
      new ReplicationGroupNotFoundFault({ message: 'ReplicationGroup x not found.', ...m(404) }),
      'not-found',
      false,
    ],
    [
      new ServerlessCacheNotFoundFault({ message: 'Serverless cache x not found.', ...m(404) }),
      'not-found',
      false,
    ],
    [new InvalidDBInstanceStateFault({ message: 'not available', ...m() }), 'invalid-state', true],
    [new InvalidDBClusterStateFault({ message: 'not available', ...m() }), 'invalid-state', true],
    [new InvalidServerlessCacheStateFault({ message: 'not available', ...m() }), 'invalid-state', true],
    [new DBInstanceAlreadyExistsFault({ message: 'DB instance already exists', ...m() }), 'conflict', true],
    [
      new InsufficientDBInstanceCapacityFault({ message: 'no capacity', ...m() }),
      'insufficient-capacity',
      true,
    ],
    [
      new InsufficientDBClusterCapacityFault({ message: 'no capacity', ...m() }),
      'insufficient-capacity',
      true,
    ],
    [
      new InsufficientCacheClusterCapacityFault({ message: 'no capacity', ...m() }),
      'insufficient-capacity',
      true,
    ],
    [new InstanceQuotaExceededFault({ message: 'quota', ...m() }), 'quota-exceeded', false],
    [new StorageQuotaExceededFault({ message: 'quota', ...m() }), 'quota-exceeded', false],
    [new NodeQuotaForCustomerExceededFault({ message: 'quota', ...m() }), 'quota-exceeded', false],
    [
      new NodeGroupsPerReplicationGroupQuotaExceededFault({ message: 'quota', ...m() }),
      'quota-exceeded',
      false,
    ],
    [new ServerlessCacheQuotaForCustomerExceededFault({ message: 'quota', ...m() }), 'quota-exceeded', false],
    [rdsError('Throttling', 'Rate exceeded'), 'throttled', true],
    [new APICallRateForCustomerExceededFault({ message: 'slow down', ...m() }), 'throttled', true],
    [
      rdsError('AccessDenied', 'User is not authorized to perform: rds:ModifyDBInstance', 403),
      'forbidden',
      false,
    ],
    [
      rdsError('ExpiredToken', 'The security token included in the request is expired', 403),
      'unauthorized',
      false,
    ],
    [rdsError('InvalidParameterCombination', 'RDS does not support this class'), 'invalid-request', false],
    [
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }),
      'unreachable',
      true,
    ],
    [rdsError('InternalFailure', 'An internal error occurred', 500), 'unknown', true],
  ];

  it.each(cases)('%s -> %s', (err, code, retryable) => {
    const e = toActuatorError('DoSomething x', err);
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(e.message.startsWith(`DoSomething x: ${err.name}: ${err.message}`)).toBe(true);
    expect(e.cause).toBe(err);
  });

  it('names the IAM action a refusal lacks when the caller gives it', () => {
    const err = new AccessDeniedException({ message: 'not authorized', ...m(403) });
    const e = toActuatorError('eks:DescribeNodegroup on node group c/ng', err, 'eks:DescribeNodegroup');
    expect(e.message).toBe(
      'eks:DescribeNodegroup on node group c/ng: AccessDeniedException: not authorized (the role needs IAM action eks:DescribeNodegroup)',
    );
  });
});

describe('Function: every mapped error leaves the target as it was', () => {
  let clock: ManualClock;
  let rds: FakeRds;
  let ec: FakeElastiCache;
  beforeEach(() => {
    clock = new ManualClock(T0);
    rds = new FakeRds(clock).install();
    ec = new FakeElastiCache(clock).install();
    rds.addInstance({ id: 'kaireon-prod' });
    rds.addCluster({ id: 'kaireon-aurora', writer: 'w', serverless: { min: 1, max: 8 } });
    rds.addInstance({ id: 'w', cluster: 'kaireon-aurora', engine: 'aurora-postgresql' });
    ec.addGroup({ id: 'kaireon-redis' });
    ec.addServerless({ name: 'kaireon-sessions' });
  });
  afterEach(() => {
    rds.restore();
    ec.restore();
  });

  const region = 'eu-central-1';
  const kinds = {
    db: {
      kind: 'rds-instance',
      identifier: 'kaireon-prod',
      region,
      tiers: ['db.r6g.large', 'db.r6g.xlarge'],
    },
    replicas: {
      kind: 'rds-read-replicas',
      source: 'kaireon-prod',
      region,
      instanceClass: 'db.r6g.large',
      bounds: { min: 0, max: 3 },
    },
    readers: {
      kind: 'aurora-readers',
      clusterIdentifier: 'kaireon-aurora',
      region,
      bounds: { min: 0, max: 3 },
    },
    acu: {
      kind: 'aurora-serverless-v2',
      clusterIdentifier: 'kaireon-aurora',
      region,
      bounds: { min: 1, max: 16 },
    },
    cache: {
      kind: 'elasticache-replication-group',
      replicationGroupId: 'kaireon-redis',
      region,
      replicas: { min: 1, max: 3 },
    },
    sessions: {
      kind: 'elasticache-serverless',
      serverlessCacheName: 'kaireon-sessions',
      region,
      bounds: { min: 0, max: 9000 },
    },
  };
  const snapshot = () =>
    JSON.stringify({
      i: [...rds.instances.values()],
      c: [...rds.clusters.values()],
      g: ec.group('kaireon-redis'),
      s: ec.serverlessCache('kaireon-sessions'),
    });

  const cases: [keyof typeof kinds, number, 'rds' | 'ec', string, () => Error, ActuatorErrorCode][] = [
    [
      'db',
      1,
      'rds',
      'ModifyDBInstance',
      () => new InsufficientDBInstanceCapacityFault({ message: 'no capacity', ...m() }),
      'insufficient-capacity',
    ],
    ['db', 1, 'rds', 'ModifyDBInstance', () => rdsError('Throttling', 'Rate exceeded'), 'throttled'],
    [
      'db',
      1,
      'rds',
      'DescribeDBInstances',
      () => rdsError('AccessDenied', 'not authorized', 403),
      'forbidden',
    ],
    [
      'replicas',
      1,
      'rds',
      'CreateDBInstanceReadReplica',
      () => new InstanceQuotaExceededFault({ message: 'quota', ...m() }),
      'quota-exceeded',
    ],
    [
      'replicas',
      1,
      'rds',
      'CreateDBInstanceReadReplica',
      () => new StorageQuotaExceededFault({ message: 'quota', ...m() }),
      'quota-exceeded',
    ],
    [
      'replicas',
      1,
      'rds',
      'CreateDBInstanceReadReplica',
      () => new InsufficientDBInstanceCapacityFault({ message: 'no capacity', ...m() }),
      'insufficient-capacity',
    ],
    [
      'readers',
      1,
      'rds',
      'CreateDBInstance',
      () => new InvalidDBClusterStateFault({ message: 'busy', ...m() }),
      'invalid-state',
    ],
    [
      'readers',
      1,
      'rds',
      'DescribeDBClusters',
      () => new DBClusterNotFoundFault({ message: 'DBCluster x not found.', ...m(404) }),
      'not-found',
    ],
    [
      'acu',
      4,
      'rds',
      'ModifyDBCluster',
      () => new InsufficientDBClusterCapacityFault({ message: 'no capacity', ...m() }),
      'insufficient-capacity',
    ],
    [
      'cache',
      2,
      'ec',
      'IncreaseReplicaCount',
      () => new NodeQuotaForCustomerExceededFault({ message: 'quota', ...m() }),
      'quota-exceeded',
    ],
    [
      'cache',
      2,
      'ec',
      'IncreaseReplicaCount',
      () => new InsufficientCacheClusterCapacityFault({ message: 'no capacity', ...m() }),
      'insufficient-capacity',
    ],
    [
      'cache',
      2,
      'ec',
      'IncreaseReplicaCount',
      () => new APICallRateForCustomerExceededFault({ message: 'slow', ...m() }),
      'throttled',
    ],
    [
      'sessions',
      5000,
      'ec',
      'ModifyServerlessCache',
      () => new InvalidServerlessCacheStateFault({ message: 'busy', ...m() }),
      'invalid-state',
    ],
    [
      'sessions',
      5000,
      'ec',
      'DescribeServerlessCaches',
      () => new ServerlessCacheNotFoundFault({ message: 'gone', ...m(404) }),
      'not-found',
    ],
  ];

  it.each(cases)('%s: %s on %s -> %s', async (id, desired, api, command, error, code) => {
    const { target, actuator } = realActuator(kinds, id, clock);
    const before = snapshot();
    (api === 'rds' ? rds : ec).failNext(command, error);
    const err = await rejection(actuator.apply(target, desired, applyCtx(clock, { approved: true })));
    expect(err.code).toBe(code);
    expect(err.message).toContain(command);
    expect(snapshot()).toBe(before);
    // The next reconcile succeeds where this one failed (the failure was one call).
    expect((await actuator.apply(target, desired, applyCtx(clock, { approved: true }))).status).toBe(
      'applied',
    );
  });
});
