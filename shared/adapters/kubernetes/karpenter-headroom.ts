import type { V1Deployment } from '@kubernetes/client-node';
import { parseCpuMillis, parseMemoryBytes } from '../../domain/duration.ts';
import { ActuatorError } from '../../domain/errors.ts';
import type { Actual, PodResources, Target } from '../../domain/types.ts';
import type { Actuator, ApplyContext, ApplyResult } from '../../ports/actuator.ts';
import type { KubeConnection } from './connection.ts';
import type { Access } from './errors.ts';
import { FIELD_MANAGER } from './managed-fields.ts';
import { type NodePool, type NodePoolChange, protectNodePool, restoreNodePool } from './nodepool.ts';
import {
  type HeadroomNeeds,
  type PlaceholderSpec,
  placeholderDeployment,
  placeholderPatch,
  placeholderSpec,
  priorityClass,
} from './placeholder.ts';
import { type Replacements, readReplaced } from './replaced.ts';
import { patchWithRetry } from './update.ts';

const KARPENTER = { group: 'karpenter.sh', version: 'v1', plural: 'nodepools' };

/**
 * `karpenter-headroom`: N spare nodes kept warm by N placeholder pods of a negative priority
 * in a Deployment Headroom owns. Karpenter launches a node for each; a real pod that needs the
 * room preempts a placeholder at once and starts on a warm node, and the displaced placeholder
 * asks Karpenter for the next one. While a campaign runs, the NodePool's disruption budget is
 * `nodes: "0"` and its limits leave room for the surge; both are restored afterwards. Zero
 * spare nodes is replicas 0: the placeholders are deleted.
 */
export class KarpenterHeadroomActuator implements Actuator<HeadroomNeeds> {
  private readonly conn: KubeConnection;

  constructor(conn: KubeConnection) {
    this.conn = conn;
  }

  async read(target: Target<HeadroomNeeds>): Promise<Actual> {
    const p = placeholderSpec(target);
    const [np, dep] = await Promise.all([this.nodePool(p), this.deployment(p)]);
    const replaced = readReplaced(np.metadata?.annotations);
    return {
      value: dep?.spec?.replicas ?? 0,
      ready: dep?.status?.readyReplicas ?? 0,
      details: {
        placeholders: dep?.spec?.replicas ?? 0,
        readyPlaceholders: dep?.status?.readyReplicas ?? 0,
        placeholderDeployment: `${p.namespace}/${p.name}${dep ? '' : ' (not created yet)'}`,
        nodePool: {
          name: p.nodePool,
          limits: np.spec?.limits ?? 'none',
          disruptionBudgets: np.spec?.disruption?.budgets ?? 'default',
          nodes: np.status?.resources?.nodes,
          ...(Object.keys(replaced).length ? { replacedByHeadroom: replaced } : {}),
        },
      },
    };
  }

  async apply(target: Target<HeadroomNeeds>, desired: number, ctx: ApplyContext): Promise<ApplyResult> {
    const p = placeholderSpec(target);
    const size = placeholderSize(p);
    // The pool first: protected before nodes are added, released with the placeholders.
    const protect = ctx.campaignActive && desired > 0;
    const pool = await patchWithRetry(
      `NodePool ${p.nodePool}`,
      () => this.nodePool(p),
      (np): { patch?: Record<string, unknown>; result: NodePoolChange & { np: NodePool } } => {
        const c = protect
          ? protectNodePool(np, desired, size)
          : restoreNodePool(np, ctx.remembered.nodePool as Replacements | undefined);
        return { patch: c.patch, result: { ...c, np } };
      },
      (body) =>
        this.conn.call(this.poolAccess(p, 'patch'), (a, o) =>
          a.custom.patchClusterCustomObject({ ...KARPENTER, name: p.nodePool, body }, o.mergePatch),
        ),
    );

    if (desired > 0) await this.ensurePriorityClass(p.priorityClassName);
    const placeholders = await this.scalePlaceholders(p, pool.np, desired);

    const changed = pool.patched || placeholders.changed;
    const before = { spareNodes: placeholders.before, ...(pool.patched ? { nodePool: pool.before } : {}) };
    const after = { spareNodes: desired, ...(pool.patched ? { nodePool: pool.after } : {}) };
    const hadRecord =
      Object.keys(readReplaced(pool.np.metadata?.annotations)).length > 0 || ctx.remembered.nodePool;
    return {
      status: changed ? 'applied' : 'no-op',
      before,
      after: changed ? after : before,
      ...(pool.patched && protect && !ctx.remembered.nodePool
        ? { remember: { nodePool: pool.replaced } }
        : {}),
      ...(!protect && hadRecord ? { forget: ['nodePool'] } : {}),
    };
  }

  /** Creates the placeholder Deployment on first use, then patches replicas (and a changed template). */
  private async scalePlaceholders(
    p: PlaceholderSpec,
    np: NodePool,
    desired: number,
  ): Promise<{ before: number; changed: boolean }> {
    const existing = await this.deployment(p);
    if (!existing) {
      if (desired === 0) return { before: 0, changed: false };
      await this.conn.call(this.deploymentAccess(p, 'create'), (a, o) =>
        a.apps.createNamespacedDeployment(
          { namespace: p.namespace, body: placeholderDeployment(p, np, desired) },
          o.read,
        ),
      );
      return { before: 0, changed: true };
    }
    const r = await patchWithRetry(
      `Deployment ${p.namespace}/${p.name}`,
      async () => (await this.deployment(p)) ?? existing,
      (dep) => ({
        patch: placeholderPatch(dep, p, np, desired),
        result: { before: dep.spec?.replicas ?? 0 },
      }),
      (body) =>
        this.conn.call(this.deploymentAccess(p, 'patch'), (a, o) =>
          a.apps.patchNamespacedDeployment(
            { name: p.name, namespace: p.namespace, body, fieldManager: FIELD_MANAGER },
            o.mergePatch,
          ),
        ),
    );
    return { before: r.before, changed: r.patched };
  }

  /**
   * The placeholders' PriorityClass is created if missing; an existing one with a priority of
   * zero or more is refused, since placeholders would then compete with real pods.
   */
  private async ensurePriorityClass(name: string): Promise<void> {
    const access: Access = { verb: 'get', group: 'scheduling.k8s.io', resource: 'priorityclasses', name };
    const existing = await this.conn
      .call(access, (a, o) => a.scheduling.readPriorityClass({ name }, o.read))
      .catch((err: unknown) => {
        if (err instanceof ActuatorError && err.code === 'not-found') return undefined;
        throw err;
      });
    if (existing) {
      if ((existing.value ?? 0) >= 0)
        throw new ActuatorError(
          'invalid-state',
          `PriorityClass ${name} has value ${existing.value}: placeholder pods need a negative priority so real pods preempt them`,
          { retryable: false },
        );
      return;
    }
    await this.conn
      .call({ ...access, verb: 'create' }, (a, o) =>
        a.scheduling.createPriorityClass({ body: priorityClass(name) }, o.read),
      )
      .catch((err: unknown) => {
        // Created by a concurrent reconcile in the meantime: that is what we wanted.
        if (err instanceof ActuatorError && err.code === 'conflict') return;
        throw err;
      });
  }

  private async nodePool(p: PlaceholderSpec): Promise<NodePool> {
    return (await this.conn.call(this.poolAccess(p, 'get'), (a, o) =>
      a.custom.getClusterCustomObject({ ...KARPENTER, name: p.nodePool }, o.read),
    )) as NodePool;
  }

  private async deployment(p: PlaceholderSpec): Promise<V1Deployment | undefined> {
    return this.conn
      .call(this.deploymentAccess(p, 'get'), (a, o) =>
        a.apps.readNamespacedDeployment({ name: p.name, namespace: p.namespace }, o.read),
      )
      .catch((err: unknown) => {
        if (err instanceof ActuatorError && err.code === 'not-found') return undefined;
        throw err;
      });
  }

  private poolAccess(p: PlaceholderSpec, verb: 'get' | 'patch'): Access {
    return { verb, group: KARPENTER.group, resource: KARPENTER.plural, name: p.nodePool };
  }

  private deploymentAccess(p: PlaceholderSpec, verb: Access['verb']): Access {
    return { verb, group: 'apps', resource: 'deployments', namespace: p.namespace, name: p.name };
  }
}

function placeholderSize(p: PlaceholderSpec): PodResources {
  return { cpuMillis: parseCpuMillis(p.cpu) ?? 0, memoryBytes: parseMemoryBytes(p.memory) ?? 0 };
}
