import type { KubeConnection } from './connection.ts';
import { ScaleSubresourceActuator } from './scale-subresource.ts';

/** `k8s-deployment`: `spec.replicas` of an apps/v1 Deployment through its scale subresource. */
export class DeploymentActuator extends ScaleSubresourceActuator {
  constructor(conn: KubeConnection) {
    super(conn, 'deployments');
  }
}
