import { describe, expect, it } from 'vitest';
import { crossingOf, dailyAggregates, fitTrend, projectAt } from '../../shared/capacity/trend.ts';
import { growingSeries, NOW, trueCrossing } from './series.ts';

const DAY = 86_400_000;
const daily = (s: { t: number[]; v: number[] }) => dailyAggregates(s.t, s.v);

describe('Capacity trend: robust fit, interval and crossing date', () => {
  it('projects a +1 %/day signal at +1 %/day, not flat, 30 days out', () => {
    const points = daily(growingSeries({ level: 50, growth: 0.01 }));
    expect(points).toHaveLength(30);
    const fit = fitTrend(points, NOW, { model: 'compound', interval: 0.9 })!;
    expect(fit.slopePerDay).toBeCloseTo(0.01, 3);
    const in30 = projectAt(fit, 30);
    const today = projectAt(fit, 0);
    // 1.01^30 = 1.348: the forecast 30 days out is a third higher than today's peak.
    expect(in30.value / today.value).toBeGreaterThan(1.33);
    expect(in30.value / today.value).toBeLessThan(1.37);
    expect(in30.lower).toBeLessThan(in30.value);
    expect(in30.upper).toBeGreaterThan(in30.value);
  });

  it('dates the crossing of 70 % where the +1 %/day series really crosses it, inside the interval', () => {
    const points = daily(growingSeries({ level: 50, growth: 0.01 }));
    const fit = fitTrend(points, NOW, { model: 'compound', interval: 0.9 })!;
    const c = crossingOf(fit, NOW, 90, 70, points.at(-1)!.value);
    // Today's peak is 50 x 1.1 (the daily cycle) = 55: 70 is reached after ln(70/55)/ln(1.01) = 24.2 days.
    const truth = trueCrossing(55, 0.01, 70);
    expect(new Date(truth).toISOString().slice(0, 10)).toBe('2026-12-25');
    expect(c.already).toBe(false);
    expect(Math.abs(c.at! - truth)).toBeLessThan(DAY);
    expect(c.earliest!).toBeLessThanOrEqual(truth);
    expect(c.latest!).toBeGreaterThanOrEqual(truth);
    expect(c.latest! - c.earliest!).toBeLessThan(7 * DAY);
  });

  it('a straight line through the same month would date it days late (why compound is the default)', () => {
    const points = daily(growingSeries({ level: 50, growth: 0.01 }));
    const linear = fitTrend(points, NOW, { model: 'linear', interval: 0.9 })!;
    const c = crossingOf(linear, NOW, 90, 70, points.at(-1)!.value);
    expect((c.at! - trueCrossing(55, 0.01, 70)) / DAY).toBeGreaterThan(2);
  });

  it('finds no crossing for a flat signal and says when it is already over', () => {
    const flat = daily(growingSeries({ level: 40, growth: 0 }));
    const fit = fitTrend(flat, NOW, { model: 'compound', interval: 0.9 })!;
    expect(Math.abs(fit.slopePerDay)).toBeLessThan(0.002);
    expect(crossingOf(fit, NOW, 90, 70, flat.at(-1)!.value)).toEqual({
      already: false,
      at: undefined,
      earliest: undefined,
      latest: undefined,
    });
    expect(crossingOf(fit, NOW, 90, 40, flat.at(-1)!.value).already).toBe(true);
  });

  it('is not thrown off by one bad day (a spike three times the peak)', () => {
    const points = daily(growingSeries({ level: 50, growth: 0.01 }));
    points[20] = { ...points[20]!, value: points[20]!.value * 3 };
    const fit = fitTrend(points, NOW, { model: 'compound', interval: 0.9 })!;
    expect(fit.slopePerDay).toBeCloseTo(0.01, 2);
  });

  it('fits a measure that grows by points with the linear model', () => {
    // Storage: 300 GiB used, +2 GiB a day, allocated 500: 70 % (350 GiB) in 25 days.
    const t = Array.from({ length: 30 * 24 }, (_, h) => NOW - (30 * 24 - h) * 3_600_000);
    const v = t.map((x) => 300 + (2 * (x - NOW)) / DAY);
    const fit = fitTrend(dailyAggregates(t, v), NOW, { model: 'linear', interval: 0.9 })!;
    expect(fit.slopePerDay).toBeCloseTo(2, 3);
    const c = crossingOf(fit, NOW, 90, 350, v.at(-1)!);
    expect(Math.abs(c.at! - (NOW + 25 * DAY))).toBeLessThanOrEqual(DAY);
  });

  it('needs a week of data before it calls anything a trend', () => {
    const week = daily(growingSeries({ level: 50, growth: 0.01, days: 6 }));
    expect(fitTrend(week, NOW, { model: 'compound', interval: 0.9 })).toBeUndefined();
  });
});
