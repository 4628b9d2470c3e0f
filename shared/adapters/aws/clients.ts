import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import type { Target } from '../../domain/types.ts';
import type { ActuatorContext } from '../../ports/actuator.ts';
import { awsClientConfig, clientCache } from '../aws-clients.ts';

/** The calls the data-tier actuators make: the SDK clients' `send`, nothing else. */
export type RdsApi = Pick<RDSClient, 'send'>;
export type ElastiCacheApi = Pick<ElastiCacheClient, 'send'>;
export type CloudWatchApi = Pick<CloudWatchClient, 'send'>;
export type AutoScalingApi = Pick<AutoScalingClient, 'send'>;

/**
 * One client per service, region and role in each runtime (a Lambda cold start pays once),
 * each with the shared settings: the target's region, adaptive retry, and the target's role
 * assumed through STS when it names one.
 */
function cached<C>(
  ctx: ActuatorContext,
  service: string,
  target: Target,
  make: (cfg: ReturnType<typeof awsClientConfig>) => C,
): C {
  const cache = clientCache(ctx);
  return cache.get(`${service}|${target.region ?? ''}|${target.roleArn ?? ''}`, () =>
    make(awsClientConfig(cache, { region: target.region, roleArn: target.roleArn })),
  );
}

export function rdsClient(ctx: ActuatorContext, target: Target): RDSClient {
  return cached(ctx, 'rds', target, (cfg) => new RDSClient(cfg));
}

export function elastiCacheClient(ctx: ActuatorContext, target: Target): ElastiCacheClient {
  return cached(ctx, 'elasticache', target, (cfg) => new ElastiCacheClient(cfg));
}

export function cloudWatchClient(ctx: ActuatorContext, target: Target): CloudWatchClient {
  return cached(ctx, 'cloudwatch', target, (cfg) => new CloudWatchClient(cfg));
}

export function autoScalingClient(ctx: ActuatorContext, target: Target): AutoScalingClient {
  return cached(ctx, 'autoscaling', target, (cfg) => new AutoScalingClient(cfg));
}
