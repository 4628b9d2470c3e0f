import { type Cluster, DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { ActuatorError } from '../../domain/errors.ts';
import { toActuatorError } from '../aws/errors.ts';

export interface EksEndpoint {
  /** https URL of the Kubernetes API server. */
  endpoint: string;
  /** Base64 PEM of the cluster CA, as DescribeCluster returns it. */
  caData: string;
}

/** Endpoint and CA of an EKS cluster (`eks:DescribeCluster`); refuses a cluster that is not ACTIVE yet. */
export async function describeEksCluster(eks: EKSClient, name: string): Promise<EksEndpoint> {
  let c: Cluster | undefined;
  try {
    c = (await eks.send(new DescribeClusterCommand({ name }))).cluster;
  } catch (err) {
    throw toActuatorError(`eks:DescribeCluster on cluster ${name}`, err, 'eks:DescribeCluster');
  }
  if (!c?.endpoint || !c.certificateAuthority?.data)
    throw new ActuatorError(
      'invalid-state',
      `EKS cluster ${name} has no API endpoint yet (status ${c?.status ?? 'unknown'})`,
    );
  return { endpoint: c.endpoint, caData: c.certificateAuthority.data };
}
