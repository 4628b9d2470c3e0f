/** The nodes and workloads of a simulated cluster (cluster.ts): room, bound pods and their start-up. */

export interface PodShape {
  cpuMillis: number;
  memoryBytes: number;
}

/** Who launched a node: Karpenter (dynamic pools), a node group, or a static Karpenter NodePool. */
export type NodeOwner = 'karpenter' | 'nodegroup' | 'static';

interface Cohort {
  readyAt: number;
  node: Node | undefined;
  n: number;
}

export class Node {
  readonly id: number;
  readonly owner: NodeOwner;
  readonly launchedAt: number;
  readonly readyAt: number;
  ready = false;
  cpuFree: number;
  memFree: number;
  readonly allocatable: PodShape;
  /** Pods bound here per workload (starting and ready). */
  readonly bound = new Map<Workload, number>();
  podCount = 0;
  /** Last time a pod was bound or removed (Karpenter's consolidateAfter counts from it). */
  lastPodChange: number;

  constructor(id: number, owner: NodeOwner, shape: PodShape, launchedAt: number, readyAt: number) {
    this.id = id;
    this.owner = owner;
    this.allocatable = shape;
    this.cpuFree = shape.cpuMillis;
    this.memFree = shape.memoryBytes;
    this.launchedAt = launchedAt;
    this.readyAt = readyAt;
    this.lastPodChange = launchedAt;
  }

  /** How many pods of this shape fit in the free room. */
  fits(shape: PodShape): number {
    return Math.max(
      0,
      Math.min(Math.floor(this.cpuFree / shape.cpuMillis), Math.floor(this.memFree / shape.memoryBytes)),
    );
  }

  bind(w: Workload, n: number, now: number): void {
    this.bound.set(w, (this.bound.get(w) ?? 0) + n);
    this.podCount += n;
    this.cpuFree -= n * w.shape.cpuMillis;
    this.memFree -= n * w.shape.memoryBytes;
    this.lastPodChange = now;
  }

  unbind(w: Workload, n: number, now: number): void {
    const left = (this.bound.get(w) ?? 0) - n;
    if (left > 0) this.bound.set(w, left);
    else this.bound.delete(w);
    this.podCount -= n;
    this.cpuFree += n * w.shape.cpuMillis;
    this.memFree += n * w.shape.memoryBytes;
    this.lastPodChange = now;
  }

  /** Fraction of allocatable CPU requested by bound pods. */
  get utilization(): number {
    return 1 - this.cpuFree / this.allocatable.cpuMillis;
  }
}

export class Workload {
  readonly id: string;
  readonly shape: PodShape;
  /** Pod priority: real workloads 0, placeholders -1 (preemptible). */
  readonly priority: number;
  readonly startupMs: number;
  /** The replica count the owner (HPA, KEDA, Headroom) asks for. */
  replicas: number;
  pending = 0;
  readonly starting: Cohort[] = [];
  startingCount = 0;
  ready = 0;
  /** Ready pods per node, for deletions (newest nodes first). */
  readonly readyOn = new Map<Node | undefined, number>();

  constructor(id: string, shape: PodShape, priority: number, startupSeconds: number, replicas: number) {
    this.id = id;
    this.shape = shape;
    this.priority = priority;
    this.startupMs = startupSeconds * 1000;
    this.replicas = replicas;
  }

  get existing(): number {
    return this.pending + this.startingCount + this.ready;
  }
}
