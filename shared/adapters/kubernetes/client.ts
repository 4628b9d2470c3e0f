/**
 * @kubernetes/client-node is loaded on the first Kubernetes call, not when the actuator
 * registry is imported: functions whose config has no Kubernetes target never pay for it, and
 * the package can stay outside the Lambda bundle (SST `nodejs.install`) without breaking them.
 */
export type KubernetesClient = typeof import('./client-node.ts');

let loaded: Promise<KubernetesClient> | undefined;

export function kubernetesClient(): Promise<KubernetesClient> {
  loaded ??= import('./client-node.ts');
  return loaded;
}
