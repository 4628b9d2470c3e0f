import type { ClusterConfig } from '../../config/types.ts';
import { ActuatorError } from '../../domain/errors.ts';
import type { Target } from '../../domain/types.ts';
import type { Actuator, ActuatorContext, ActuatorFactory } from '../../ports/actuator.ts';
import { clientCache } from '../aws-clients.ts';
import { eksClient, regionOf, tokenCredentials } from '../eks/clients.ts';
import { EksNodegroupActuator, type NodegroupNeeds } from '../eks/nodegroup.ts';
import { EksTokenSource } from '../eks/token.ts';
import { CapacityBufferActuator } from './capacity-buffer.ts';
import { type ClusterSource, KubeConnection } from './connection.ts';
import { DeploymentActuator } from './deployment.ts';
import { HpaActuator } from './hpa.ts';
import { KarpenterHeadroomActuator } from './karpenter-headroom.ts';
import { KedaScaledObjectActuator } from './keda-scaledobject.ts';
import { PgBouncerActuator } from './pgbouncer.ts';
import { EksSource, KubeconfigSource } from './sources.ts';
import { StatefulSetActuator } from './statefulset.ts';
import { StaticNodePoolActuator } from './static-nodepool.ts';

/** A cluster Headroom cannot reach as configured: every call says why, nothing changes. */
class MisconfiguredSource implements ClusterSource {
  readonly description: string;
  private readonly problem: string;
  constructor(description: string, problem: string) {
    this.description = description;
    this.problem = problem;
  }
  async kubeConfig(): Promise<never> {
    throw new ActuatorError('invalid-request', this.problem, { retryable: false });
  }
  refreshCredentials(): void {}
  reset(): void {}
}

function sourceFor(c: ClusterConfig, ctx: ActuatorContext): ClusterSource {
  // A kubeconfig context wins when both are given: it is how people run `dev` against EKS locally.
  if (c.kubeconfig) return new KubeconfigSource(c.kubeconfig);
  const clusterName = c.eksCluster!;
  const region = regionOf(c.region);
  if (!region)
    return new MisconfiguredSource(
      `EKS cluster ${clusterName}`,
      `clusters.${c.id}: no region (set clusters.${c.id}.region or AWS_REGION)`,
    );
  return new EksSource({
    clusterName,
    eks: eksClient(ctx, region, c.roleArn),
    tokens: new EksTokenSource({
      clusterName,
      region,
      credentials: tokenCredentials(ctx, region, c.roleArn),
      clock: ctx.clock,
    }),
  });
}

/** One connection per cluster and runtime: tokens, endpoints and HTTP agents are shared by its targets. */
export function connectionFor(ctx: ActuatorContext, target: Pick<Target, 'cluster'>): KubeConnection {
  const id = target.cluster ?? '';
  return clientCache(ctx).get(`kube|${id}`, () => {
    const c = ctx.config.clusters[id];
    return new KubeConnection(
      id,
      c ? sourceFor(c, ctx) : new MisconfiguredSource(`cluster ${id}`, `unknown cluster "${id}"`),
      { clock: ctx.clock },
    );
  });
}

function kube<S>(make: (conn: KubeConnection) => Actuator<S>): ActuatorFactory<S> {
  return (ctx) => (target) => make(connectionFor(ctx, target));
}

/* The actuator factories of the Kubernetes and EKS kinds, loaded by their kind modules (shared/kinds/). */
export const nodegroupActuators: ActuatorFactory<NodegroupNeeds> = (ctx) => (target) => {
  const c = ctx.config.clusters[target.cluster ?? ''];
  return new EksNodegroupActuator({
    eks: eksClient(ctx, regionOf(target.region ?? c?.region), target.roleArn ?? c?.roleArn),
    clusterName: c?.eksCluster ?? target.cluster ?? '',
  });
};
export const deploymentActuators = kube((conn) => new DeploymentActuator(conn));
export const pgBouncerActuators = kube((conn) => new PgBouncerActuator(conn));
export const hpaActuators = kube((conn) => new HpaActuator(conn));
export const statefulSetActuators = kube((conn) => new StatefulSetActuator(conn));
export const karpenterHeadroomActuators = kube((conn) => new KarpenterHeadroomActuator(conn));
export const kedaActuators = kube((conn) => new KedaScaledObjectActuator(conn));
export const capacityBufferActuators = kube((conn) => new CapacityBufferActuator(conn));
export const staticNodePoolActuators = kube((conn) => new StaticNodePoolActuator(conn));
