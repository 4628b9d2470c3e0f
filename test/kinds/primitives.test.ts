import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import type { ConfigError } from '../../shared/domain/errors.ts';

const yaml = (extra: string) => `version: 1
clusters: { prod: { eksCluster: shop-prod, region: eu-central-1 } }
targets:
${extra}`;

const WARM = `  warm:
    kind: eks-nodegroup
    cluster: prod
    nodegroup: workers
    warmPool: { poolState: STOPPED }
    bounds: { min: 0, max: 10 }
`;
const BUFFER = `  buffer:
    kind: capacity-buffer
    cluster: prod
    namespace: headroom
    placeholder: { cpu: 3500m, memory: 14Gi }
    bounds: { min: 0, max: 10 }
`;
const STATIC = `  reserved:
    kind: karpenter-static-nodepool
    cluster: prod
    nodePool: reserved
    bounds: { min: 2, max: 12 }
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'headroom.yaml');
    return [];
  } catch (e) {
    return (e as ConfigError).problems;
  }
}

describe('Kinds: capacity-buffer, karpenter-static-nodepool, eks-nodegroup warmPool', () => {
  it('validates each with its field and its sourced lead time', () => {
    const c = parseConfig(yaml(WARM + BUFFER + STATIC));
    const of = (id: string) => c.targets.find((t) => t.id === id)!;
    expect(of('warm')).toMatchObject({ field: 'warmPoolMinSize', leadTimeSeconds: 480 });
    expect(of('buffer')).toMatchObject({ field: 'replicas', leadTimeSeconds: 180 });
    expect(of('reserved')).toMatchObject({ field: 'replicas', leadTimeSeconds: 120 });
    // The node group's own minSize keeps its lead time and its field.
    const group = parseConfig(yaml(WARM.replace('    warmPool: { poolState: STOPPED }\n', ''))).targets[0]!;
    expect(group).toMatchObject({ field: 'minSize', leadTimeSeconds: 360 });
  });

  it('refuses bad input with the path of the field', () => {
    expect(problems(yaml(WARM.replace('STOPPED', 'PAUSED')))).toEqual([
      expect.stringContaining('targets.warm.warmPool.poolState'),
    ]);
    expect(problems(yaml(BUFFER.replace('cpu: 3500m', 'cpu: lots')))).toEqual([
      expect.stringContaining('targets.buffer.placeholder.cpu'),
    ]);
    expect(problems(yaml(STATIC.replace('nodePool: reserved', 'nodePool: Reserved_Pool')))).toEqual([
      expect.stringContaining('targets.reserved.nodePool'),
    ]);
  });
});
