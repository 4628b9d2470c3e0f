import { StatefulSetActuator } from '../../shared/adapters/kubernetes/statefulset.ts';
import { statefulSet } from './helpers.ts';
import { scaleSubresourceCases } from './scale-cases.ts';

scaleSubresourceCases({
  kind: 'k8s-statefulset',
  resource: 'statefulsets',
  make: (conn) => new StatefulSetActuator(conn),
  object: statefulSet,
  podResources: { cpuMillis: 2000, memoryBytes: 4 * 1024 ** 3 },
});
