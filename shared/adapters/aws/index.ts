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

/*
 * The actuator factories of the RDS, Aurora and ElastiCache kinds, loaded by their kind
 * modules (shared/kinds/). Each target gets its own actuator over the SDK clients of its
 * region and role (shared by every target with the same pair).
 */
export const auroraReadersActuators: ActuatorFactory = () => (t) =>
  new AuroraReadersActuator({ rds: rdsClient(t) });
export const auroraServerlessV2Actuators: ActuatorFactory = () => (t) =>
  new AuroraServerlessV2Actuator({ rds: rdsClient(t) });
export const elastiCacheReplicationGroupActuators: ActuatorFactory = () => (t) =>
  new ElastiCacheReplicationGroupActuator({ elasticache: elastiCacheClient(t) });
export const elastiCacheServerlessActuators: ActuatorFactory = () => (t) =>
  new ElastiCacheServerlessActuator({ elasticache: elastiCacheClient(t) });
export const rdsInstanceActuators: ActuatorFactory = () => (t) =>
  new RdsInstanceActuator({
    rds: rdsClient(t),
    cloudwatch: t.spec.storage ? cloudWatchClient(t) : undefined,
  });
export const rdsReadReplicasActuators: ActuatorFactory = () => (t) =>
  new RdsReadReplicasActuator({ rds: rdsClient(t) });
