import { performance } from 'node:perf_hooks';
import { Brain } from '../shared/app/brain.ts';
import { parseConfig } from '../shared/config/load.ts';
import type { Config } from '../shared/config/types.ts';
import { iso } from '../shared/domain/time.ts';
import type { Target } from '../shared/domain/types.ts';
import { nullNotifier } from '../shared/ports/notifier.ts';
import { MemoryStateStore } from '../shared/sim/memory-store.ts';
import { Repo } from '../shared/state/repo.ts';
import { type ApiLimits, type ReadModel, SimApis, SimEstate, VirtualTime, withLatency } from './scale-sim.ts';

/**
 * The scale bench (`npm run bench -- scale`): one reconcile of a synthetic estate of 2,000
 * targets over 40 EKS clusters in 10 accounts, through the real Brain (intents, planner,
 * executor, state, audit) against simulated actuators that make the adapters' API calls with
 * 20-80 ms latency under client-side and AWS rate limits, in virtual time. Reads one object at
 * a time (the adapters today) against reads from a per-reconcile cache filled by one list per
 * namespace and one describe per account; then the fan-out: one invocation per cluster or
 * account, and how many targets one invocation can reconcile inside the interval.
 */

/** client-go's defaults (rest.Config QPS 5, Burst 10); AWS describe throttling ~10/s, burst 20 per account. */
export const LIMITS: ApiLimits = {
  kubeQps: 5,
  kubeBurst: 10,
  awsRate: 10,
  awsBurst: 20,
  latencyMs: [20, 80],
  storeLatencyMs: [4, 12],
};

const ACCOUNT = (a: number) => `1000000000${String(a).padStart(2, '0')}`;
const K8S_KINDS = [
  'k8s-hpa',
  'k8s-hpa',
  'k8s-hpa',
  'k8s-hpa',
  'k8s-hpa',
  'keda-scaledobject',
  'keda-scaledobject',
  'k8s-deployment',
];
const AWS_KINDS = [
  'rds-read-replicas',
  'elasticache-replication-group',
  'rds-read-replicas',
  'elasticache-replication-group',
  'rds-instance',
];
const PER_NAMESPACE = 8;

export interface EstateShape {
  accounts: number;
  clustersPerAccount: number;
  /** Kubernetes targets per cluster (8 per namespace; the first is the cluster's Karpenter headroom). */
  k8sPerCluster: number;
  /** RDS and ElastiCache targets per account. */
  awsPerAccount: number;
  /** `defaults.parallelSteps` (default 1). */
  parallelSteps?: number;
}

/** The estate as headroom.yaml, through the real loader. */
export function estateConfig(s: EstateShape): Config {
  const lines = [
    'version: 1',
    `defaults: { reconcileInterval: 1m, cooldown: 1m, parallelSteps: ${s.parallelSteps ?? 1} }`,
    'clusters:',
  ];
  const targets: string[] = [];
  for (let a = 0; a < s.accounts; a++) {
    const role = `arn:aws:iam::${ACCOUNT(a)}:role/headroom`;
    for (let c = 0; c < s.clustersPerAccount; c++) {
      const id = `c${a}-${c}`;
      lines.push(`  ${id}: { eksCluster: ${id}, region: eu-central-1, roleArn: "${role}" }`);
      for (let i = 0; i < s.k8sPerCluster; i++) {
        const ns = `ns${Math.floor(i / PER_NAMESPACE)}`;
        const tid = `${id}-w${i}`;
        if (i === 0)
          targets.push(
            `  ${tid}: { kind: karpenter-headroom, cluster: ${id}, namespace: headroom, nodePool: default, placeholder: { cpu: 3500m, memory: 12Gi }, bounds: { min: 0, max: 50 } }`,
          );
        else
          targets.push(
            `  ${tid}: { kind: ${K8S_KINDS[i % K8S_KINDS.length]}, cluster: ${id}, namespace: ${ns}, name: w${i}, bounds: { min: 2, max: 200 }, pod: { cpu: 500m, memory: 1Gi } }`,
          );
      }
    }
    for (let i = 0; i < s.awsPerAccount; i++) {
      const kind = AWS_KINDS[i % AWS_KINDS.length]!;
      const tid = `a${a}-d${i}`;
      const common = `region: eu-central-1, roleArn: "${role}"`;
      if (kind === 'rds-read-replicas')
        targets.push(
          `  ${tid}: { kind: rds-read-replicas, source: db${i}, instanceClass: db.r6g.large, bounds: { min: 1, max: 5 }, ${common} }`,
        );
      else if (kind === 'elasticache-replication-group')
        targets.push(
          `  ${tid}: { kind: elasticache-replication-group, replicationGroupId: rg${i}, replicas: { min: 1, max: 5 }, ${common} }`,
        );
      else
        targets.push(
          `  ${tid}: { kind: rds-instance, identifier: inst${i}, tiers: [db.r6g.large, db.r6g.xlarge, db.r6g.2xlarge], ${common} }`,
        );
    }
  }
  if (s.accounts * s.clustersPerAccount === 0) lines.push('  {}');
  return parseConfig([...lines, 'targets:', ...targets].join('\n'), 'scale-estate.yaml');
}

/** The account of a target (its role ARN), for AWS rate-limit scopes. */
function accountOf(t: Target, config: Config): string {
  const arn = t.roleArn ?? config.clusters[t.cluster ?? '']?.roleArn ?? '';
  return arn.split(':')[4] ?? 'default';
}

/** The adapters' calls per kind (shared/adapters/kubernetes, shared/adapters/aws), per object and batched. */
function readModel(config: Config): (t: Target) => ReadModel {
  return (t) => {
    const spec = t.spec as { namespace?: string };
    const ns = `${t.cluster}|${spec.namespace}`;
    const acct = accountOf(t, config);
    switch (t.kind) {
      case 'k8s-hpa':
        return {
          scope: `k8s:${t.cluster}`,
          gets: ['k8s GET horizontalpodautoscaler', 'k8s GET deployment (pod requests)'],
          lists: [`k8s LIST horizontalpodautoscalers|${ns}`, `k8s LIST deployments|${ns}`],
          apply: ['k8s GET horizontalpodautoscaler', 'k8s PATCH horizontalpodautoscaler'],
        };
      case 'keda-scaledobject':
        return {
          scope: `k8s:${t.cluster}`,
          gets: ['k8s GET scaledobject', 'k8s GET deployment (pod requests)'],
          lists: [`k8s LIST scaledobjects|${ns}`, `k8s LIST deployments|${ns}`],
          apply: ['k8s GET scaledobject', 'k8s PATCH scaledobject'],
        };
      case 'k8s-deployment':
        return {
          scope: `k8s:${t.cluster}`,
          gets: ['k8s GET deployment'],
          lists: [`k8s LIST deployments|${ns}`],
          apply: ['k8s GET deployment', 'k8s PATCH deployment'],
        };
      case 'karpenter-headroom':
        return {
          scope: `k8s:${t.cluster}`,
          gets: ['k8s GET deployment (placeholder)', 'k8s GET nodepool'],
          lists: [`k8s LIST deployments|${ns}`, `k8s LIST nodepools|${t.cluster}`],
          apply: ['k8s GET deployment (placeholder)', 'k8s PATCH deployment (placeholder)'],
        };
      case 'rds-read-replicas':
        return {
          scope: `aws:${acct}:rds`,
          gets: ['rds DescribeDBInstances (source)', 'rds DescribeDBInstances (replicas, filtered)'],
          lists: [`rds DescribeDBInstances (account, 100 per page)|${acct}`],
          apply: ['rds CreateDBInstanceReadReplica'],
        };
      case 'elasticache-replication-group':
        return {
          scope: `aws:${acct}:elasticache`,
          gets: ['elasticache DescribeReplicationGroups'],
          lists: [`elasticache DescribeReplicationGroups (account, 100 per page)|${acct}`],
          apply: ['elasticache DescribeReplicationGroups', 'elasticache IncreaseReplicaCount'],
        };
      default:
        return {
          scope: `aws:${acct}:rds`,
          gets: ['rds DescribeDBInstances'],
          lists: [`rds DescribeDBInstances (account, 100 per page)|${acct}`],
          apply: ['rds DescribeDBInstances', 'rds ModifyDBInstance'],
        };
    }
  };
}

/** Pages of each list: Kubernetes lists at 500 per page, AWS describes at 100 (an RDS source and its ~2 replicas are 3). */
function pages(config: Config): (list: string) => number {
  const model = readModel(config);
  const members = new Map<string, number>();
  for (const t of config.targets)
    for (const l of model(t).lists)
      members.set(l, (members.get(l) ?? 0) + (t.kind === 'rds-read-replicas' ? 3 : 1));
  return (l) => Math.ceil((members.get(l) ?? 1) / (l.startsWith('k8s') ? 500 : 100));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface RunResult {
  targets: number;
  reads: 'per-object (pod requests every read)' | 'per-object' | 'batched';
  /** Per cent of the targets that get a new floor each reconcile. */
  changingPercent: number;
  reconciles: number;
  reconcileSeconds: { p50: number; p99: number; max: number };
  /** Of which the brain's own CPU (the rest is waiting on simulated APIs). */
  cpuSeconds: { p50: number; max: number };
  stepsPerReconcile: number;
  apiCallsPerReconcile: number;
  kubernetesCallsPerReconcile: number;
  awsCallsPerReconcile: number;
  stateStoreCallsPerReconcile: number;
  callsByName?: Record<string, number>;
}

/** `reconciles` reconciles of `config`, each after `changingPercent` % of the targets got a new floor. */
export async function runEstate(
  config: Config,
  opts: {
    batched: boolean;
    changingPercent: number;
    reconciles?: number;
    limits?: ApiLimits;
    /** Before the adapters kept pod requests: the scale target read on every read. */
    podRequestsEveryRead?: boolean;
  },
): Promise<RunResult> {
  const n = opts.reconciles ?? 8;
  const start = Date.parse('2026-11-27T18:00:00Z');
  const time = new VirtualTime(start);
  const apis = new SimApis(time, opts.limits ?? LIMITS);
  const estate = new SimEstate(apis, readModel(config), pages(config));
  estate.batched = opts.batched;
  estate.podRequestsKept = !opts.podRequestsEveryRead;
  const repo = new Repo(withLatency(new MemoryStateStore(), apis));
  const brain = new Brain({
    config,
    repo,
    actuators: estate.registry(),
    clock: time,
    notifier: nullNotifier,
    owner: 'bench-scale',
  });
  const changing = Math.round((config.targets.length * opts.changingPercent) / 100);
  const seconds: number[] = [];
  const cpu: number[] = [];
  let steps = 0;
  let byName: Record<string, number> = {};
  let calls = { all: 0, k8s: 0, aws: 0, store: 0 };
  // One warm-up reconcile (the adapters load, the first raises), then the measured ones.
  for (let r = -1; r < n; r++) {
    // The next interval: `changing` targets (a different slice each time) get a floor above their minimum.
    await time.run(async () => {
      for (let k = 0; k < changing; k++) {
        // Spread over the estate (every clusters' and account's share), a different slice each time.
        const stride = Math.max(1, Math.floor(config.targets.length / changing));
        const t = config.targets[(k * stride + r + 1) % config.targets.length]!;
        await repo.addIntent(
          {
            id: `bench-${r}-${t.id}`,
            target: t.id,
            floor: Math.min(t.bounds.max, t.bounds.min + 1 + (r + 1)),
            from: iso(time.ms0),
            until: iso(time.ms0 + 3600_000),
            reason: 'bench: a new floor',
            source: { kind: 'cli', ref: 'bench' },
            createdAt: iso(time.ms0),
          },
          time.now(),
        );
      }
    });
    apis.reset();
    estate.newRound();
    const v0 = time.ms0;
    const c0 = performance.now();
    const result = await time.run(() => brain.reconcile());
    const cpuMs = performance.now() - c0;
    const virtualMs = time.ms0 - v0;
    if (r >= 0) {
      seconds.push((virtualMs + cpuMs) / 1000);
      cpu.push(cpuMs / 1000);
      steps += result.results.filter((x) => x.outcome === 'executed').length;
      byName = Object.fromEntries([...apis.calls].sort((a, b) => b[1] - a[1]));
      const k8s = [...apis.calls].filter(([k]) => k.startsWith('k8s')).reduce((a, [, v]) => a + v, 0);
      const store = apis.calls.get('dynamodb') ?? 0;
      const all = apis.total();
      calls = {
        all: calls.all + all - store,
        k8s: calls.k8s + k8s,
        aws: calls.aws + all - store - k8s,
        store: calls.store + store,
      };
    }
    // The next reconcile is one interval after this one started.
    await time.run(() =>
      time.sleep(Math.max(0, v0 + config.defaults.reconcileIntervalSeconds * 1000 - time.ms0)),
    );
  }
  seconds.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const r2 = (x: number) => Number(x.toFixed(2));
  return {
    targets: config.targets.length,
    reads: opts.batched
      ? 'batched'
      : opts.podRequestsEveryRead
        ? 'per-object (pod requests every read)'
        : 'per-object',
    changingPercent: opts.changingPercent,
    reconciles: n,
    reconcileSeconds: {
      p50: r2(percentile(seconds, 50)),
      p99: r2(percentile(seconds, 99)),
      max: r2(seconds.at(-1)!),
    },
    cpuSeconds: { p50: r2(percentile(cpu, 50)), max: r2(cpu.at(-1)!) },
    stepsPerReconcile: Math.round(steps / n),
    apiCallsPerReconcile: Math.round(calls.all / n),
    kubernetesCallsPerReconcile: Math.round(calls.k8s / n),
    awsCallsPerReconcile: Math.round(calls.aws / n),
    stateStoreCallsPerReconcile: Math.round(calls.store / n),
    callsByName: byName,
  };
}

const INTERVAL_BUDGET_SECONDS = 30;

/** The largest size whose reconcile p99 stays within `budget` seconds, from a sweep. */
function limitOf(rows: { targets: number; p99: number }[], budget: number): number {
  let best = 0;
  for (const r of rows) if (r.p99 <= budget) best = Math.max(best, r.targets);
  return best;
}

/** The bench: the 2,000-target estate in one invocation, then per cluster and per account, then the limit. */
export async function benchScale() {
  const shape: EstateShape = { accounts: 10, clustersPerAccount: 4, k8sPerCluster: 40, awsPerAccount: 40 };
  const variants = [
    { reads: 'per-object (pod requests every read)', batched: false, parallelSteps: 1, everyRead: true },
    { reads: 'per-object', batched: false, parallelSteps: 1 },
    { reads: 'per-object', batched: false, parallelSteps: 8 },
    { reads: 'batched', batched: true, parallelSteps: 1 },
    { reads: 'batched', batched: true, parallelSteps: 8 },
  ] as const;
  const estate: unknown[] = [];
  for (const v of variants) {
    const config = estateConfig({ ...shape, parallelSteps: v.parallelSteps });
    for (const changingPercent of [0, 5]) {
      const everyRead = 'everyRead' in v && v.everyRead;
      const r = await runEstate(config, {
        batched: v.batched,
        changingPercent,
        podRequestsEveryRead: everyRead,
      });
      estate.push({
        ...r,
        parallelSteps: v.parallelSteps,
        callsByName: changingPercent === 5 ? r.callsByName : undefined,
      });
    }
  }
  // Fan-out: one invocation per cluster (its 40 Kubernetes targets) and per account (its 40 AWS targets).
  const cluster = {
    accounts: 1,
    clustersPerAccount: 1,
    k8sPerCluster: 40,
    awsPerAccount: 0,
    parallelSteps: 8,
  };
  const account = {
    accounts: 1,
    clustersPerAccount: 0,
    k8sPerCluster: 0,
    awsPerAccount: 40,
    parallelSteps: 8,
  };
  const perInvocation = {
    cluster: await runEstate(estateConfig(cluster), { batched: true, changingPercent: 5 }),
    account: await runEstate(estateConfig(account), { batched: true, changingPercent: 5 }),
  };
  // The limit: how many targets one invocation reconciles with p99 inside half the 60 s interval.
  const sweep = async (sizes: number[], make: (n: number) => EstateShape, batched: boolean) => {
    const rows: { targets: number; p99: number; apiCalls: number; steps: number }[] = [];
    for (const n of sizes) {
      const r = await runEstate(estateConfig(make(n)), { batched, changingPercent: 5, reconciles: 4 });
      rows.push({
        targets: r.targets,
        p99: r.reconcileSeconds.p99,
        apiCalls: r.apiCallsPerReconcile,
        steps: r.stepsPerReconcile,
      });
      if (r.reconcileSeconds.p99 > 2 * INTERVAL_BUDGET_SECONDS) break;
    }
    return { rows, limit: limitOf(rows, INTERVAL_BUDGET_SECONDS) };
  };
  const oneCluster = (parallelSteps: number) => (n: number) => ({
    ...cluster,
    k8sPerCluster: n,
    parallelSteps,
  });
  const oneAccount = (parallelSteps: number) => (n: number) => ({
    ...account,
    awsPerAccount: n,
    parallelSteps,
  });
  const k8sSizes = [40, 100, 200, 400, 800, 1600, 3200];
  const awsSizes = [40, 100, 200, 400, 800, 1600];
  const limits = {
    budgetSeconds: INTERVAL_BUDGET_SECONDS,
    clusterPerObjectSequential: await sweep(k8sSizes, oneCluster(1), false),
    clusterPerObjectParallel8: await sweep(k8sSizes, oneCluster(8), false),
    clusterBatchedParallel8: await sweep(k8sSizes, oneCluster(8), true),
    accountPerObjectSequential: await sweep(awsSizes, oneAccount(1), false),
    accountPerObjectParallel8: await sweep(awsSizes, oneAccount(8), false),
    accountBatchedParallel8: await sweep(awsSizes, oneAccount(8), true),
  };
  // One invocation for a larger estate (more accounts of 4 clusters and 200 targets each).
  const estateOf = (a: number) => ({ ...shape, accounts: a, parallelSteps: 8 });
  const wholeEstate = await sweep([10, 20, 40, 80], estateOf, true);
  const wholeEstatePerObject = await sweep([10, 20, 40, 80], estateOf, false);
  return {
    shape: { ...shape, targets: estateConfig(shape).targets.length, clusters: 40, intervalSeconds: 60 },
    limits: LIMITS,
    notes: [
      'virtual time: simulated API latency and rate limits are waited in virtual time; the brain (planner, executor, state logic) runs for real and its CPU time is added',
      'Kubernetes: client-go rest.Config defaults QPS 5, burst 10 per cluster; AWS describe/modify ~10/s, burst 20 per account and service; 20-80 ms per call; DynamoDB 4-12 ms per call, no throttling',
      'changingPercent: targets given a new floor before each reconcile, spread over every cluster and account',
      'batched: a per-reconcile read cache filled by one LIST per namespace and resource (500 per page) and one describe per account and service (100 per page); the executor still GETs each target before changing it',
    ],
    estate,
    perInvocation,
    fanOutLimit: {
      ...limits,
      oneInvocationWholeEstatePerObjectParallel8: wholeEstatePerObject,
      oneInvocationWholeEstateBatchedParallel8: wholeEstate,
    },
  };
}
