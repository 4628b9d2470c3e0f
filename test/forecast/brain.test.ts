import { describe, expect, it } from 'vitest';
import { Brain } from '../../shared/app/brain.ts';
import type { Config } from '../../shared/config/types.ts';
import { predictiveIntents } from '../../shared/forecast/predictive.ts';
import { ForecastDemandProvider } from '../../shared/forecast/provider.ts';
import { planJson } from '../../shared/planner/format.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';
import { nasaConfig, TraceSource } from './helpers.ts';

const MIN = 60_000;
const DAY_START = Date.parse('1995-07-20T06:00:00Z');
const DAY_END = Date.parse('1995-07-21T04:00:00Z');

/** The real brain on the simulated cloud, with forecasts from the NASA trace as it happened. */
function forecastBrain(config: Config, at: number, source = new TraceSource()) {
  const clock = new ManualClock(at);
  const sim = new SimCloud(config, { clock });
  const store = new MemoryStateStore();
  const demand = new ForecastDemandProvider({ metrics: source });
  const brain = new Brain({
    config,
    repo: new Repo(store),
    actuators: sim.registry,
    clock,
    notifier: new MemoryNotifier(),
    demand,
    predictive: predictiveIntents,
    owner: 'test',
  });
  return { brain, clock, sim, store, source, demand };
}

/** Demand per second at minute t (the trace counts per minute), if the trace has the row. */
function demandAt(source: TraceSource, t: number): number | undefined {
  const i = source.series.t.indexOf(t);
  return i < 0 ? undefined : source.series.v[i]! / 60;
}

describe('Function: reconcile with predictive floors from the forecast', () => {
  it('raises the HPA floor ahead of the daily peak, explains each step and releases it at night', async () => {
    const config = nasaConfig();
    const { brain, clock, sim, store, source } = forecastBrain(config, DAY_START);
    const perPod = 0.2 * 0.7;
    let covered = 0;
    let minutes = 0;
    let peak = 0;
    for (let t = DAY_START; t <= DAY_END; t += MIN) {
      clock.set(t);
      await brain.reconcile();
      peak = Math.max(peak, sim.value('api'));
      const d = demandAt(source, t);
      if (d === undefined) continue;
      minutes++;
      if (sim.ready('api') * perPod >= d) covered++;
    }
    // Ready pods (after the 90 s lead time) served the demand of the minute nearly always.
    expect(covered / minutes).toBeGreaterThan(0.9);
    expect(peak).toBeGreaterThanOrEqual(8);
    // Released as the forecast falls at night.
    expect(sim.value('api')).toBeLessThan(peak / 2);
    const steps = (await store.listAudit()).filter((e) => e.action === 'step-executed' && e.target === 'api');
    expect(
      steps.some(
        (e) =>
          (e.after as { minReplicas: number }).minReplicas >
          (e.before as { minReplicas: number }).minReplicas,
      ),
    ).toBe(true);
    for (const e of steps.filter((s) => s.reason.startsWith('forecast'))) {
      expect(e.reason).toMatch(
        /^forecast traffic p95 [\d.]+\/s at 1995-07-2[01]T\d\d:\d\d:00Z \(seasonal-profile: .*?\) needs \d+ at 0\.2\/s per unit and 70% utilisation/,
      );
    }
    expect(steps.filter((s) => s.reason.startsWith('forecast')).length).toBeGreaterThan(3);
  });

  it('never changes a forecast-only target, and the plan and the audit log say what it would do', async () => {
    const config = nasaConfig({ mode: 'forecast-only' });
    const { brain, clock, sim, store } = forecastBrain(config, DAY_START);
    const initial = sim.value('api');
    let advised = false;
    for (let t = DAY_START; t <= DAY_END; t += 5 * MIN) {
      clock.set(t);
      const { plan } = await brain.reconcile();
      expect(sim.value('api')).toBe(initial);
      const api = planJson(plan).targets.find((x) => x.id === 'api')!;
      if (
        api.reasons.some((r) =>
          /^forecast-only \(not applied\): would raise to \d+: forecast traffic p95/.test(r),
        )
      )
        advised = true;
    }
    expect(advised).toBe(true);
    expect(sim.calls.filter((c) => c.target === 'api')).toEqual([]);
    const audit = (await store.listAudit()).filter((e) => e.target === 'api');
    expect(audit.filter((e) => e.action === 'step-executed' || e.action === 'step-failed')).toEqual([]);
    // What it would have done is recorded, with the forecast that said so.
    const advice = audit.filter((e) => e.action === 'step-dry-run');
    expect(advice.length).toBeGreaterThan(2);
    for (const e of advice) {
      expect(e.reason).toMatch(/^forecast-only \(not applied\): would raise to \d+: forecast traffic p95 /);
      expect(e.before).toEqual({ minReplicas: initial });
      expect((e.after as { minReplicas: number }).minReplicas).toBeGreaterThan(initial);
    }
  });

  it('sizes a campaign from the forecast without the campaign, and its own surge does not compound', async () => {
    const campaign = `campaigns:
  - { name: launch, start: "1995-07-20T18:00:00Z", duration: 2h, multiplier: 3, targets: [api] }`;
    const config = nasaConfig({ extra: campaign });
    // The campaign works better than planned: traffic is five times the usual while it runs.
    const surge = new TraceSource();
    const start = Date.parse('1995-07-20T18:00:00Z');
    surge.series.v.forEach((v, i) => {
      const t = surge.series.t[i]!;
      if (t >= start && t < start + 2 * 3600_000) surge.series.v[i] = v * 5;
    });
    const before = Date.parse('1995-07-20T17:00:00Z');
    const { brain, demand } = forecastBrain(config, before, surge);
    const floorAt = async (t: number) => {
      const intents = await brain.allIntents(new Date(t), await brain.readActuals());
      return intents.find((i) => i.campaign === 'launch')!;
    };
    const ahead = await floorAt(before);
    // multiplier x the highest p95 forecast in the window / (perUnit x utilisation).
    const view = (await demand.demand(config, new Date(before), new Date(start + 2 * 3600_000))).traffic!;
    const peak = Math.max(
      ...view.points.filter((p) => p.t >= start && p.t < start + 2 * 3600_000).map((p) => p.upper),
    );
    expect(ahead.floor).toBe(Math.ceil((3 * peak) / 0.14 - 1e-9));
    expect(ahead.floor).toBeLessThan(80);
    expect(ahead.reason).toMatch(
      /^campaign launch x3 starts 1995-07-20T18:00:00Z \(lead time 90s\): x3 forecast traffic p95 /,
    );

    // 45 minutes into the surge the campaign floor still comes from demand without the campaign.
    const during = await floorAt(start + 45 * MIN);
    expect(during.floor).toBeGreaterThanOrEqual(Math.floor(0.8 * ahead.floor));
    expect(during.floor).toBeLessThanOrEqual(Math.ceil(1.25 * ahead.floor));
    // Had the surge been taken as baseline, the forecast for the window would have compounded.
    const naive = new ForecastDemandProvider({ metrics: surge });
    const polluted = (await naive.demand(config, new Date(start + 45 * MIN), new Date(start + 2 * 3600_000)))
      .traffic!;
    const pollutedPeak = Math.max(
      ...polluted.points.filter((p) => p.t < start + 2 * 3600_000).map((p) => p.upper),
    );
    expect(pollutedPeak).toBeGreaterThan(2 * peak);
  });
});
