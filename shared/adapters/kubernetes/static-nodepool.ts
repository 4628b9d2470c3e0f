import type { Actual, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { KubeConnection } from './connection.ts';
import type { Access } from './errors.ts';
import type { NodePool } from './nodepool.ts';
import { patchWithRetry } from './update.ts';

const KARPENTER = { group: 'karpenter.sh', version: 'v1', plural: 'nodepools' };

/** What the actuator reads from a `karpenter-static-nodepool` target's spec. */
export type StaticNodePoolNeeds = { nodePool: string };

type StaticPool = NodePool & { spec?: { replicas?: number }; status?: { nodes?: number } };

interface Change {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  blocked: boolean;
  remember?: Record<string, unknown>;
  forget?: string[];
}

/**
 * `karpenter-static-nodepool`: the NodePool's `spec.replicas`. A count above `limits.nodes`
 * (the only limit a static pool honours) raises that limit too, remembered and restored when
 * the count is back within it. A dynamic pool is refused:
 * Karpenter cannot switch a NodePool between dynamic and static.
 */
export class StaticNodePoolActuator implements Actuator<StaticNodePoolNeeds> {
  private readonly conn: KubeConnection;

  constructor(conn: KubeConnection) {
    this.conn = conn;
  }

  async read(target: Target<StaticNodePoolNeeds>): Promise<Actual> {
    const np = await this.get(target);
    const replicas = np.spec?.replicas;
    const nodes = np.status?.nodes ?? Number(np.status?.resources?.nodes ?? 0);
    const actual: Actual = {
      value: replicas ?? 0,
      ready: nodes,
      details: {
        nodePool: target.spec.nodePool,
        replicas,
        nodes,
        limitsNodes: np.spec?.limits?.nodes ?? 'none',
      },
    };
    if (replicas === undefined) actual.blocked = dynamic(target);
    return actual;
  }

  async apply(target: Target<StaticNodePoolNeeds>, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    const original = typeof ctx.remembered.limitsNodes === 'string' ? ctx.remembered.limitsNodes : undefined;
    const r = await patchWithRetry(
      `NodePool ${target.spec.nodePool}`,
      () => this.get(target),
      (np): { patch?: Record<string, unknown>; result: Change } => {
        const replicas = np.spec?.replicas;
        // A quantity: `15` or `"15"`.
        const raw = np.spec?.limits?.nodes as string | number | undefined;
        const limit = raw === undefined ? undefined : String(raw);
        const before = { replicas: replicas ?? 0, ...(limit === undefined ? {} : { limitsNodes: limit }) };
        if (replicas === undefined) return { result: { before, after: before, blocked: true } };
        const spec: Record<string, unknown> = {};
        const out: Pick<Change, 'remember' | 'forget'> = {};
        if (replicas !== desired) spec.replicas = desired;
        if (limit !== undefined && Number(limit) < desired) {
          spec.limits = { nodes: String(desired) };
          if (original === undefined) out.remember = { limitsNodes: limit };
        } else if (original !== undefined && desired <= Number(original)) {
          // Back within the limit Headroom found: the limit goes back too.
          if (limit !== undefined && Number(limit) > Number(original)) spec.limits = { nodes: original };
          out.forget = ['limitsNodes'];
        }
        const limits = spec.limits as { nodes: string } | undefined;
        const after = {
          replicas: desired,
          ...(limits
            ? { limitsNodes: limits.nodes }
            : before.limitsNodes
              ? { limitsNodes: before.limitsNodes }
              : {}),
        };
        return {
          patch: Object.keys(spec).length ? { spec } : undefined,
          result: { before, after, blocked: false, ...out },
        };
      },
      (body) =>
        this.conn.call(this.access(target, 'patch'), (a, o) =>
          a.custom.patchClusterCustomObject({ ...KARPENTER, name: target.spec.nodePool, body }, o.mergePatch),
        ),
    );
    if (r.blocked) return { status: 'blocked', before: r.before, after: r.before, message: dynamic(target) };
    return {
      status: r.patched ? 'applied' : 'no-op',
      before: r.before,
      after: r.patched ? r.after : r.before,
      ...(r.remember ? { remember: r.remember } : {}),
      ...(r.forget ? { forget: r.forget } : {}),
    };
  }

  private async get(target: Target<StaticNodePoolNeeds>): Promise<StaticPool> {
    return (await this.conn.call(this.access(target, 'get'), (a, o) =>
      a.custom.getClusterCustomObject({ ...KARPENTER, name: target.spec.nodePool }, o.read),
    )) as StaticPool;
  }

  private access(target: Target<StaticNodePoolNeeds>, verb: 'get' | 'patch'): Access {
    return { verb, group: KARPENTER.group, resource: KARPENTER.plural, name: target.spec.nodePool };
  }
}

function dynamic(target: Target<StaticNodePoolNeeds>): string {
  return `NodePool ${target.spec.nodePool} is dynamic (no spec.replicas) and Karpenter cannot make it static: declare a static NodePool, or use karpenter-headroom / capacity-buffer for spare nodes`;
}
