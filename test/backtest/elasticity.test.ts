import { describe, expect, it } from 'vitest';
import { Scorer, type Timeline } from '../../shared/backtest/score.ts';
import { shortMinutesAtCost, sweepJson } from '../../shared/backtest/sweep.ts';

/** A timeline of one-minute ticks over the given demand (req/s), every tick scored unless listed. */
function timeline(demand: number[], unscored: number[] = []): Timeline {
  return {
    start: 0,
    tickMs: 60_000,
    demand: Float64Array.from(demand),
    scored: Uint8Array.from(demand, (_, i) => (unscored.includes(i) ? 0 : 1)),
    scoreStart: 0,
    scoreEnd: demand.length * 60_000,
    minuteStart: 0,
    minutes: demand.length,
    unitPerSecond: 10,
  };
}

/** Scores a supply series (ready capacity, req/s) against the timeline's demand. */
function score(tl: Timeline, supply: number[]) {
  const scorer = new Scorer(tl);
  supply.forEach((s, i) => {
    scorer.record(i, s, false, s / 10, 0);
  });
  return scorer.result({}, 0).elasticity;
}

describe('Class: Scorer, SPEC RG elasticity metrics', () => {
  // Units of 10 req/s. Demand in units: ceil(10/10)=1, 2, ceil(25/10)=3, 3, 5; supply 2, 2, 2, 4, 6.
  const demand = [10, 20, 25, 30, 50];
  const supply = [20, 20, 20, 40, 60];

  it('scores a hand-made series with the known answers', () => {
    const e = score(timeline(demand), supply);
    // Under only at tick 2: (3 - 2) / 3 of the demand, over five ticks.
    expect(e.accuracyU).toBeCloseTo((100 * (1 / 3)) / 5, 9);
    // Over at ticks 0, 3, 4: (2-1)/1 + (4-3)/3 + (6-5)/5.
    expect(e.accuracyO).toBeCloseTo((100 * (1 + 1 / 3 + 0.2)) / 5, 9);
    expect(e.timeshareU).toBeCloseTo(20, 9);
    expect(e.timeshareO).toBeCloseTo(60, 9);
    // Moves: supply 0,0,+2,+2 against demand +1,+1,0,+2: only the last pair moves together.
    expect(e.instability).toBeCloseTo(75, 9);
    // Two supply adaptations, three demand changes, in five minutes: -1 per 1/12 h.
    expect(e.jitter).toBeCloseTo(-12, 9);
  });

  it('gives a supply that follows demand exactly no error, no instability and no jitter', () => {
    const e = score(timeline(demand), [10, 20, 30, 30, 50]);
    expect(e).toEqual({
      accuracyU: 0,
      accuracyO: 0,
      timeshareU: 0,
      timeshareO: 0,
      instability: 0,
      jitter: 0,
    });
  });

  it('leaves unscored ticks out and does not count a change across them', () => {
    // Tick 2 is a gap: tick 1 -> 3 is not a pair; pairs 0->1 (0 vs +1) and 3->4 (+2 vs +2).
    const e = score(timeline(demand, [2]), supply);
    expect(e.timeshareU).toBe(0);
    expect(e.timeshareO).toBeCloseTo(75, 9);
    expect(e.instability).toBeCloseTo(50, 9);
    expect(e.jitter).toBeCloseTo((1 - 2) / (4 / 60), 9);
  });
});

describe('Function: sweepJson', () => {
  const points = [
    { value: 0.7, underProvisionedMinutes: 778, capacityUnitHours: 110, costVsOracle: 1.1 },
    { value: 0.5, underProvisionedMinutes: 500, capacityUnitHours: 150, costVsOracle: 1.5 },
    { value: 0.3, underProvisionedMinutes: 340, capacityUnitHours: 250, costVsOracle: 2.5 },
  ];

  it("interpolates reactive's short minutes at Headroom's cost between the swept points", () => {
    // 2.0 is half-way from 1.5 (500) to 2.5 (340): 420.
    expect(shortMinutesAtCost(points, 2)).toBeCloseTo(420, 9);
    expect(shortMinutesAtCost(points, 1.1)).toBe(778);
    const j = sweepJson(points, { costVsOracle: 2, underProvisionedMinutes: 163 });
    expect(j.atHeadroomCost).toEqual({
      costVsOracle: 2,
      headroomUnderProvisionedMinutes: 163,
      reactiveUnderProvisionedMinutes: 420,
      ratio: 0.388,
    });
  });

  it('does not extrapolate the frontier past the swept costs', () => {
    const j = sweepJson(points, { costVsOracle: 2.6, underProvisionedMinutes: 10 });
    expect(j.atHeadroomCost?.reactiveUnderProvisionedMinutes).toBeNull();
    expect(j.atHeadroomCost?.ratio).toBeNull();
    expect(sweepJson(points).atHeadroomCost).toBeUndefined();
  });
});
