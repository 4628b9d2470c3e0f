import { describe, expect, it } from 'vitest';
import type { DemandView } from '../../shared/domain/types.ts';
import { predictiveIntents } from '../../shared/forecast/predictive.ts';
import { nasaConfig } from './helpers.ts';

const NOW = Date.parse('2026-03-02T08:00:00Z');
const MIN = 60_000;

/** A per-second demand view: `uppers` one per minute from now. */
function view(uppers: number[], extra: Partial<DemandView> = {}): DemandView {
  return {
    signal: 'traffic',
    stepSeconds: 60,
    quantile: 0.95,
    model: 'test-model',
    points: uppers.map((u, i) => ({ t: NOW + i * MIN, value: u * 0.8, lower: u * 0.5, upper: u })),
    ...extra,
  };
}

describe('Function: predictiveIntents', () => {
  it('floors each interval at ceil(upper / (perUnit x utilisation)) and merges equal neighbours', () => {
    // api: 0.2/s per pod at 70 % -> 0.14/s per pod.
    const intents = predictiveIntents(
      nasaConfig(),
      { traffic: view([0.5, 0.55, 0.56, 1.4, 1.41, 0.1]) },
      new Date(NOW),
    );
    expect(intents.map((i) => [i.floor, i.from, i.until])).toEqual([
      [4, '2026-03-02T08:00:00Z', '2026-03-02T08:03:00Z'],
      [10, '2026-03-02T08:03:00Z', '2026-03-02T08:04:00Z'],
      [11, '2026-03-02T08:04:00Z', '2026-03-02T08:05:00Z'],
      [1, '2026-03-02T08:05:00Z', '2026-03-02T08:06:00Z'],
    ]);
    for (const i of intents) {
      expect(i.target).toBe('api');
      expect(i.source).toEqual({ kind: 'forecast', ref: 'traffic' });
      expect(i.advisory).toBeUndefined();
    }
    // The reason cites the forecast value, quantile and time that set the floor.
    expect(intents[0]!.reason).toBe(
      'forecast traffic p95 0.56/s at 2026-03-02T08:02:00Z (test-model) needs 4 at 0.2/s per unit and 70% utilisation',
    );
  });

  it('stops at the horizon and ignores intervals already over', () => {
    const uppers = Array.from({ length: 300 }, () => 1);
    const past = view([5, 5], {
      points: [NOW - 2 * MIN, NOW - MIN].map((t) => ({ t, value: 5, lower: 5, upper: 5 })),
    });
    const intents = predictiveIntents(
      nasaConfig(),
      { traffic: { ...view(uppers), points: [...past.points, ...view(uppers).points] } },
      new Date(NOW),
    );
    expect(intents.length).toBe(1);
    expect(intents[0]!.from).toBe('2026-03-02T08:00:00Z');
    // horizon 2h: the last interval starts at 10:00Z.
    expect(intents[0]!.until).toBe('2026-03-02T10:01:00Z');
  });

  it('makes forecast-only intents advisory', () => {
    const intents = predictiveIntents(
      nasaConfig({ mode: 'forecast-only' }),
      { traffic: view([2]) },
      new Date(NOW),
    );
    expect(intents).toHaveLength(1);
    expect(intents[0]!.advisory).toBe(true);
  });

  it("uses each entry's own quantile when the view carries it", () => {
    const config = nasaConfig({ quantiles: [0.95, 0.8] });
    const v = view([3, 3], { upperByQuantile: { '0.8': [1.2, 1.2] } });
    const intents = predictiveIntents(config, { traffic: v }, new Date(NOW));
    const readers = intents.find((i) => i.target === 'readers')!;
    // readers: 0.5/s per replica at 60 % -> 0.3/s: p80 1.2/s needs 4, p95 would need 10.
    expect(readers.floor).toBe(4);
    expect(readers.reason).toContain('traffic p80 1.2/s');
    expect(intents.find((i) => i.target === 'api')!.reason).toContain('traffic p95 3/s');
  });

  it('makes nothing without a forecast for the signal', () => {
    expect(predictiveIntents(nasaConfig(), {}, new Date(NOW))).toEqual([]);
  });
});
