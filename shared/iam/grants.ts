import { managedPrefix } from '../domain/managed.ts';
import {
  eksClusterArn,
  eksNodegroupArn,
  elasticacheArn,
  type NameProblems,
  rdsArn,
  type Scope,
} from './arns.ts';

/**
 * What a kind's IAM grants are made of. Each kind (shared/kinds/) lists the AWS actions its
 * actuator calls and the ARNs they are allowed on; adding a call to an actuator means adding
 * its action there (test/iam/coverage.test.ts fails until then).
 *
 * Resource-level scoping follows the Service Authorization Reference:
 * - RDS: `Describe*` with a filter instead of an identifier is authorised against `db:*`,
 *   so listing replicas or readers needs the region's `db:*` (read only). Creating a replica
 *   or reader is authorised against the new instance, the source (or cluster) and the
 *   option, parameter and subnet groups it inherits, whose names the config does not know:
 *   those group ARNs are `*` in the target's region, and the create only passes when it
 *   tags the new instance `headroom:managed=true`. Deleting needs that tag on the instance.
 * - ElastiCache: every action used supports `replicationgroup` / `serverlesscache` ARNs;
 *   changes that add or remove member nodes (cache clusters named `<group>-...`) are also
 *   granted on those nodes.
 * - EKS: node group ARNs end in a UUID (matched by `*`); DescribeUpdate/ListUpdates need the
 *   cluster ARN and accept the node group ARN.
 */

/** The tag Headroom puts on every instance it creates, and the only ones it deletes. */
export const MANAGED_TAG_KEY = 'headroom:managed';
export const MANAGED_TAG_VALUE = 'true';

export type Condition = Record<string, Record<string, string | string[]>>;

export interface Grant {
  /** What the statement is for; with the kind it becomes the statement's Sid. */
  purpose: string;
  actions: string[];
  resources: string[];
  condition?: Condition;
}

/** A declared target as the table needs it: its validated fields and where its ARNs live. */
export interface KindTarget<S = Record<string, unknown>> {
  id: string;
  /** `targets.<id>`, for messages. */
  path: string;
  spec: S;
  /** The target's region, and its role's account when it is reached through `roleArn`. */
  scope: Scope;
  /** The EKS cluster when the target lives in a cluster declared with `eksCluster`. */
  eks?: { name: string; path: string };
}

export type KindGrants<S = Record<string, unknown>> = (t: KindTarget<S>, names: NameProblems) => Grant[];

const requestTagged: Condition = {
  StringEquals: { [`aws:RequestTag/${MANAGED_TAG_KEY}`]: MANAGED_TAG_VALUE },
};
const resourceTagged: Condition = {
  StringEquals: { [`aws:ResourceTag/${MANAGED_TAG_KEY}`]: MANAGED_TAG_VALUE },
};

/** Instances Headroom creates next to a source instance or in a cluster, and deletes again. */
export function managedInstances(s: Scope, base: string, parent: string[], create: string): Grant[] {
  const made = rdsArn(s, 'db', `${managedPrefix(base)}*`);
  return [
    {
      purpose: 'DescribeInstances',
      actions: ['rds:DescribeDBInstances'],
      resources: [rdsArn(s, 'db', '*')],
    },
    {
      purpose: 'CreateManaged',
      actions: [create],
      resources: [made, ...parent, rdsArn(s, 'og', '*'), rdsArn(s, 'pg', '*'), rdsArn(s, 'subgrp', '*')],
      condition: requestTagged,
    },
    // Tags given at creation are authorised as AddTagsToResource on the new instance too.
    {
      purpose: 'TagManaged',
      actions: ['rds:AddTagsToResource'],
      resources: [made],
      condition: requestTagged,
    },
    {
      purpose: 'DeleteManaged',
      actions: ['rds:DeleteDBInstance'],
      resources: [made],
      condition: resourceTagged,
    },
  ];
}

/** Kubernetes kinds on EKS: reading the cluster's endpoint and CA to reach its API. */
export function clusterAccess(t: KindTarget<unknown>, names: NameProblems): Grant[] {
  if (!t.eks) return [];
  const cluster = names.simple(t.eks.path, t.eks.name);
  return [
    { purpose: 'Cluster', actions: ['eks:DescribeCluster'], resources: [eksClusterArn(t.scope, cluster)] },
  ];
}

/** RDS and ElastiCache store identifiers in lower case, and their ARNs carry them so. */
export const lowerName = (names: NameProblems, path: string, value: unknown) =>
  names.simple(path, value).toLowerCase();
