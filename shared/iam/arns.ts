/**
 * ARNs of the things Headroom touches, built from names in the configuration. Every name
 * that ends up in a policy is checked first: a `*` or `?` in an identifier would silently
 * widen the grant to resources nobody declared, so it is a configuration error instead.
 * ARN shapes follow the AWS Service Authorization Reference.
 */

import { isAwsRegion } from '../domain/input.ts';

/** Where a resource lives: the partition, account and region of its ARN. */
export interface Scope {
  partition: string;
  account: string;
  region: string;
}

/** Names of RDS instances and clusters, ElastiCache groups, EKS clusters and node groups. */
const SIMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Event bus names may contain `/` (partner buses); an ARN names a bus too. */
const BUS_NAME = /^[A-Za-z0-9][A-Za-z0-9./_-]*$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9./_-]+$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/[A-Za-z0-9+=,.@_/-]+$/;

/**
 * Collects `path: message` problems so one deploy reports every bad name at once (each once,
 * though every target of a cluster names the cluster).
 */
export class NameProblems {
  private readonly seen = new Set<string>();

  get list(): string[] {
    return [...this.seen];
  }

  private add(problem: string): void {
    this.seen.add(problem);
  }

  /** The name, or a placeholder after recording why it cannot be part of a policy. */
  simple(path: string, value: unknown): string {
    if (typeof value === 'string' && SIMPLE_NAME.test(value)) return value;
    this.add(
      `${path}: ${JSON.stringify(value)} cannot appear in an IAM policy (letters, digits, ".", "_" and "-" only; no wildcards)`,
    );
    return 'invalid';
  }

  bus(path: string, value: string): string {
    if (BUS_NAME.test(value) || BUS_ARN.test(value)) return value;
    this.add(`${path}: ${JSON.stringify(value)} is not an event bus name or ARN (no wildcards)`);
    return 'invalid';
  }

  /** Regions are part of every ARN: a pattern (`*`, `eu-*`) would grant every region it matches. */
  region(path: string, value: string): string {
    if (isAwsRegion(value)) return value;
    this.add(`${path}: ${JSON.stringify(value)} is not an AWS region code (no wildcards)`);
    return 'invalid';
  }

  role(path: string, value: string): string {
    if (ROLE_ARN.test(value) && !/[*?]/.test(value)) return value;
    this.add(`${path}: ${JSON.stringify(value)} is not an IAM role ARN without wildcards`);
    return 'invalid';
  }
}

/** The account and partition an IAM role ARN belongs to (cross-account targets). */
export function roleScope(roleArn: string, region: string): Scope | undefined {
  const m = ROLE_ARN.exec(roleArn);
  return m ? { partition: m[1]!, account: m[2]!, region } : undefined;
}

const arn = (s: Scope, service: string, resource: string, region = s.region) =>
  `arn:${s.partition}:${service}:${region}:${s.account}:${resource}`;

export const rdsArn = (
  s: Scope,
  type: 'db' | 'cluster' | 'og' | 'pg' | 'subgrp' | 'deployment',
  name: string,
) => arn(s, 'rds', `${type}:${name}`);

export const elasticacheArn = (
  s: Scope,
  type: 'replicationgroup' | 'cluster' | 'serverlesscache',
  name: string,
) => arn(s, 'elasticache', `${type}:${name}`);

export const eksClusterArn = (s: Scope, cluster: string) => arn(s, 'eks', `cluster/${cluster}`);

/** Node group ARNs end in a UUID that only exists once the group does: matched by `*`. */
export const eksNodegroupArn = (s: Scope, cluster: string, nodegroup: string) =>
  arn(s, 'eks', `nodegroup/${cluster}/${nodegroup}/*`);

export const eventBusArn = (s: Scope, nameOrArn: string) =>
  nameOrArn.startsWith('arn:') ? nameOrArn : arn(s, 'events', `event-bus/${nameOrArn}`);

/** Every schedule in one group (EventBridge Scheduler authorises per schedule). */
export const schedulesInGroupArn = (s: Scope, group: string) => arn(s, 'scheduler', `schedule/${group}/*`);

export const lambdaFunctionArn = (s: Scope, name: string) => arn(s, 'lambda', `function:${name}`);

/** The log group Lambda writes a function's logs to, and every stream in it. */
export const functionLogStreamsArn = (s: Scope, functionName: string) =>
  arn(s, 'logs', `log-group:/aws/lambda/${functionName}:*`);

/** Auto Scaling group ARNs carry the group's UUID before its name: matched by `*`. */
export const autoScalingGroupArn = (s: Scope, name: string) =>
  arn(s, 'autoscaling', `autoScalingGroup:*:autoScalingGroupName/${name}`);
