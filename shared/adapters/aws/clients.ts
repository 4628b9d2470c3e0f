import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { RDSClient } from '@aws-sdk/client-rds';
import type { Target } from '../../domain/types.ts';
import { awsClientConfig } from '../aws-clients.ts';

/** The calls the data-tier actuators make: the SDK clients' `send`, nothing else. */
export type RdsApi = Pick<RDSClient, 'send'>;
export type ElastiCacheApi = Pick<ElastiCacheClient, 'send'>;
export type CloudWatchApi = Pick<CloudWatchClient, 'send'>;

const made = new Map<string, unknown>();

/**
 * One client per service, region and role for the life of the process (a Lambda cold start
 * pays once), each with the shared settings: the target's region, adaptive retry, and the
 * target's role assumed through STS when it names one.
 */
function cached<C>(service: string, target: Target, make: (cfg: ReturnType<typeof awsClientConfig>) => C): C {
  const key = `${service}|${target.region ?? ''}|${target.roleArn ?? ''}`;
  let c = made.get(key) as C | undefined;
  if (!c) {
    c = make(awsClientConfig({ region: target.region, roleArn: target.roleArn }));
    made.set(key, c);
  }
  return c;
}

export function rdsClient(target: Target): RDSClient {
  return cached('rds', target, (cfg) => new RDSClient(cfg));
}

export function elastiCacheClient(target: Target): ElastiCacheClient {
  return cached('elasticache', target, (cfg) => new ElastiCacheClient(cfg));
}

export function cloudWatchClient(target: Target): CloudWatchClient {
  return cached('cloudwatch', target, (cfg) => new CloudWatchClient(cfg));
}
