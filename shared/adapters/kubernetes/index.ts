import type { TargetKind } from '../../domain/types.ts';
import type { ActuatorFactory } from '../registry.ts';

/** Kubernetes and EKS kinds (k8s-hpa, keda-scaledobject, ..., eks-nodegroup), alphabetical. */
export const kubernetesFactories: Partial<Record<TargetKind, ActuatorFactory>> = {};
