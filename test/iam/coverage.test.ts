import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { headroomPolicy } from '../../shared/iam/index.ts';
import { deployment } from './helpers.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The IAM service prefix of each AWS SDK package the code imports commands from. */
const SERVICE_OF: Record<string, string> = {
  '@aws-sdk/client-auto-scaling': 'autoscaling',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/client-eks': 'eks',
  '@aws-sdk/client-elasticache': 'elasticache',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-scheduler': 'scheduler',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
};

/** lib-dynamodb's document commands are the item actions under other names. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Delete: 'DeleteItem',
  Update: 'UpdateItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

/**
 * Calls that never run in the Lambda functions: `createTableIfMissing` serves `headroom dev`
 * and the tests (the deployed table comes from stacks/state.ts).
 */
const NOT_IN_LAMBDA = new Set(['shared/adapters/state/index.ts']);

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/**
 * Every command class a file imports (as a value) from an AWS SDK package, as an IAM action:
 * importing a command is how the code calls it, even when it picks the class at run time
 * (`const Command = up ? IncreaseReplicaCountCommand : DecreaseReplicaCountCommand`).
 */
function awsCalls(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const calls: string[] = [];
  for (const m of text.matchAll(/import\s*(type\s+)?{([^}]*)}\s*from\s*'(@aws-sdk\/[a-z0-9-]+)'/g)) {
    const service = SERVICE_OF[m[3]!];
    if (m[1] || !service) continue;
    for (const entry of m[2]!.split(',').map((n) => n.trim())) {
      if (entry.startsWith('type ')) continue;
      const name = entry.split(/\s+as\s+/)[0]!;
      if (!/^[A-Z][A-Za-z]+Command$/.test(name)) continue;
      const op = name.replace(/Command$/, '');
      calls.push(`${service}:${m[3] === '@aws-sdk/lib-dynamodb' ? (DOCUMENT_COMMANDS[op] ?? op) : op}`);
    }
  }
  return calls;
}

/** A config declaring every kind, so the policy holds every action the table knows. */
const EVERY_KIND = `
version: 1
clusters:
  eks: { eksCluster: prod }
targets:
  hpa: { kind: k8s-hpa, cluster: eks, namespace: a, name: a, bounds: { min: 1, max: 2 } }
  keda: { kind: keda-scaledobject, cluster: eks, namespace: a, name: b, bounds: { min: 1, max: 2 } }
  deploy: { kind: k8s-deployment, cluster: eks, namespace: a, name: c, bounds: { min: 1, max: 2 } }
  sts: { kind: k8s-statefulset, cluster: eks, namespace: a, name: d, bounds: { min: 1, max: 2 } }
  karpenter: { kind: karpenter-headroom, cluster: eks, namespace: h, nodePool: default, placeholder: { cpu: 1, memory: 1Gi }, bounds: { min: 0, max: 2 } }
  ng: { kind: eks-nodegroup, cluster: eks, nodegroup: ng, bounds: { min: 1, max: 5 } }
  warm: { kind: eks-nodegroup, cluster: eks, nodegroup: ng, warmPool: {}, bounds: { min: 0, max: 5 } }
  buffer: { kind: capacity-buffer, cluster: eks, namespace: h, placeholder: { cpu: 1, memory: 1Gi }, bounds: { min: 0, max: 2 } }
  static: { kind: karpenter-static-nodepool, cluster: eks, nodePool: reserved, bounds: { min: 1, max: 5 } }
  db: { kind: rds-instance, identifier: db, tiers: [db.r6g.large, db.r6g.xlarge] }
  storage: { kind: rds-storage, identifier: db, bounds: { min: 100, max: 200 } }
  bluegreen: { kind: rds-instance, identifier: bg, tiers: [db.r6g.large, db.r6g.xlarge], method: blue-green }
  replicas: { kind: rds-read-replicas, source: db, instanceClass: db.r6g.large, bounds: { min: 0, max: 2 } }
  readers: { kind: aurora-readers, clusterIdentifier: aurora, bounds: { min: 0, max: 2 } }
  acu: { kind: aurora-serverless-v2, clusterIdentifier: serverless, bounds: { min: 0.5, max: 8 } }
  redis: { kind: elasticache-replication-group, replicationGroupId: redis, replicas: { min: 1, max: 3 } }
  workers: { kind: ec2-autoscaling-group, autoScalingGroupName: image-workers, warmPool: { minSize: 5 }, bounds: { min: 2, max: 40 } }
  valkey: { kind: elasticache-serverless, serverlessCacheName: valkey, bounds: { min: 1000, max: 100000 } }
signals:
  traffic: { source: cloudwatch, metric: { namespace: AWS/ApplicationELB, name: RequestCount } }
`;

describe('Function: headroomPolicy (coverage of the code)', () => {
  it('grants every AWS action the functions can call: an actuator call without a grant fails here', () => {
    const { statements, assumedRoles } = headroomPolicy(
      parseConfig(EVERY_KIND, 'every-kind.yaml'),
      deployment(),
    );
    const granted = new Set([...statements, ...Object.values(assumedRoles).flat()].flatMap((s) => s.Action));
    // Credentials for a target's roleArn come from sts:AssumeRole (credential-providers), and
    // GetCallerIdentity (the EKS token is a presigned one) needs no permission at all.
    granted.add('sts:AssumeRole');
    granted.add('sts:GetCallerIdentity');
    const files = ['shared/adapters', 'shared/app', 'shared/triggers', 'functions']
      .flatMap(sources)
      .filter((f) => !NOT_IN_LAMBDA.has(f));
    const missing = files.flatMap((f) =>
      awsCalls(f)
        .filter((a) => !granted.has(a))
        .map(
          (a) => `${f} calls ${a}: add it to shared/iam/kinds.ts (or policy.ts for Headroom's own resources)`,
        ),
    );
    expect(missing).toEqual([]);
    // The scan itself found the calls it is meant to guard.
    expect(files.flatMap(awsCalls)).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'scheduler:CreateSchedule',
        'events:PutEvents',
        'rds:ModifyDBInstance',
      ]),
    );
  });
});
