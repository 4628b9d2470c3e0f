import { describe, expect, it } from 'vitest';
import type { Target } from '../../shared/domain/types.ts';
import {
  clampToBounds,
  display,
  nextStep,
  roundToGranularity,
  stepsBetween,
} from '../../shared/domain/units.ts';
import { exampleConfig } from '../helpers/example.ts';

const config = exampleConfig();
const target = (id: string): Target => config.targets.find((t) => t.id === id)!;

describe('units', () => {
  it('a count moves by at most maxStepPercent per change (200 %: at most triple), never by less than one', () => {
    const api = target('api');
    expect(nextStep(api, 3, 40)).toBe(9);
    expect(nextStep(api, 9, 40)).toBe(27);
    expect(nextStep(api, 27, 40)).toBe(40);
    expect(stepsBetween(api, 3, 40)).toBe(3);
    // Down: at most to a third, at least one unit.
    expect(nextStep(api, 27, 3)).toBe(9);
    expect(nextStep(api, 4, 3)).toBe(3);
    expect(nextStep({ ...api, maxStepPercent: 10 }, 3, 40)).toBe(4);
  });

  it('a ladder moves to its target tier in one change and shows tier names', () => {
    const db = target('db');
    expect(nextStep(db, 0, 3)).toBe(3);
    expect(stepsBetween(db, 0, 3)).toBe(1);
    expect(display(db, 1)).toBe('db.r6g.xlarge');
    expect(display(target('api'), 7)).toBe(7);
  });

  it('rounds up to the granularity and clamps to the bounds: never under-provisions', () => {
    const acu = { ...target('api'), granularity: 0.5 };
    expect(roundToGranularity(acu, 2.1)).toBe(2.5);
    expect(roundToGranularity(target('api'), 4.0000000001)).toBe(4);
    expect(clampToBounds(target('api'), 100)).toBe(60);
    expect(clampToBounds(target('api'), 1)).toBe(3);
  });
});
