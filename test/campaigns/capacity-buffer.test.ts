import { describe, expect, it } from 'vitest';
import { campaignIntents } from '../../shared/campaigns/campaigns.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { Actual, Campaign } from '../../shared/domain/types.ts';

/** A cluster with an HPA-scaled API and both kinds of spare node capacity. */
const config = parseConfig(
  JSON.stringify({
    version: 1,
    clusters: { prod: { kubeconfig: { context: 'prod' } } },
    targets: {
      api: {
        kind: 'k8s-hpa',
        cluster: 'prod',
        namespace: 'shop',
        name: 'api',
        bounds: { min: 4, max: 100 },
        pod: { cpu: '1', memory: '2Gi' },
      },
      buffer: {
        kind: 'capacity-buffer',
        cluster: 'prod',
        namespace: 'headroom',
        placeholder: { cpu: '4', memory: '16Gi' },
        bounds: { min: 0, max: 20 },
      },
      placeholders: {
        kind: 'karpenter-headroom',
        cluster: 'prod',
        namespace: 'headroom',
        nodePool: 'default',
        placeholder: { cpu: '4', memory: '16Gi' },
        bounds: { min: 0, max: 20 },
      },
    },
  }),
);
const START = '2031-05-10T18:00:00.000Z';
const campaign: Campaign = {
  name: 'tv-ad',
  start: START,
  durationSeconds: 3600,
  multiplier: 1,
  targets: ['api', 'buffer', 'placeholders'],
  floors: { api: 24 },
  approved: false,
};

/** The floors of the buffer and the placeholders while `running` API pods are ready. */
function floors(running: number) {
  const actuals: Record<string, Actual> = { api: { value: 24, ready: running } };
  const intents = campaignIntents([campaign], {
    config,
    baseline: (t) => (t.id === 'api' ? 4 : 0),
    actuals,
    demand: {},
    now: new Date('2031-05-10T17:50:00Z'),
  });
  const of = (id: string) => intents.find((i) => i.target === id)!;
  return { buffer: of('buffer'), placeholders: of('placeholders') };
}

describe('Campaigns: capacity-buffer', () => {
  it('holds room for the pods a campaign adds before they start', () => {
    // 20 added 1-CPU pods on 4-CPU chunks: 5 chunks.
    const { buffer, placeholders } = floors(4);
    expect(buffer.floor).toBe(5);
    expect(buffer.reason).toContain('5 spare nodes for 20 api pods (buffer chunk 4/16Gi)');
    expect(placeholders.floor).toBe(5);
  });

  it('shrinks as the raised floor starts pods, so their room is not paid twice', () => {
    // 12 of the 20 added pods run: 8 still need room, 2 chunks.
    const { buffer, placeholders } = floors(16);
    expect(buffer.floor).toBe(2);
    expect(buffer.reason).toContain('released to 12 api pods running');
    // Placeholder pods are preempted by the real pods and keep their count.
    expect(placeholders.floor).toBe(5);
    expect(floors(30).buffer.floor).toBe(0);
  });
});
