import type { Target } from '../../domain/types.ts';

/** What a Kubernetes target names: a namespaced object (`spec.namespace`, `spec.name`). */
export type NamedObject = { namespace: string; name: string };

/** The namespaced object a Kubernetes target names. */
export function ref(target: Target<NamedObject>): NamedObject {
  return { namespace: target.spec.namespace, name: target.spec.name };
}
