import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/load.ts';
import { detectSurge, nextSurgeState, type SurgeSample } from '../../shared/forecast/surge.ts';

const T0 = Date.parse('2026-11-27T20:00:00Z');
const MIN = 60_000;
const SETTINGS = { factor: 3, samples: 3, growth: 3, maxMultiplier: 20 };

/** One sample per minute ending at `now`, demand per second from `values`. */
function samples(values: number[]): { now: number; xs: SurgeSample[] } {
  const now = T0 + values.length * MIN;
  return { now, xs: values.map((v, i) => ({ t: T0 + i * MIN + MIN / 2, perSecond: v })) };
}

describe('Unit: the surge detector against the forecast band', () => {
  it('sees a TV ad one minute in and sizes for the demand projected one lead time ahead', () => {
    const { now, xs } = samples([10, 10, 11, 10, 10, 45]);
    const d = detectSurge(xs, () => 12, SETTINGS, now, 150)!;
    expect(d.trigger).toBe('growth');
    expect(d.observed).toBe(45);
    // 35/s more per minute, extended 3 minutes past the last sample's middle: 45 + 105.
    expect(d.projected).toBeCloseTo(150, 6);
    expect(d.reason).toMatch(
      /^surge: observed 45\.0\/s at 2026-11-27T20:05:30Z is 3\.8x the forecast's upper bound 12\.0\/s/,
    );
  });

  it('caps the projection at maxMultiplier x the upper bound and never projects below the last sample', () => {
    const steep = samples([10, 10, 10, 10, 10, 100]);
    expect(detectSurge(steep.xs, () => 12, SETTINGS, steep.now, 600)!.projected).toBe(240);
    const falling = samples([10, 10, 200, 190, 180]);
    expect(detectSurge(falling.xs, () => 12, SETTINGS, falling.now, 150)!.projected).toBe(180);
  });

  it('a sustained level above factor x the band triggers; one short spike or a daily ramp inside it does not', () => {
    const level = samples([40, 40, 40, 40]);
    expect(detectSurge(level.xs, () => 12, SETTINGS, level.now, 150)?.trigger).toBe('level');
    const spike = samples([10, 12, 10, 11, 30, 10]);
    expect(detectSurge(spike.xs, () => 12, SETTINGS, spike.now, 150)).toBeUndefined();
    // The evening ramp doubles within ten minutes, but the forecast expected it.
    const ramp = samples([10, 12, 14, 16, 18, 20, 22]);
    expect(detectSurge(ramp.xs, (t) => 12 + (t - T0) / 30_000, SETTINGS, ramp.now, 150)).toBeUndefined();
    // No forecast, no band: nothing to leave.
    expect(detectSurge(level.xs, () => undefined, SETTINGS, level.now, 150)).toBeUndefined();
  });

  it('holds the sized demand until its projection is due, follows it down after, and ends after hold', () => {
    const d = (projected: number, observed = projected / 2) => ({
      observed,
      expected: 10,
      projected,
      trigger: 'growth' as const,
      reason: `surge ${projected}`,
    });
    const opts = { holdSeconds: 600, aheadSeconds: 150 };
    const s1 = nextSurgeState(undefined, d(150), 'traffic', T0, opts)!;
    expect(s1).toMatchObject({
      since: '2026-11-27T20:00:00Z',
      until: '2026-11-27T20:10:00Z',
      perSecond: 150,
    });
    // A minute later the projection is lower: the first one is not due yet, it holds.
    const s2 = nextSurgeState(s1, d(120), 'traffic', T0 + MIN, opts)!;
    expect(s2.perSecond).toBe(150);
    expect(s2.until).toBe('2026-11-27T20:11:00Z');
    // Higher goes up at once.
    expect(nextSurgeState(s2, d(200), 'traffic', T0 + 2 * MIN, opts)!.perSecond).toBe(200);
    // Once the projected instant (plus a sample) has passed, what was observed decides.
    const s4 = nextSurgeState(s2, d(130), 'traffic', T0 + 4 * MIN, opts)!;
    expect(s4.perSecond).toBe(130);
    expect(s4.since).toBe(s1.since);
    // Without a detection it holds until `until`, then ends.
    expect(nextSurgeState(s4, undefined, 'traffic', T0 + 10 * MIN, opts)).toBe(s4);
    expect(nextSurgeState(s4, undefined, 'traffic', T0 + 15 * MIN, opts)).toBeUndefined();
  });
});

const BASE = `version: 1
clusters: { prod: { kubeconfig: { context: prod } } }
signals: { traffic: { source: sim }, other: { source: sim } }
targets:
  api: { kind: k8s-hpa, cluster: prod, namespace: shop, name: api, bounds: { min: 2, max: 100 },
         capacity: { signal: traffic, perUnit: 10, targetUtilization: 0.7 } }
`;

describe('Config: surge', () => {
  it('takes the defaults', () => {
    const c = parseConfig(`${BASE}surge: { enabled: true }\n`, 'h.yaml');
    expect(c.surge).toEqual({
      enabled: true,
      factor: 3,
      samples: 3,
      growth: 3,
      windowSeconds: 600,
      holdSeconds: 600,
      maxMultiplier: 20,
    });
    expect(parseConfig(BASE, 'h.yaml').surge).toBeUndefined();
  });

  it('names the path of each problem', () => {
    expect(() => parseConfig(`${BASE}surge: { factor: 1 }\n`, 'h.yaml')).toThrow(/surge\.factor: /);
    expect(() => parseConfig(`${BASE}surge: { extra: 1 }\n`, 'h.yaml')).toThrow(
      /surge: unknown field "extra"/,
    );
    const names = `${BASE}surge: { window: 1m, signals: [nope, other], targets: [ghost] }\n`;
    let message = '';
    try {
      parseConfig(names, 'h.yaml');
    } catch (err) {
      message = String(err);
    }
    expect(message).toContain('surge.signals[0]: unknown signal "nope"');
    expect(message).toContain('surge.signals[1]: no target has a capacity model on signal "other"');
    expect(message).toContain('surge.targets[0]: unknown target "ghost"');
    expect(message).toContain('surge.window: must be at least 2m');
  });
});
