import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { headroomPolicy } from '../../shared/iam/index.ts';
import { rbacManifest } from '../../shared/iam/rbac.ts';
import { ACCOUNT, decide, deployment } from './helpers.ts';

const config = parseConfig(
  `version: 1
clusters:
  batch: { eksCluster: batch-eu, region: eu-west-1 }
targets:
  warm:
    kind: eks-nodegroup
    cluster: batch
    nodegroup: spot
    warmPool: { poolState: STOPPED }
    bounds: { min: 0, max: 20 }
  buffer:
    kind: capacity-buffer
    cluster: batch
    namespace: headroom
    placeholder: { cpu: 3500m, memory: 14Gi }
    bounds: { min: 0, max: 10 }
  reserved:
    kind: karpenter-static-nodepool
    cluster: batch
    nodePool: reserved
    bounds: { min: 2, max: 12 }
`,
  'primitives.yaml',
);
const cluster = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/batch-eu`;
const group = `arn:aws:eks:eu-west-1:${ACCOUNT}:nodegroup/batch-eu/spot/4ec6a3f2-1b2c-4d5e-8f90-123456789abc`;

describe('IAM and RBAC: capacity-buffer, karpenter-static-nodepool, eks-nodegroup warm pools', () => {
  it('lets the warm pool target update its own node group, and the Kubernetes kinds only reach the cluster', async () => {
    const { statements } = headroomPolicy(config, deployment());
    expect(await decide(statements, { action: 'eks:UpdateNodegroupConfig', resource: group })).toBe(
      'Allowed',
    );
    expect(await decide(statements, { action: 'eks:DescribeCluster', resource: cluster })).toBe('Allowed');
    const other = group.replace('/spot/', '/on-demand/');
    expect(await decide(statements, { action: 'eks:UpdateNodegroupConfig', resource: other })).toBe(
      'ImplicitlyDenied',
    );
    const resources = new Set(
      statements.flatMap((s) => s.Resource).filter((r) => r.startsWith('arn:aws:eks:')),
    );
    expect([...resources].sort()).toEqual([
      cluster,
      `arn:aws:eks:eu-west-1:${ACCOUNT}:nodegroup/batch-eu/spot/*`,
    ]);
  });

  it("binds the buffer's CapacityBuffers and PodTemplates in its namespace, and NodePools cluster-wide", () => {
    const rbac = rbacManifest(config);
    expect(rbac).toMatch(/kind: RoleBinding\s+metadata:\s+name: headroom-placeholders\s+namespace: headroom/);
    expect(rbac).toContain('resources: [capacitybuffers]');
    expect(rbac).toContain('resources: [podtemplates]');
    expect(rbac).toMatch(/kind: ClusterRoleBinding\s+metadata:\s+name: headroom-nodes/);
  });
});
