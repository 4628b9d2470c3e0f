/**
 * A simulated Kubernetes cluster at the level a capacity question needs: nodes with
 * allocatable CPU and memory, workloads whose pods are pending (no room), starting (bound,
 * pulling and booting for `startup`) or ready, the scheduler binding pending pods first-fit
 * with priority preemption (Headroom's placeholder pods have a negative priority and are
 * evicted the moment a real pod needs their room), and the ReplicaSet controller creating and
 * deleting pods to match each workload's replica count (pending first, then the newest).
 * Provisioners (Karpenter, a managed node group, or none) add and remove nodes.
 */

import { Node, type NodeOwner, type PodShape, type Workload } from './pods.ts';

export class Cluster {
  readonly id: string;
  readonly nodeShape: PodShape;
  /** No node model: every pod binds at once (provisioner `none`). */
  readonly unlimited: boolean;
  /** Grace period of an evicted lower-priority pod before the preempting pod can start. */
  readonly preemptionMs: number;
  /** Fraction of a workload's ready pods a voluntary drain may take at once (its PDB). */
  readonly pdbMaxUnavailable: number;
  readonly nodes: Node[] = [];
  /** By priority, highest first. */
  readonly workloads: Workload[] = [];
  private nextNodeId = 1;
  /** Placeholder (or other) pods evicted to make room for higher-priority pods. */
  preemptions = 0;
  /** Bumped on every change of pods or nodes, with its time: lets periodic controllers skip idle passes. */
  version = 0;
  changedAt = Number.NEGATIVE_INFINITY;
  /** Nodes still launching (saves a pass over the nodes on most ticks). */
  private launching = 0;

  constructor(
    id: string,
    nodeShape: PodShape,
    opts: { unlimited: boolean; preemptionSeconds: number; pdbMaxUnavailable: number },
  ) {
    this.id = id;
    this.nodeShape = nodeShape;
    this.unlimited = opts.unlimited;
    this.preemptionMs = opts.preemptionSeconds * 1000;
    this.pdbMaxUnavailable = opts.pdbMaxUnavailable;
  }

  addWorkload(w: Workload): void {
    if (
      !this.unlimited &&
      (w.shape.cpuMillis > this.nodeShape.cpuMillis || w.shape.memoryBytes > this.nodeShape.memoryBytes)
    )
      throw new Error(
        `pods of ${w.id} (${w.shape.cpuMillis}m, ${(w.shape.memoryBytes / 1024 ** 3).toFixed(1)}Gi) do not fit a simulated node (${this.nodeShape.cpuMillis}m, ${(this.nodeShape.memoryBytes / 1024 ** 3).toFixed(1)}Gi): set backtest.nodes`,
      );
    this.workloads.push(w);
    this.workloads.sort((a, b) => b.priority - a.priority);
  }

  launchNode(owner: NodeOwner, launchedAt: number, readyAt: number): Node {
    const n = new Node(this.nextNodeId++, owner, this.nodeShape, launchedAt, readyAt);
    this.nodes.push(n);
    this.launching++;
    this.touch(launchedAt);
    return n;
  }

  private touch(now: number): void {
    this.version++;
    this.changedAt = now;
  }

  /** Nodes that exist (launching or ready): what is paid for. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Pods start ready on nodes that are ready: the state at the beginning of a simulation. */
  placeInitial(now: number, owner: NodeOwner): void {
    for (const w of this.workloads) {
      let left = w.replicas;
      if (this.unlimited) {
        w.ready += left;
        w.readyOn.set(undefined, (w.readyOn.get(undefined) ?? 0) + left);
        continue;
      }
      for (const node of this.nodes) {
        if (left === 0) break;
        const k = Math.min(left, node.fits(w.shape));
        if (k > 0) this.placeReady(w, node, k, now);
        left -= k;
      }
      while (left > 0) {
        const node = this.launchNode(owner, now, now);
        node.ready = true;
        this.launching--;
        const k = Math.min(left, node.fits(w.shape));
        this.placeReady(w, node, k, now);
        left -= k;
      }
    }
  }

  private placeReady(w: Workload, node: Node, k: number, now: number): void {
    node.bind(w, k, now);
    w.ready += k;
    w.readyOn.set(node, (w.readyOn.get(node) ?? 0) + k);
  }

  /** One tick: nodes and pods that became ready, replica counts applied, pending pods bound. */
  step(now: number): void {
    if (this.launching > 0)
      for (const node of this.nodes)
        if (!node.ready && node.readyAt <= now) {
          node.ready = true;
          this.launching--;
          this.touch(now);
        }
    for (const w of this.workloads) {
      while (w.starting.length && w.starting[0]!.readyAt <= now) {
        this.touch(now);
        const c = w.starting.shift()!;
        w.startingCount -= c.n;
        w.ready += c.n;
        w.readyOn.set(c.node, (w.readyOn.get(c.node) ?? 0) + c.n);
      }
    }
    for (const w of this.workloads) this.reconcile(w, now);
    this.schedule(now);
  }

  /** The ReplicaSet controller: create missing pods (pending), delete surplus ones. */
  reconcile(w: Workload, now: number): void {
    const diff = w.replicas - w.existing;
    if (diff === 0) return;
    this.touch(now);
    if (diff > 0) w.pending += diff;
    else this.deletePods(w, -diff, now);
  }

  /** Pending pods first, then starting ones (newest first), then ready ones on the newest nodes. */
  private deletePods(w: Workload, n: number, now: number): void {
    const p = Math.min(n, w.pending);
    w.pending -= p;
    n -= p;
    while (n > 0 && w.starting.length) {
      const c = w.starting.at(-1)!;
      const k = Math.min(n, c.n);
      c.n -= k;
      w.startingCount -= k;
      c.node?.unbind(w, k, now);
      if (c.n === 0) w.starting.pop();
      n -= k;
    }
    for (let i = this.nodes.length - 1; i >= -1 && n > 0; i--) {
      const node = i >= 0 ? this.nodes[i] : undefined;
      const here = w.readyOn.get(node) ?? 0;
      if (here === 0) continue;
      const k = Math.min(n, here);
      this.removeReady(w, node, k, now);
      n -= k;
    }
  }

  private removeReady(w: Workload, node: Node | undefined, k: number, now: number): void {
    const left = (w.readyOn.get(node) ?? 0) - k;
    if (left > 0) w.readyOn.set(node, left);
    else w.readyOn.delete(node);
    w.ready -= k;
    node?.unbind(w, k, now);
  }

  private startOn(w: Workload, node: Node | undefined, k: number, readyAt: number, now: number): void {
    node?.bind(w, k, now);
    this.touch(now);
    w.pending -= k;
    w.startingCount += k;
    // Kept sorted by readyAt: usually appended (constant start-up), preemption adds a little.
    let i = w.starting.length;
    while (i > 0 && w.starting[i - 1]!.readyAt > readyAt) i--;
    const prev = w.starting[i - 1];
    if (prev && prev.readyAt === readyAt && prev.node === node) prev.n += k;
    else w.starting.splice(i, 0, { readyAt, node, n: k });
  }

  /** The scheduler: bind pending pods first-fit on ready nodes, preempting lower priorities. */
  schedule(now: number): void {
    for (const w of this.workloads) {
      if (w.pending === 0) continue;
      if (this.unlimited) {
        this.startOn(w, undefined, w.pending, now + w.startupMs, now);
        continue;
      }
      for (const node of this.nodes) {
        if (w.pending === 0) break;
        if (!node.ready) continue;
        const k = Math.min(w.pending, node.fits(w.shape));
        if (k > 0) this.startOn(w, node, k, now + w.startupMs, now);
      }
      if (w.pending > 0) this.preempt(w, now);
    }
  }

  /** Evict lower-priority pods where that makes room; the preempting pods start after their grace period. */
  private preempt(w: Workload, now: number): void {
    for (const node of this.nodes) {
      if (w.pending === 0) return;
      if (!node.ready) continue;
      for (const [victim, count] of node.bound) {
        if (victim.priority >= w.priority || w.pending === 0) continue;
        // Evict only as many as needed for the pods still pending.
        let evict = 0;
        while (evict < count && node.fits(w.shape) < w.pending) {
          this.evictOne(victim, node, now);
          evict++;
        }
        this.preemptions += evict;
        const k = Math.min(w.pending, node.fits(w.shape));
        if (k > 0) this.startOn(w, node, k, now + this.preemptionMs + w.startupMs, now);
      }
    }
  }

  private evictOne(w: Workload, node: Node, now: number): void {
    const readyHere = w.readyOn.get(node) ?? 0;
    if (readyHere > 0) this.removeReady(w, node, 1, now);
    else {
      const c = w.starting.findLast((x) => x.node === node)!;
      c.n--;
      w.startingCount--;
      node.unbind(w, 1, now);
      if (c.n === 0) w.starting.splice(w.starting.indexOf(c), 1);
    }
    // The owner still wants its replicas: the ReplicaSet recreates the pod, pending.
  }

  /** Evicts every pod of a node and deletes it (consolidation, scale-down). */
  removeNode(node: Node, now: number): void {
    if (!node.ready) this.launching--;
    this.touch(now);
    for (const [w, count] of [...node.bound]) {
      for (let i = 0; i < count; i++) this.evictOne(w, node, now);
    }
    this.nodes.splice(this.nodes.indexOf(node), 1);
    for (const w of this.workloads) this.reconcile(w, now);
  }

  /**
   * Pods still pending after this tick's scheduling that the launching nodes will not take:
   * what a provisioner must add nodes for. First-fit into the launching nodes' room, virtually.
   */
  unplacedPending(owner: NodeOwner): { w: Workload; n: number }[] {
    const out: { w: Workload; n: number }[] = [];
    if (!this.workloads.some((w) => w.pending > 0)) return out;
    const rooms = this.nodes.filter((n) => !n.ready && n.owner === owner).map(roomOf);
    for (const w of this.workloads) {
      const left = placeVirtually(rooms, w.shape, w.pending);
      if (left > 0) out.push({ w, n: left });
    }
    return out;
  }

  /** Nodes needed to hold these pods, packed first-fit by decreasing size. */
  nodesFor(pods: { w: Workload; n: number }[]): number {
    const rooms: Room[] = [];
    for (const { w, n } of [...pods].sort((a, b) => b.w.shape.cpuMillis - a.w.shape.cpuMillis)) {
      let left = placeVirtually(rooms, w.shape, n);
      while (left > 0) {
        const fresh = { cpu: this.nodeShape.cpuMillis, mem: this.nodeShape.memoryBytes };
        rooms.push(fresh);
        left = placeVirtually([fresh], w.shape, left);
      }
    }
    return rooms.length;
  }

  /**
   * Whether `node` can be drained for consolidation or scale-down: every pod fits on the other
   * ready nodes, and no workload loses more ready pods at once than its PodDisruptionBudget
   * allows (maxUnavailable, 25 % by default, at least one pod): a drain that would take most of
   * a service down at once is refused by the eviction API in a real cluster.
   */
  canDrain(node: Node): boolean {
    for (const [w, count] of node.bound) {
      if (w.priority < 0) continue;
      if (count > Math.max(1, Math.floor(w.ready * this.pdbMaxUnavailable))) return false;
    }
    const rooms = this.nodes.filter((n) => n !== node && n.ready).map(roomOf);
    for (const [w, count] of node.bound) if (placeVirtually(rooms, w.shape, count) > 0) return false;
    return true;
  }
}

/** A node's free room, for placement that must not change the cluster. */
interface Room {
  cpu: number;
  mem: number;
}

function roomOf(n: Node): Room {
  return { cpu: n.cpuFree, mem: n.memFree };
}

/** Places up to `n` pods first-fit into `rooms` (using their room up); returns how many did not fit. */
function placeVirtually(rooms: Room[], shape: PodShape, n: number): number {
  let left = n;
  for (const r of rooms) {
    if (left === 0) break;
    const k = Math.min(left, Math.floor(r.cpu / shape.cpuMillis), Math.floor(r.mem / shape.memoryBytes));
    if (k <= 0) continue;
    r.cpu -= k * shape.cpuMillis;
    r.mem -= k * shape.memoryBytes;
    left -= k;
  }
  return left;
}
