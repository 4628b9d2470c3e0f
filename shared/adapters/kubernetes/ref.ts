import type { Target } from '../../domain/types.ts';

/** The namespaced object a Kubernetes target names (`spec.namespace`, `spec.name`). */
export function ref(target: Target): { namespace: string; name: string } {
  return { namespace: target.spec.namespace as string, name: target.spec.name as string };
}
