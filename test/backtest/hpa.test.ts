import { describe, expect, it } from 'vitest';
import { HpaController, type ResourceObservation } from '../../shared/backtest/world/hpa.ts';
import { KedaScaler } from '../../shared/backtest/world/keda.ts';
import { DEFAULT_HPA, resolveSimSettings } from '../../shared/config/sim-settings.ts';

const T0 = Date.parse('2026-01-05T10:00:00Z');
const SYNC = 15_000;

/** All pods ready and sampled: utilisation = load / replicas (one pod serves 1 unit at 100 %). */
function allReady(replicas: number, load: number): ResourceObservation {
  return { kind: 'resource', withMetrics: replicas, missing: 0, notReady: 0, utilization: load / replicas };
}

/** Runs the controller every 15 s from `from` to `to`, with the load a script gives; returns the replicas after each sync. */
function drive(hpa: HpaController, start: number, from: number, to: number, load: (t: number) => number) {
  let replicas = start;
  const out: { t: number; replicas: number }[] = [];
  for (let t = from; t <= to; t += SYNC) {
    replicas = hpa.sync(t, replicas, allReady(replicas, load(t)));
    out.push({ t, replicas });
  }
  return out;
}

describe('Function: HpaController (the Kubernetes HPA v2 algorithm with default behavior)', () => {
  it('follows a step in load at the documented rate: max(4 pods, 100 %) per 15 s, no stabilization up', () => {
    const hpa = new HpaController({ minReplicas: 2, maxReplicas: 100, target: 0.7 }, DEFAULT_HPA);
    // 10 pods at 70 %: steady. At T0 the load triples (util 2.1, ratio 3 -> 30 pods wanted).
    const before = drive(hpa, 10, T0 - 10 * SYNC, T0 - SYNC, () => 7);
    expect(before.every((s) => s.replicas === 10)).toBe(true);
    const after = drive(hpa, 10, T0, T0 + 4 * SYNC, () => 21);
    // 10 -> 20 (100 % beats +4), then 20 -> 30 (wanted 30, limit 40), then stable at 70 %.
    expect(after.map((s) => s.replicas)).toEqual([20, 30, 30, 30, 30]);
  });

  it('grows a small deployment by 4 pods per period where 100 % would be less', () => {
    const hpa = new HpaController({ minReplicas: 1, maxReplicas: 100, target: 0.7 }, DEFAULT_HPA);
    const steps = drive(hpa, 2, T0, T0 + 2 * SYNC, () => 100);
    expect(steps.map((s) => s.replicas)).toEqual([6, 12, 24]);
  });

  it('changes nothing while load flaps within the 10 % tolerance', () => {
    const hpa = new HpaController({ minReplicas: 2, maxReplicas: 100, target: 0.7 }, DEFAULT_HPA);
    // Utilisation alternates 0.64 and 0.76 on 20 pods: ratios 0.914 and 1.086.
    const steps = drive(hpa, 20, T0, T0 + 60 * SYNC, (t) => (((t - T0) / SYNC) % 2 === 0 ? 12.8 : 15.2));
    expect(new Set(steps.map((s) => s.replicas))).toEqual(new Set([20]));
    expect(hpa.changes).toBe(0);
  });

  it('scales down only when the 300 s stabilization window holds no higher recommendation', () => {
    const hpa = new HpaController({ minReplicas: 2, maxReplicas: 100, target: 0.7 }, DEFAULT_HPA);
    drive(hpa, 20, T0 - 20 * SYNC, T0 - SYNC, () => 14); // 20 pods at 70 %: recommendation 20
    const after = drive(hpa, 20, T0, T0 + 25 * SYNC, () => 7); // load halves: recommendation 10
    const firstDown = after.find((s) => s.replicas < 20)!;
    // The last recommendation of 20 was made at T0 - 15 s; it leaves the window 300 s later.
    expect(firstDown.t - T0).toBe(285_000);
    expect(firstDown.replicas).toBe(10);
    expect(after.filter((s) => s.t < firstDown.t).every((s) => s.replicas === 20)).toBe(true);
  });

  it('sets not-ready pods aside: starting pods are neither killed nor counted as idle capacity', () => {
    const hpa = new HpaController({ minReplicas: 2, maxReplicas: 100, target: 0.7 }, DEFAULT_HPA);
    // 20 pods, 10 of them still starting; the 10 ready ones run at 84 % (ratio 1.2).
    // Counting only ready pods would ask for ceil(1.2 x 10) = 12 and drop the starting ones;
    // with the starting pods at 0 % the ratio is 0.6, which reverses the direction: no change.
    const obs: ResourceObservation = {
      kind: 'resource',
      withMetrics: 10,
      missing: 0,
      notReady: 10,
      utilization: 0.84,
    };
    expect(hpa.sync(T0, 20, obs)).toBe(20);
    // A real overload still scales up, dampened by the starting pods counted at 0 %:
    // 10 ready at 210 %, 2 starting: ratio 2.1 x 10 / (12 x 0.7) = 2.5 -> 30, limited to 24.
    const hpa2 = new HpaController({ minReplicas: 2, maxReplicas: 100, target: 0.7 }, DEFAULT_HPA);
    expect(
      hpa2.sync(T0, 12, { kind: 'resource', withMetrics: 10, missing: 0, notReady: 2, utilization: 2.1 }),
    ).toBe(24);
  });

  it('counts ready pods without a sample at 100 % of target when scaling down', () => {
    const hpa = new HpaController({ minReplicas: 1, maxReplicas: 100, target: 0.5 }, DEFAULT_HPA);
    // 4 sampled pods at 25 % (ratio 0.5 -> 2) and 4 ready pods not yet sampled: (0.25x4 + 0.5x4) / (8x0.5) = 0.75 -> 6.
    expect(
      hpa.recommend(8, { kind: 'resource', withMetrics: 4, missing: 4, notReady: 0, utilization: 0.25 }),
    ).toBe(6);
  });

  it('goes straight to a raised minReplicas, without rate limits (how Headroom pre-scales)', () => {
    const hpa = new HpaController({ minReplicas: 2, maxReplicas: 500, target: 0.7 }, DEFAULT_HPA);
    expect(hpa.sync(T0, 5, allReady(5, 3.5))).toBe(5);
    hpa.minReplicas = 150;
    expect(hpa.sync(T0 + SYNC, 5, allReady(5, 3.5))).toBe(150);
    // Lowering the floor hands control back: the metric decides, after the stabilization window.
    hpa.minReplicas = 2;
    const steps = drive(hpa, 150, T0 + 2 * SYNC, T0 + 30 * SYNC, () => 3.5);
    expect(steps.at(-1)!.replicas).toBe(5);
  });

  it('clamps to maxReplicas', () => {
    const hpa = new HpaController({ minReplicas: 2, maxReplicas: 30, target: 0.7 }, DEFAULT_HPA);
    const steps = drive(hpa, 20, T0, T0 + 4 * SYNC, () => 100);
    expect(Math.max(...steps.map((s) => s.replicas))).toBe(30);
  });

  it('applies behaviour overrides from the backtest section', () => {
    const settings = resolveSimSettings({ hpa: { scaleDown: { stabilizationWindow: 60 }, tolerance: 0.05 } });
    expect(settings.hpa.scaleDown.stabilizationWindowSeconds).toBe(60);
    const hpa = new HpaController({ minReplicas: 2, maxReplicas: 100, target: 0.7 }, settings.hpa);
    drive(hpa, 20, T0 - 10 * SYNC, T0 - SYNC, () => 14);
    const after = drive(hpa, 20, T0, T0 + 10 * SYNC, () => 7);
    expect(after.find((s) => s.replicas < 20)!.t - T0).toBe(45_000);
  });
});

describe('Function: KedaScaler (an HPA on an External metric, plus activation)', () => {
  const keda = () => resolveSimSettings(undefined).keda;

  it('asks for total / target-per-pod replicas, including pods that are not ready', () => {
    const s = new KedaScaler(
      { minReplicaCount: 1, maxReplicaCount: 100, targetPerPod: 70 },
      DEFAULT_HPA,
      keda(),
    );
    // 1,400 req/s at 70 per pod: 20 pods, reached at the HPA's rate from 10.
    expect(s.step(T0, 10, 1400)).toBe(20);
    // Within the 10 % tolerance: no change.
    expect(s.step(T0 + SYNC, 20, 1450)).toBe(20);
  });

  it('scales to zero after the cooldown period without activity, and activates again', () => {
    const s = new KedaScaler(
      { minReplicaCount: 0, maxReplicaCount: 100, targetPerPod: 70 },
      DEFAULT_HPA,
      keda(),
    );
    let replicas = 3;
    const seen: { t: number; replicas: number }[] = [];
    for (let t = T0; t <= T0 + 400_000; t += 5000) {
      const value = t < T0 + 30_000 ? 140 : 0;
      replicas = s.step(t, replicas, value);
      seen.push({ t, replicas });
    }
    const zero = seen.find((x) => x.replicas === 0)!;
    // KEDA polls every 30 s: the poll at T0 saw traffic, the one at T0 + 30 s none; zero after 300 s.
    expect(zero.t - T0).toBe(300_000);
    expect(seen.filter((x) => x.t < zero.t).every((x) => x.replicas > 0)).toBe(true);
    // Traffic again: the next poll (T0 + 420 s) activates the workload at 1 replica.
    let t = T0 + 405_000;
    while (replicas === 0 && t < T0 + 500_000) {
      replicas = s.step(t, replicas, 70);
      t += 5000;
    }
    expect(replicas).toBe(1);
    expect(t - 5000 - T0).toBe(420_000);
  });
});
