/**
 * The parts of @kubernetes/client-node Headroom uses, named one by one: a bundler keeps only
 * these (about 0.7 MB of the package's 3 MB) when the package is bundled.
 */
export {
  AppsV1Api,
  AutoscalingV2Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  PatchStrategy,
  SchedulingV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
