import { managedPrefix } from '../domain/managed.ts';
import type { TargetKind } from '../domain/types.ts';
import {
  eksClusterArn,
  eksNodegroupArn,
  elasticacheArn,
  type NameProblems,
  rdsArn,
  type Scope,
} from './arns.ts';

export { managedPrefix };

/**
 * The one table of what Headroom may do to each kind of target: the AWS actions each
 * actuator calls and the ARNs they are allowed on. Adding a call to an actuator means adding
 * its action here (test/iam/coverage.test.ts fails until then).
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
export interface KindTarget {
  id: string;
  /** `targets.<id>`, for messages. */
  path: string;
  spec: Record<string, unknown>;
  /** The target's region, and its role's account when it is reached through `roleArn`. */
  scope: Scope;
  /** The EKS cluster when the target lives in a cluster declared with `eksCluster`. */
  eks?: { name: string; path: string };
}

type KindGrants = (t: KindTarget, names: NameProblems) => Grant[];

const requestTagged: Condition = {
  StringEquals: { [`aws:RequestTag/${MANAGED_TAG_KEY}`]: MANAGED_TAG_VALUE },
};
const resourceTagged: Condition = {
  StringEquals: { [`aws:ResourceTag/${MANAGED_TAG_KEY}`]: MANAGED_TAG_VALUE },
};

/** Instances Headroom creates next to a source instance or in a cluster, and deletes again. */
function managedInstances(s: Scope, base: string, parent: string[], create: string): Grant[] {
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

function kubernetes(t: KindTarget, names: NameProblems): Grant[] {
  if (!t.eks) return [];
  const cluster = names.simple(t.eks.path, t.eks.name);
  return [
    { purpose: 'Cluster', actions: ['eks:DescribeCluster'], resources: [eksClusterArn(t.scope, cluster)] },
  ];
}

/** RDS and ElastiCache store identifiers in lower case, and their ARNs carry them so. */
const lowerName = (names: NameProblems, path: string, value: unknown) =>
  names.simple(path, value).toLowerCase();

export const KIND_GRANTS: Record<TargetKind, KindGrants> = {
  'aurora-readers': (t, names) => {
    const id = lowerName(names, `${t.path}.clusterIdentifier`, t.spec.clusterIdentifier);
    const cluster = rdsArn(t.scope, 'cluster', id);
    return [
      { purpose: 'Cluster', actions: ['rds:DescribeDBClusters'], resources: [cluster] },
      ...managedInstances(t.scope, id, [cluster], 'rds:CreateDBInstance'),
    ];
  },
  'aurora-serverless-v2': (t, names) => {
    const id = lowerName(names, `${t.path}.clusterIdentifier`, t.spec.clusterIdentifier);
    return [
      {
        purpose: 'Cluster',
        actions: ['rds:DescribeDBClusters', 'rds:ModifyDBCluster'],
        resources: [rdsArn(t.scope, 'cluster', id)],
      },
    ];
  },
  'eks-nodegroup': (t, names) => {
    if (!t.eks) return [];
    const cluster = names.simple(t.eks.path, t.eks.name);
    const nodegroup = names.simple(`${t.path}.nodegroup`, t.spec.nodegroup);
    const group = eksNodegroupArn(t.scope, cluster, nodegroup);
    const clusterArn = eksClusterArn(t.scope, cluster);
    return [
      { purpose: 'Cluster', actions: ['eks:DescribeCluster'], resources: [clusterArn] },
      {
        purpose: 'Nodegroup',
        actions: ['eks:DescribeNodegroup', 'eks:UpdateNodegroupConfig'],
        resources: [group],
      },
      {
        purpose: 'Updates',
        actions: ['eks:DescribeUpdate', 'eks:ListUpdates'],
        resources: [clusterArn, group],
      },
    ];
  },
  'elasticache-replication-group': (t, names) => {
    const id = lowerName(names, `${t.path}.replicationGroupId`, t.spec.replicationGroupId);
    const group = elasticacheArn(t.scope, 'replicationgroup', id);
    // Member nodes are cache clusters `<group>-<nnn>[-<nnn>]`, created and deleted by the changes.
    const nodes = elasticacheArn(t.scope, 'cluster', `${id}-*`);
    return [
      {
        purpose: 'ReplicationGroup',
        actions: ['elasticache:DescribeReplicationGroups', 'elasticache:ListAllowedNodeTypeModifications'],
        resources: [group],
      },
      {
        purpose: 'ChangeReplicationGroup',
        actions: [
          'elasticache:IncreaseReplicaCount',
          'elasticache:DecreaseReplicaCount',
          'elasticache:ModifyReplicationGroupShardConfiguration',
          'elasticache:ModifyReplicationGroup',
        ],
        resources: [group, nodes],
      },
      { purpose: 'Nodes', actions: ['elasticache:DescribeCacheClusters'], resources: [nodes] },
    ];
  },
  'elasticache-serverless': (t, names) => {
    const name = lowerName(names, `${t.path}.serverlessCacheName`, t.spec.serverlessCacheName);
    return [
      {
        purpose: 'ServerlessCache',
        actions: ['elasticache:DescribeServerlessCaches', 'elasticache:ModifyServerlessCache'],
        resources: [elasticacheArn(t.scope, 'serverlesscache', name)],
      },
    ];
  },
  'k8s-deployment': kubernetes,
  'k8s-hpa': kubernetes,
  'k8s-statefulset': kubernetes,
  'karpenter-headroom': kubernetes,
  'keda-scaledobject': kubernetes,
  'rds-instance': (t, names) => {
    const id = lowerName(names, `${t.path}.identifier`, t.spec.identifier);
    return [
      // Free storage is read before a class change (a resize cannot start on a full disk).
      { purpose: 'Metrics', actions: ['cloudwatch:GetMetricData'], resources: ['*'] },
      {
        purpose: 'Instance',
        actions: [
          'rds:DescribeDBInstances',
          'rds:ModifyDBInstance',
          'rds:AddTagsToResource',
          'rds:ListTagsForResource',
        ],
        resources: [rdsArn(t.scope, 'db', id)],
      },
    ];
  },
  'rds-read-replicas': (t, names) => {
    const source = lowerName(names, `${t.path}.source`, t.spec.source);
    const sourceArn = rdsArn(t.scope, 'db', source);
    return [
      { purpose: 'DescribeInstances', actions: ['rds:DescribeDBInstances'], resources: [sourceArn] },
      ...managedInstances(t.scope, source, [sourceArn], 'rds:CreateDBInstanceReadReplica'),
    ];
  },
};
