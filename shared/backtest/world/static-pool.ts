import type { Cluster } from './cluster.ts';
import type { Node } from './pods.ts';

/**
 * A static Karpenter NodePool (`spec.replicas`): Karpenter keeps exactly `replicas` nodes,
 * whatever the pods ask; missing nodes launch at once (no pod batching) and are ready
 * `nodeStartup` later; a lower count removes the emptiest nodes, whose pods go pending.
 * Consolidation never touches them.
 */
export class StaticPool {
  private readonly cluster: Cluster;
  private readonly startupMs: number;
  private nodes: Node[] = [];
  replicas: number;
  launched = 0;
  removed = 0;

  constructor(cluster: Cluster, startupSeconds: number, replicas: number, start: number) {
    this.cluster = cluster;
    this.startupMs = startupSeconds * 1000;
    this.replicas = replicas;
    // The pool's nodes at the start of a simulation are there already.
    for (let i = 0; i < replicas; i++) this.nodes.push(cluster.launchNode('static', start, start));
  }

  get readyCount(): number {
    return this.nodes.filter((n) => n.ready).length;
  }

  get count(): number {
    return this.nodes.length;
  }

  step(now: number): void {
    this.nodes = this.nodes.filter((n) => this.cluster.nodes.includes(n));
    while (this.nodes.length < this.replicas) {
      this.nodes.push(this.cluster.launchNode('static', now, now + this.startupMs));
      this.launched++;
    }
    if (this.nodes.length <= this.replicas) return;
    const emptiest = [...this.nodes].sort(
      (a, b) => Number(a.ready) - Number(b.ready) || a.podCount - b.podCount,
    );
    for (const n of emptiest.slice(0, this.nodes.length - this.replicas)) {
      this.cluster.removeNode(n, now);
      this.removed++;
    }
    this.nodes = this.nodes.filter((n) => this.cluster.nodes.includes(n));
    this.cluster.schedule(now);
  }
}
