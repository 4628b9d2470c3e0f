import type { SimSettings } from '../../config/backtest.ts';
import type { Config } from '../../config/types.ts';
import { parseCpuMillis, parseMemoryBytes } from '../../domain/duration.ts';
import type { CapacityModel, Target } from '../../domain/types.ts';
import { kindOf, worldRoleOf } from '../../kinds/index.ts';
import { TargetTrackingGroup } from './autoscaling-group.ts';
import { Cluster } from './cluster.ts';
import { HpaController } from './hpa.ts';
import { Karpenter } from './karpenter.ts';
import { KedaScaler } from './keda.ts';
import { ManagedResource } from './managed.ts';
import { NodeGroup } from './nodegroup.ts';
import { type NodeOwner, Workload } from './pods.ts';
import { StaticPool } from './static-pool.ts';

/** A pod workload target (HPA, KEDA, Deployment, StatefulSet) in the simulated world. */
export interface SimWorkload {
  target: Target;
  cluster: Cluster;
  workload: Workload;
  hpa?: HpaController;
  keda?: KedaScaler;
  /** The capacity model when it measures the replayed signal: the autoscaler sees that demand. */
  capacity?: CapacityModel;
  /** Ready pods per tick, a ring as long as the metrics delay: what metrics-server saw then. */
  readyRing: Int32Array;
}

/** Headroom's placeholder pods (karpenter-headroom) and the NodePool they keep warm. */
export interface SimPlaceholders {
  target: Target;
  cluster: Cluster;
  workload: Workload;
  karpenter?: Karpenter;
}

export interface WorldOptions {
  config: Config;
  settings: SimSettings;
  /** The replayed signal: capacity models on it get the trace's demand. */
  signal: string;
  /** Demand per second at an instant (epoch ms). */
  demand: (t: number) => number;
  start: number;
}

/** The initial value of a target: its configured baseline, else its lower bound. */
export function initialValue(t: Target): number {
  return t.baseline ?? t.bounds.min;
}

/** Replicas a capacity model's autoscaler settles at for a demand, within the bounds. */
export function steadyReplicas(t: Target, c: CapacityModel, perSecond: number, floor: number): number {
  const need = Math.ceil(perSecond / (c.perUnit * c.targetUtilization) - 1e-9);
  return Math.min(t.bounds.max, Math.max(floor, need));
}

/**
 * Every target of a config as a simulated resource: pod workloads with their HPA or KEDA in
 * clusters provisioned by Karpenter (default) or a managed node group, placeholder pods, and
 * AWS-managed resources. `step` advances everything by one tick; the actuators
 * (`actuators.ts`) are how Headroom changes it, exactly where it would in a real cluster.
 */
export class World {
  readonly settings: SimSettings;
  readonly clusters = new Map<string, Cluster>();
  readonly karpenters = new Map<string, Karpenter>();
  readonly workloads = new Map<string, SimWorkload>();
  readonly placeholders = new Map<string, SimPlaceholders>();
  readonly nodegroups = new Map<string, NodeGroup>();
  /** Warm-pool targets and the node group whose warm pool they size. */
  readonly warmPools = new Map<string, NodeGroup>();
  readonly staticPools = new Map<string, StaticPool>();
  readonly managed = new Map<string, ManagedResource>();
  /** Auto Scaling groups whose target tracking policy follows the replayed signal. */
  readonly autoScalingGroups = new Map<string, TargetTrackingGroup>();
  private readonly demand: (t: number) => number;
  private readonly tickMs: number;
  private readonly delayTicks: number;
  private tickIndex = 0;

  constructor(opts: WorldOptions) {
    const { config, settings } = opts;
    this.settings = settings;
    this.demand = opts.demand;
    this.tickMs = settings.tickSeconds * 1000;
    this.delayTicks = Math.max(0, Math.round(settings.hpa.metricsDelaySeconds / settings.tickSeconds));
    const d0 = opts.demand(opts.start);
    const owner = new Map<string, NodeOwner | 'none'>();

    for (const t of config.targets) {
      const kind = kindOf(t);
      const world = worldRoleOf(t);
      const capacity = t.capacity?.signal === opts.signal ? t.capacity : undefined;
      if (world.role === 'managed' && world.autoscaler === 'target-tracking' && capacity) {
        const spec = {
          minSize: initialValue(t),
          maxSize: t.bounds.max,
          perUnit: capacity.perUnit,
          target: capacity.targetUtilization,
          leadSeconds: settings.leadTimeSeconds(t),
        };
        this.autoScalingGroups.set(
          t.id,
          new TargetTrackingGroup(steadyReplicas(t, capacity, d0, spec.minSize), spec),
        );
        continue;
      }
      if (world.role === 'managed') {
        this.managed.set(
          t.id,
          new ManagedResource(initialValue(t), {
            exclusive: kind.exclusive,
            ladder: t.scale === 'ladder',
            minIntervalSeconds: kind.minChangeIntervalSeconds,
          }),
        );
        continue;
      }
      const cluster = this.cluster(t.cluster!, config, settings, owner);
      if (world.role === 'node-group' || world.role === 'warm-pool') continue;
      if (world.role === 'static-nodes') {
        const nodes = settings.karpenter.nodeStartupSeconds;
        this.staticPools.set(t.id, new StaticPool(cluster, nodes, initialValue(t), opts.start));
        continue;
      }
      if (world.role === 'node-headroom') {
        const shape = kind.unitResources!(t.spec).resources;
        // A pause container: it is running a few seconds after it is bound.
        const workload = new Workload(t.id, shape, -1, 5, initialValue(t));
        cluster.addWorkload(workload);
        this.placeholders.set(t.id, { target: t, cluster, workload });
        continue;
      }
      const floor = initialValue(t);
      const replicas =
        capacity && world.autoscaler
          ? steadyReplicas(t, capacity, d0, Math.max(floor, world.autoscaler === 'keda' && d0 > 0 ? 1 : 0))
          : floor;
      const shape = t.podResources ?? {
        cpuMillis: settings.pods.cpuMillis,
        memoryBytes: settings.pods.memoryBytes,
      };
      const workload = new Workload(t.id, shape, 0, settings.pods.startupSeconds, replicas);
      cluster.addWorkload(workload);
      const sim: SimWorkload = {
        target: t,
        cluster,
        workload,
        capacity,
        readyRing: new Int32Array(this.delayTicks + 1).fill(replicas),
      };
      const target = capacity?.targetUtilization ?? 0.7;
      if (world.autoscaler === 'hpa')
        sim.hpa = new HpaController({ minReplicas: floor, maxReplicas: t.bounds.max, target }, settings.hpa);
      if (world.autoscaler === 'keda')
        sim.keda = new KedaScaler(
          {
            minReplicaCount: floor,
            maxReplicaCount: t.bounds.max,
            targetPerPod: capacity ? capacity.perUnit * capacity.targetUtilization : 1,
          },
          settings.hpa,
          settings.keda,
        );
      this.workloads.set(t.id, sim);
    }

    for (const [id, cluster] of this.clusters) {
      const o = owner.get(id)!;
      cluster.placeInitial(opts.start, o === 'nodegroup' ? 'nodegroup' : 'karpenter');
      if (o === 'karpenter') this.karpenters.set(id, new Karpenter(cluster, settings.karpenter));
    }
    for (const t of config.targets) {
      if (worldRoleOf(t).role !== 'node-group') continue;
      const cluster = this.clusters.get(t.cluster!)!;
      this.nodegroups.set(
        t.id,
        new NodeGroup(cluster, settings.nodegroup, { minSize: initialValue(t), maxSize: t.bounds.max }),
      );
    }
    for (const t of config.targets) {
      if (worldRoleOf(t).role !== 'warm-pool') continue;
      // The warm pool of the cluster's node group (one of its own when none is declared).
      const cluster = this.clusters.get(t.cluster!)!;
      const groupTarget = config.targets.find(
        (g) => g.cluster === t.cluster && worldRoleOf(g).role === 'node-group',
      );
      const group =
        (groupTarget && this.nodegroups.get(groupTarget.id)) ??
        new NodeGroup(cluster, settings.nodegroup, { minSize: 0, maxSize: Number.MAX_SAFE_INTEGER });
      group.warmMin = initialValue(t);
      this.warmPools.set(t.id, group);
    }
    for (const p of this.placeholders.values()) p.karpenter = this.karpenters.get(p.cluster.id);
  }

  private cluster(
    id: string,
    config: Config,
    settings: SimSettings,
    owner: Map<string, NodeOwner | 'none'>,
  ): Cluster {
    let c = this.clusters.get(id);
    if (!c) {
      const hasGroup = config.targets.some(
        (t) => ['node-group', 'warm-pool'].includes(worldRoleOf(t).role) && t.cluster === id,
      );
      const o = settings.nodes.provisioner ?? (hasGroup ? 'nodegroup' : 'karpenter');
      owner.set(id, o);
      c = new Cluster(
        id,
        { cpuMillis: settings.nodes.cpuMillis, memoryBytes: settings.nodes.memoryBytes },
        {
          unlimited: o === 'none',
          preemptionSeconds: settings.pods.preemptionSeconds,
          pdbMaxUnavailable: settings.pods.pdbMaxUnavailable,
        },
      );
      this.clusters.set(id, c);
    }
    return c;
  }

  /** One tick at `now`: autoscalers that are due, then the clusters and their provisioners. */
  step(now: number): void {
    for (const w of this.workloads.values()) {
      if (w.hpa?.due(now)) w.workload.replicas = w.hpa.sync(now, w.workload.replicas, this.observe(w, now));
      else if (w.keda) {
        const value = w.capacity
          ? this.demand(now - this.settings.keda.metricsDelaySeconds * 1000)
          : undefined;
        w.workload.replicas = w.keda.step(now, w.workload.replicas, value);
      }
    }
    for (const [id, cluster] of this.clusters) {
      cluster.step(now);
      this.karpenters.get(id)?.step(now);
    }
    for (const g of this.groups()) g.step(now);
    for (const p of this.staticPools.values()) p.step(now);
    for (const g of this.autoScalingGroups.values()) g.step(now, this.demand);
    this.tickIndex++;
    for (const w of this.workloads.values())
      w.readyRing[this.tickIndex % w.readyRing.length] = w.workload.ready;
  }

  /** Every simulated node group: the declared ones and those only a warm pool names. */
  private groups(): Set<NodeGroup> {
    return new Set([...this.nodegroups.values(), ...this.warmPools.values()]);
  }

  /** What the HPA of a workload sees: the utilisation metrics-server sampled `metricsDelay` ago. */
  private observe(w: SimWorkload, now: number) {
    if (!w.capacity) return undefined;
    const ready = w.workload.ready;
    // The ring holds the last delay+1 ticks; the oldest is the one `delay` ticks before now.
    const readyThen = this.delayTicks === 0 ? ready : w.readyRing[(this.tickIndex + 2) % w.readyRing.length]!;
    const demandThen = this.demand(now - this.delayTicks * this.tickMs);
    const withMetrics = Math.min(readyThen, ready);
    return {
      kind: 'resource' as const,
      withMetrics,
      missing: ready - withMetrics,
      notReady: w.workload.existing - ready,
      utilization: readyThen > 0 ? demandThen / (readyThen * w.capacity.perUnit) : 0,
    };
  }

  /** Units of a target that serve now (ready pods, replicas, tier index). */
  readyUnits(id: string, now: number): number {
    const w = this.workloads.get(id);
    if (w) return w.workload.ready;
    const m = this.managed.get(id);
    if (m) return m.ready(now);
    const asg = this.autoScalingGroups.get(id);
    if (asg) return asg.ready(now);
    const p = this.placeholders.get(id);
    if (p) return p.workload.ready;
    const s = this.staticPools.get(id);
    if (s) return s.readyCount;
    const warm = this.warmPools.get(id);
    if (warm) return warm.warmReady(now);
    return this.nodegroups.get(id)?.readyCount ?? 0;
  }

  /** Units of a target that exist and are paid for (pods created, replicas ordered). */
  provisionedUnits(id: string): number {
    const w = this.workloads.get(id);
    if (w) return w.workload.existing;
    const m = this.managed.get(id);
    if (m) return m.value;
    const asg = this.autoScalingGroups.get(id);
    if (asg) return asg.desired;
    const p = this.placeholders.get(id);
    if (p) return p.workload.existing;
    const s = this.staticPools.get(id);
    if (s) return s.count;
    const warm = this.warmPools.get(id);
    if (warm) return warm.warmMin;
    return this.nodegroups.get(id)?.desired ?? 0;
  }

  /** Nodes that exist (launching or ready) across clusters. */
  nodeCount(): number {
    let n = 0;
    for (const c of this.clusters.values()) if (!c.unlimited) n += c.nodeCount;
    return n;
  }

  /** Replica changes by the autoscalers, node launches and removals. */
  actions(): { replicas: number; nodesLaunched: number; nodesRemoved: number } {
    let replicas = 0;
    for (const w of this.workloads.values()) replicas += (w.hpa?.changes ?? 0) + (w.keda?.totalChanges ?? 0);
    for (const g of this.autoScalingGroups.values()) replicas += g.changes;
    let nodesLaunched = 0;
    let nodesRemoved = 0;
    for (const k of this.karpenters.values()) {
      nodesLaunched += k.launched;
      nodesRemoved += k.removed;
    }
    for (const g of [...this.groups(), ...this.staticPools.values()]) {
      nodesLaunched += g.launched;
      nodesRemoved += g.removed;
    }
    return { replicas, nodesLaunched, nodesRemoved };
  }
}
