import type { ActuatorFactory } from '../../ports/actuator.ts';
import { AuroraReadersActuator } from './aurora-readers.ts';
import { AuroraServerlessV2Actuator } from './aurora-serverless-v2.ts';
import { cloudWatchClient, elastiCacheClient, rdsClient } from './clients.ts';
import { ElastiCacheReplicationGroupActuator } from './elasticache-replication-group.ts';
import { ElastiCacheServerlessActuator } from './elasticache-serverless.ts';
import { RdsInstanceActuator } from './rds-instance.ts';
import { RdsReadReplicasActuator } from './rds-read-replicas.ts';

export { AuroraReadersActuator } from './aurora-readers.ts';
export { AuroraServerlessV2Actuator } from './aurora-serverless-v2.ts';
export { ElastiCacheReplicationGroupActuator } from './elasticache-replication-group.ts';
export { ElastiCacheServerlessActuator } from './elasticache-serverless.ts';
export { RdsInstanceActuator } from './rds-instance.ts';
export { RdsReadReplicasActuator } from './rds-read-replicas.ts';

/**
 * RDS, Aurora and ElastiCache kinds, alphabetical. Each target gets its own actuator over the
 * SDK clients of its region and role (shared by every target with the same pair).
 */
export const dataTierFactories: Record<
  | 'aurora-readers'
  | 'aurora-serverless-v2'
  | 'elasticache-replication-group'
  | 'elasticache-serverless'
  | 'rds-instance'
  | 'rds-read-replicas',
  ActuatorFactory
> = {
  'aurora-readers': () => (t) => new AuroraReadersActuator({ rds: rdsClient(t) }),
  'aurora-serverless-v2': () => (t) => new AuroraServerlessV2Actuator({ rds: rdsClient(t) }),
  'elasticache-replication-group': () => (t) =>
    new ElastiCacheReplicationGroupActuator({ elasticache: elastiCacheClient(t) }),
  'elasticache-serverless': () => (t) =>
    new ElastiCacheServerlessActuator({ elasticache: elastiCacheClient(t) }),
  'rds-instance': () => (t) =>
    new RdsInstanceActuator({
      rds: rdsClient(t),
      cloudwatch: t.spec.storage ? cloudWatchClient(t) : undefined,
    }),
  'rds-read-replicas': () => (t) => new RdsReadReplicasActuator({ rds: rdsClient(t) }),
};
