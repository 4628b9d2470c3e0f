import type { ActuatorFactory } from '../../ports/actuator.ts';
import { clientCache } from '../aws-clients.ts';
import { AuroraReadersActuator, type AuroraReadersNeeds } from './aurora-readers.ts';
import { AuroraServerlessV2Actuator, type ServerlessV2Needs } from './aurora-serverless-v2.ts';
import { autoScalingClient, cloudWatchClient, elastiCacheClient, rdsClient } from './clients.ts';
import { type AutoScalingGroupNeeds, Ec2AutoScalingGroupActuator } from './ec2-autoscaling-group.ts';
import {
  ElastiCacheReplicationGroupActuator,
  type ReplicationGroupNeeds,
} from './elasticache-replication-group.ts';
import { ElastiCacheServerlessActuator, type ServerlessCacheNeeds } from './elasticache-serverless.ts';
import { RdsInstanceActuator, type RdsInstanceNeeds } from './rds-instance.ts';
import { ParameterReader } from './rds-parameters.ts';
import { RdsReadReplicasActuator, type ReadReplicasNeeds } from './rds-read-replicas.ts';
import { RdsStorageActuator, type RdsStorageNeeds } from './rds-storage-actuator.ts';

export { AuroraReadersActuator } from './aurora-readers.ts';
export { AuroraServerlessV2Actuator } from './aurora-serverless-v2.ts';
export { Ec2AutoScalingGroupActuator } from './ec2-autoscaling-group.ts';
export { ElastiCacheReplicationGroupActuator } from './elasticache-replication-group.ts';
export { ElastiCacheServerlessActuator } from './elasticache-serverless.ts';
export { RdsInstanceActuator } from './rds-instance.ts';
export { RdsReadReplicasActuator } from './rds-read-replicas.ts';
export { RdsStorageActuator } from './rds-storage-actuator.ts';

/*
 * The actuator factories of the RDS, Aurora, ElastiCache and EC2 Auto Scaling kinds, loaded by their kind
 * modules (shared/kinds/). Each target gets its own actuator over the SDK clients of its
 * region and role (shared by every target with the same pair).
 */
export const auroraReadersActuators: ActuatorFactory<AuroraReadersNeeds> = (ctx) => (t) =>
  new AuroraReadersActuator({ rds: rdsClient(ctx, t) });
export const auroraServerlessV2Actuators: ActuatorFactory<ServerlessV2Needs> = (ctx) => (t) =>
  new AuroraServerlessV2Actuator({ rds: rdsClient(ctx, t) });
export const ec2AutoScalingGroupActuators: ActuatorFactory<AutoScalingGroupNeeds> = (ctx) => (t) =>
  new Ec2AutoScalingGroupActuator({ autoscaling: autoScalingClient(ctx, t) });
export const elastiCacheReplicationGroupActuators: ActuatorFactory<ReplicationGroupNeeds> = (ctx) => (t) =>
  new ElastiCacheReplicationGroupActuator({ elasticache: elastiCacheClient(ctx, t) });
export const elastiCacheServerlessActuators: ActuatorFactory<ServerlessCacheNeeds> = (ctx) => (t) =>
  new ElastiCacheServerlessActuator({ elasticache: elastiCacheClient(ctx, t) });
export const rdsInstanceActuators: ActuatorFactory<RdsInstanceNeeds> = (ctx) => (t) =>
  new RdsInstanceActuator({
    rds: rdsClient(ctx, t),
    cloudwatch: t.spec.storage ? cloudWatchClient(ctx, t) : undefined,
    parameters: clientCache(ctx).get(
      `rds-parameters|${t.region ?? ''}|${t.roleArn ?? ''}`,
      () => new ParameterReader(ctx.clock),
    ),
  });
export const rdsReadReplicasActuators: ActuatorFactory<ReadReplicasNeeds> = (ctx) => (t) =>
  new RdsReadReplicasActuator({ rds: rdsClient(ctx, t) });
export const rdsStorageActuators: ActuatorFactory<RdsStorageNeeds> = (ctx) => (t) =>
  new RdsStorageActuator({ rds: rdsClient(ctx, t), clock: ctx.clock });
