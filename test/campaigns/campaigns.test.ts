import { describe, expect, it } from 'vitest';
import { activeCampaignsFor, campaignEnd, campaignPhases } from '../../shared/campaigns/campaigns.ts';
import type { Campaign } from '../../shared/domain/types.ts';
import { exampleConfig } from '../helpers/example.ts';

const config = exampleConfig();
const START = '2031-05-10T18:00:00.000Z';
const campaign = (extra: Partial<Campaign> = {}): Campaign => ({
  ...config.campaigns[0]!,
  name: 'tv-ad',
  start: START,
  durationSeconds: 2 * 3600,
  targets: ['api', 'db'],
  ...extra,
});

describe('campaigns', () => {
  it('ends its duration after its start', () => {
    expect(campaignEnd(campaign())).toBe(Date.parse(START) + 2 * 3600_000);
  });

  it('is active for a target from its start until its end, and never once cancelled', () => {
    const c = campaign();
    const at = (minutes: number) => Date.parse(START) + minutes * 60_000;
    expect(activeCampaignsFor([c], 'api', at(-1))).toEqual([]);
    expect(activeCampaignsFor([c], 'api', at(0))).toEqual([c]);
    expect(activeCampaignsFor([c], 'api', at(119))).toEqual([c]);
    expect(activeCampaignsFor([c], 'api', at(120))).toEqual([]);
    expect(activeCampaignsFor([c], 'cache', at(10))).toEqual([]);
    expect(activeCampaignsFor([{ ...c, cancelled: true }], 'api', at(10))).toEqual([]);
  });

  it('has a phase when each target must start to rise (lead time + margin), the start, the end and each release', () => {
    const phases = campaignPhases(config, campaign());
    const db = config.targets.find((t) => t.id === 'db')!;
    const api = config.targets.find((t) => t.id === 'api')!;
    const start = Date.parse(START);
    const end = start + 2 * 3600_000;
    const at = (phase: string) => phases.find((p) => p.phase === phase)?.at.getTime();
    expect(at('raise-db')).toBe(start - (db.leadTimeSeconds + db.marginSeconds) * 1000);
    expect(at('raise-api')).toBe(start - (api.leadTimeSeconds + api.marginSeconds) * 1000);
    expect(at('start')).toBe(start);
    expect(at('end')).toBe(end);
    // One schedule per instant: api and db release together, one reconcile releases both.
    const releases = phases.filter((p) => p.phase.startsWith('release-'));
    expect(releases.map((p) => p.at.getTime())).toEqual([end + api.scaleDownDelaySeconds * 1000]);
    expect(phases.map((p) => p.at.getTime())).toEqual(
      [...phases.map((p) => p.at.getTime())].sort((a, b) => a - b),
    );
    expect(phases.every((p) => p.name.startsWith('headroom-tv-ad-') && p.name.length <= 64)).toBe(true);
  });
});
