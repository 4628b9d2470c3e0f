import { DeploymentActuator } from '../../shared/adapters/kubernetes/deployment.ts';
import { deployment } from './helpers.ts';
import { scaleSubresourceCases } from './scale-cases.ts';

scaleSubresourceCases({
  kind: 'k8s-deployment',
  resource: 'deployments',
  make: (conn) => new DeploymentActuator(conn),
  object: (ns, name, replicas) => deployment(ns, name, replicas),
  podResources: { cpuMillis: 500, memoryBytes: 1024 ** 3 },
});
