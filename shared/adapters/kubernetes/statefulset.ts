import type { KubeConnection } from './connection.ts';
import { ScaleSubresourceActuator } from './scale-subresource.ts';

/**
 * `k8s-statefulset`: `spec.replicas` of an apps/v1 StatefulSet through its scale subresource.
 * Pods start one after another (OrderedReady) unless the set uses `podManagementPolicy:
 * Parallel`, hence the longer default lead time; a lowering deletes the highest ordinals and
 * keeps their volumes.
 */
export class StatefulSetActuator extends ScaleSubresourceActuator {
  constructor(conn: KubeConnection) {
    super(conn, 'statefulsets');
  }
}
