/**
 * @kubernetes/client-node is loaded on the first Kubernetes call, not when the actuator
 * registry is imported: a cold start pays nothing for it, and functions whose config has no
 * Kubernetes target never load it. The import names the package itself so that a bundler that
 * keeps it external (SST `nodejs.install`) leaves a runtime `import()` here; a named re-export
 * would be hoisted into a static import and load all of it at cold start.
 */
export type KubernetesClient = typeof import('@kubernetes/client-node');

let loaded: Promise<KubernetesClient> | undefined;

export function kubernetesClient(): Promise<KubernetesClient> {
  loaded ??= import('@kubernetes/client-node');
  return loaded;
}
