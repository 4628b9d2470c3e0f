import type { SimSettings } from '../../config/backtest.ts';
import type { Cluster } from './cluster.ts';
import type { Node } from './pods.ts';

type KarpenterSettings = SimSettings['karpenter'];

/**
 * Karpenter for one NodePool: pending pods that no ready or launching node will take open a
 * batch; the batch closes after `batchIdle` without new pods (at most `batchMax` after it
 * opened), then nodes for the whole batch launch and are ready `nodeStartup` later. Every
 * 10 s the disruption controller removes empty nodes and (WhenEmptyOrUnderutilized) one node
 * whose pods fit elsewhere, once nothing changed on it for `consolidateAfter` plus the 15 s
 * validation, within the disruption budget (10 % of nodes; `0` while Headroom holds a
 * campaign, as its karpenter-headroom actuator sets it).
 */
export class Karpenter {
  private readonly cluster: Cluster;
  private readonly s: KarpenterSettings;
  private batch: { start: number; lastChange: number; count: number } | undefined;
  private nextDisruptionAt = Number.NEGATIVE_INFINITY;
  private seenVersion = -1;
  /** The NodePool's disruption budget as Headroom set it ('0' blocks consolidation). */
  budget: 'default' | '0' = 'default';
  launched = 0;
  removed = 0;

  constructor(cluster: Cluster, settings: KarpenterSettings) {
    this.cluster = cluster;
    this.s = settings;
  }

  step(now: number): void {
    this.provision(now);
    if (now >= this.nextDisruptionAt) {
      this.nextDisruptionAt = now + 10_000;
      this.consolidate(now);
    }
  }

  private provision(now: number): void {
    const pods = this.cluster.unplacedPending('karpenter');
    const count = pods.reduce((a, p) => a + p.n, 0);
    if (count === 0) {
      this.batch = undefined;
      return;
    }
    if (!this.batch) this.batch = { start: now, lastChange: now, count };
    else if (count > this.batch.count) {
      this.batch.lastChange = now;
      this.batch.count = count;
    }
    const closeAt = Math.min(
      this.batch.lastChange + this.s.batchIdleSeconds * 1000,
      this.batch.start + this.s.batchMaxSeconds * 1000,
    );
    if (now < closeAt) return;
    const n = this.cluster.nodesFor(pods);
    for (let i = 0; i < n; i++)
      this.cluster.launchNode('karpenter', closeAt, closeAt + this.s.nodeStartupSeconds * 1000);
    this.launched += n;
    this.batch = undefined;
  }

  private consolidate(now: number): void {
    if (this.s.consolidation === 'Never' || this.budget === '0') return;
    // Nothing changed since a pass that found every node settled: the answer is the same.
    const wait = (this.s.consolidateAfterSeconds + this.s.validationSeconds) * 1000;
    if (this.cluster.version === this.seenVersion && now - this.cluster.changedAt >= wait + 10_000) return;
    this.seenVersion = this.cluster.version;
    const nodes = this.cluster.nodes.filter((n) => n.owner === 'karpenter' && n.ready);
    let allowed = Math.ceil((this.s.budgetPercent / 100) * nodes.length);
    const settled = (n: Node) => now - n.lastPodChange >= wait;
    for (let i = nodes.length - 1; i >= 0 && allowed > 0; i--) {
      const n = nodes[i]!;
      if (n.podCount === 0 && settled(n)) {
        this.cluster.removeNode(n, now);
        this.removed++;
        allowed--;
      }
    }
    if (this.s.consolidation !== 'WhenEmptyOrUnderutilized' || allowed <= 0) return;
    // The cheapest disruption first: the settled node with the fewest pods whose pods fit elsewhere.
    const candidates = nodes
      .filter((n) => n.podCount > 0 && settled(n) && this.cluster.nodes.includes(n))
      .sort((a, b) => a.podCount - b.podCount)
      .slice(0, 3);
    for (const n of candidates) {
      if (this.cluster.canDrain(n)) {
        this.cluster.removeNode(n, now);
        this.cluster.schedule(now);
        this.removed++;
        return;
      }
    }
  }
}
