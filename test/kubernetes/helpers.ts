import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeConnection } from '../../shared/adapters/kubernetes/connection.ts';
import type { NamedObject } from '../../shared/adapters/kubernetes/ref.ts';
import { KubeconfigSource } from '../../shared/adapters/kubernetes/sources.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { Target } from '../../shared/domain/types.ts';
import type { ApplyContext } from '../../shared/ports/actuator.ts';
import { FakeKubeApi, type FakeKubeOptions, type KObject } from './fake-api-server.ts';
import { Rbac } from './rbac.ts';

/** The manifests users apply: the fake API authorizes with exactly these. */
export const DEPLOY = path.resolve(import.meta.dirname, '../../deploy/kubernetes');

/** A kubeconfig file with one context pointing at the fake API, as kind or kubectl would write it. */
export function writeKubeconfig(
  server: string,
  opts: { token?: string; context?: string; user?: KObject } = {},
): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'headroom-kube-'));
  const file = path.join(dir, 'config');
  const context = opts.context ?? 'fake';
  const user = opts.user ?? { token: opts.token ?? 'test-token' };
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'headroom', user }],
      contexts: [{ name: context, context: { cluster: 'fake', user: 'headroom' } }],
      'current-context': context,
    }),
  );
  return file;
}

/** A fake cluster with Headroom's RBAC applied and a connection to it through a kubeconfig context. */
export async function fakeCluster(opts: FakeKubeOptions & { allowAll?: boolean } = {}) {
  const api = await FakeKubeApi.start({
    rbac: opts.allowAll ? undefined : Rbac.fromDirectory(DEPLOY),
    ...opts,
  });
  const kubeconfig = writeKubeconfig(api.url);
  const conn = new KubeConnection('test', new KubeconfigSource({ context: 'fake', path: kubeconfig }));
  return { api, conn, kubeconfig };
}

/**
 * One validated target of a kind, as the config loader makes it: its spec has passed the kind's
 * schema, so it has what the kind's actuator reads (a namespace and a name for workloads).
 */
export function target<S = NamedObject>(
  kind: string,
  fields: Record<string, unknown>,
  id = 'subject',
): Target<S> {
  const yaml = JSON.stringify({
    version: 1,
    clusters: {
      test: { eksCluster: 'kaireon-prod', region: 'eu-central-1', kubeconfig: { context: 'fake' } },
    },
    targets: { [id]: { kind, cluster: 'test', ...fields } },
  });
  const t = parseConfig(yaml).targets[0];
  if (!t) throw new Error('no target');
  return t as Target<S>;
}

export function ctx(over: Partial<ApplyContext> = {}): ApplyContext {
  return {
    stepId: 'step-1',
    reason: 'test',
    now: new Date('2026-11-27T19:00:00Z'),
    remembered: {},
    approved: false,
    campaignActive: false,
    ...over,
  };
}

// Objects as they are in a cluster -------------------------------------------------------

export function deployment(
  namespace: string,
  name: string,
  replicas: number,
  requests = { cpu: '500m', memory: '1Gi' },
): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'ghcr.io/kaireon/api:1.4.2', resources: { requests } }] },
      },
    },
  };
}

export function statefulSet(namespace: string, name: string, replicas: number): KObject {
  const d = deployment(namespace, name, replicas, { cpu: '2', memory: '4Gi' });
  return { ...d, kind: 'StatefulSet', spec: { ...d.spec, serviceName: name } };
}

export function hpa(
  namespace: string,
  name: string,
  min: number,
  max: number,
  target = 'kaireon-api',
): KObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: min,
      maxReplicas: max,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ],
    },
    status: {
      currentReplicas: min,
      desiredReplicas: min,
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' },
        { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' },
        {
          type: 'ScalingLimited',
          status: 'True',
          reason: 'TooFewReplicas',
          message: 'the desired replica count is less than the minimum replica count',
        },
      ],
    },
  };
}

export function scaledObject(
  namespace: string,
  name: string,
  min: number,
  max?: number,
  annotations?: Record<string, string>,
): KObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec: {
      scaleTargetRef: { name: 'kaireon-worker' },
      minReplicaCount: min,
      ...(max === undefined ? {} : { maxReplicaCount: max }),
      triggers: [{ type: 'aws-sqs-queue', metadata: { queueLength: '50' } }],
    },
    status: {
      hpaName: `keda-hpa-${name}`,
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ScaledObjectReady' },
        { type: 'Active', status: 'False', reason: 'ScalerNotActive' },
        { type: 'Fallback', status: 'False' },
      ],
    },
  };
}

export function nodePool(name: string, over: KObject = {}): KObject {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          requirements: [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] }],
          taints: [{ key: 'workload', value: 'web', effect: 'NoSchedule' }],
        },
      },
      disruption: {
        consolidationPolicy: 'WhenEmptyOrUnderutilized',
        consolidateAfter: '1m',
        budgets: [{ nodes: '10%' }],
      },
      limits: { cpu: '64', memory: '256Gi' },
      ...over.spec,
    },
    status: { resources: { cpu: '48', memory: '192Gi', nodes: '12', pods: '240' } },
  };
}
