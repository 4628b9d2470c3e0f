import { describe, expect, it } from 'vitest';
import { Brain } from '../../shared/app/brain.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { ManualClock } from '../../shared/ports/clock.ts';
import { MemoryNotifier } from '../../shared/ports/notifier.ts';
import { SimCloud } from '../../shared/sim/cloud.ts';
import { CurveDemandProvider } from '../../shared/sim/demand.ts';
import { MemoryStateStore } from '../../shared/sim/memory-store.ts';
import { Repo } from '../../shared/state/repo.ts';

const START = Date.parse('2031-03-14T19:00:00Z');
const config = parseConfig(`version: 1
clusters: { prod: { eksCluster: shop-prod, region: eu-central-1 } }
targets:
  api:
    kind: k8s-hpa
    cluster: prod
    namespace: shop
    name: api
    pod: { cpu: "1", memory: 2Gi }
    bounds: { min: 4, max: 100 }
    maxStepPercent: 1000
  buffer:
    kind: capacity-buffer
    cluster: prod
    namespace: headroom
    placeholder: { cpu: "4", memory: 16Gi }
    bounds: { min: 0, max: 20 }
    maxStepPercent: 1000
    cooldown: 1m
  reserved:
    kind: karpenter-static-nodepool
    cluster: prod
    nodePool: reserved
    bounds: { min: 2, max: 12 }
  warm:
    kind: eks-nodegroup
    cluster: prod
    nodegroup: workers
    warmPool: { poolState: STOPPED, maxGroupPreparedCapacity: 30 }
    bounds: { min: 0, max: 10 }
campaigns:
  - name: launch
    start: 2031-03-14T19:00:00Z
    duration: 1h
    multiplier: 1
    targets: [api, buffer, reserved, warm]
    floors: { api: 24, reserved: 6, warm: 5 }
`);

describe('Campaign on the simulated cloud: capacity-buffer, static NodePool and warm pool', () => {
  it('holds room before the pods, hands it over as they start, and has every primitive ready at the start', async () => {
    const clock = new ManualClock(START - 30 * 60_000);
    const sim = new SimCloud(config, { clock });
    const repo = new Repo(new MemoryStateStore());
    const brain = new Brain({
      config,
      repo,
      actuators: sim.registry,
      clock,
      notifier: new MemoryNotifier(),
      demand: new CurveDemandProvider(sim),
      owner: 'test',
    });
    const samples: { t: number; api: number; buffer: number }[] = [];
    let atStart: Record<string, number> = {};
    for (let t = START - 30 * 60_000; t <= START + 2 * 3600_000; t += 30_000) {
      clock.set(t);
      await brain.reconcile();
      samples.push({ t, api: sim.ready('api'), buffer: sim.value('buffer') });
      if (t === START)
        atStart = Object.fromEntries(['api', 'buffer', 'reserved', 'warm'].map((id) => [id, sim.ready(id)]));
    }
    // The buffer held 5 chunks (20 added 1-CPU pods on 4-CPU chunks) before the API floor rose...
    const full = samples.find((x) => x.buffer === 5)!;
    expect(full.t).toBeLessThan(START);
    expect(samples.find((x) => x.api > 4)!.t).toBeGreaterThan(full.t);
    // ...and handed the room over as the raised floor started the pods: not paid twice at the start.
    expect(atStart).toEqual({ api: 24, buffer: 0, reserved: 6, warm: 5 });
    const released = (await repo.store.listAudit())
      .reverse()
      .filter((e) => e.target === 'buffer' && e.action === 'step-executed' && Date.parse(e.at) <= START);
    // Audited as it happened: up to 5 in two steps, down in two once the pods ran.
    expect(released.map((e) => (e.after as { replicas: number }).replicas)).toEqual([1, 5, 1, 0]);
    // After the campaign and the scale-down delay everything is back where Headroom found it.
    expect(['api', 'buffer', 'reserved', 'warm'].map((id) => sim.value(id))).toEqual([4, 0, 2, 0]);
  });
});
