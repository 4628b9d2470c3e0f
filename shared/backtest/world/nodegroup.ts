import type { SimSettings } from '../../config/backtest.ts';
import type { Cluster } from './cluster.ts';
import type { Node } from './pods.ts';

type NodeGroupSettings = SimSettings['nodegroup'];

/**
 * An EKS managed node group under the Cluster Autoscaler. The Auto Scaling group keeps
 * `desired` instances (never below `minSize`, which Headroom raises); instances join the
 * cluster `nodeStartup` after launch. Every `scanInterval` the autoscaler raises `desired`
 * for pending pods that no node will take, and removes one node whose requests are below
 * `utilizationThreshold` of allocatable and whose pods fit elsewhere, once it has been
 * unneeded for `scaleDownUnneeded` and no scale-up happened for `scaleDownDelayAfterAdd`.
 * A warm pool (`warmMin`, the EKS warmPoolConfig.minSize Headroom sets) keeps instances that
 * have booted once and stopped: a launch takes a prepared one and is ready after `warmStart`,
 * and the pool refills with a cold launch. Stopped instances are not nodes (not paid as such).
 */
export class NodeGroup {
  private readonly cluster: Cluster;
  private readonly s: NodeGroupSettings;
  minSize: number;
  maxSize: number;
  desired: number;
  private nextScanAt = Number.NEGATIVE_INFINITY;
  private lastScaleUpAt = Number.NEGATIVE_INFINITY;
  private readonly unneededSince = new Map<Node, number>();
  warmMin = 0;
  /** The instant each warm-pool instance is (or will be) prepared. */
  private warm: number[] = [];
  launched = 0;
  removed = 0;

  constructor(cluster: Cluster, settings: NodeGroupSettings, spec: { minSize: number; maxSize: number }) {
    this.cluster = cluster;
    this.s = settings;
    this.minSize = spec.minSize;
    this.maxSize = spec.maxSize;
    this.desired = Math.max(spec.minSize, this.count());
  }

  private count(): number {
    let n = 0;
    for (const node of this.cluster.nodes) if (node.owner === 'nodegroup') n++;
    return n;
  }

  /** Nodes of the group that have joined the cluster. */
  get readyCount(): number {
    let n = 0;
    for (const node of this.cluster.nodes) if (node.owner === 'nodegroup' && node.ready) n++;
    return n;
  }

  step(now: number): void {
    this.desired = Math.min(this.maxSize, Math.max(this.desired, this.minSize));
    if (now >= this.nextScanAt) {
      this.nextScanAt = now + this.s.scanIntervalSeconds * 1000;
      this.scan(now);
    }
    // The Auto Scaling group launches instances up to the desired capacity, warm ones first.
    for (let missing = this.desired - this.count(); missing > 0; missing--) {
      const warm = this.warm.length > 0 && this.warm[0]! <= now;
      if (warm) this.warm.shift();
      const startup = warm ? this.s.warmStartSeconds : this.s.nodeStartupSeconds;
      this.cluster.launchNode('nodegroup', now, now + startup * 1000);
      this.launched++;
    }
    while (this.warm.length > this.warmMin) this.warm.pop();
    while (this.warm.length < this.warmMin) this.warm.push(now + this.s.nodeStartupSeconds * 1000);
  }

  /** Warm-pool instances prepared now (booted once, stopped). */
  warmReady(now: number): number {
    return this.warm.filter((t) => t <= now).length;
  }

  private scan(now: number): void {
    const pods = this.cluster.unplacedPending('nodegroup');
    if (pods.length > 0) {
      const need = this.cluster.nodesFor(pods);
      const next = Math.min(this.maxSize, this.desired + need);
      if (next > this.desired) {
        this.desired = next;
        this.lastScaleUpAt = now;
      }
      return;
    }
    const nodes = this.cluster.nodes.filter((n) => n.owner === 'nodegroup' && n.ready);
    for (const n of [...this.unneededSince.keys()]) if (!nodes.includes(n)) this.unneededSince.delete(n);
    let removable: Node | undefined;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i]!;
      const unneeded = n.utilization < this.s.utilizationThreshold && this.cluster.canDrain(n);
      if (!unneeded) {
        this.unneededSince.delete(n);
        continue;
      }
      const since = this.unneededSince.get(n) ?? now;
      this.unneededSince.set(n, since);
      if (!removable && now - since >= this.s.scaleDownUnneededSeconds * 1000) removable = n;
    }
    if (
      removable &&
      this.desired > this.minSize &&
      now - this.lastScaleUpAt >= this.s.scaleDownDelayAfterAddSeconds * 1000
    ) {
      this.unneededSince.delete(removable);
      this.cluster.removeNode(removable, now);
      this.cluster.schedule(now);
      this.desired--;
      this.removed++;
    }
  }
}
