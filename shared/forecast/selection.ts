import type { Grid } from './grid.ts';
import { decay, InSampleProfiles, LevelIndex, type ProfileChoice, type Shape } from './profiles.ts';
import type { Transform } from './transform.ts';

/**
 * Choosing the seasonal-profile variant by honest in-sample forecasts (each uses only data
 * before its origin): profile shapes first with a default level, then level window and decay
 * for the best few shapes, then whether an equal-weight average of the best variant of each
 * of those shapes (on the transformed scale) beats the single best. Averages of differently
 * built profiles (a day profile, a week median, a blend) err in different places; on traffic
 * they have not seen they are rarely worst and often best. No I/O, no clock.
 */

const HOUR = 3600;

function uniq(xs: number[]): number[] {
  return [...new Set(xs)];
}

/** The variants this history can estimate, given its step and which periods it holds. */
export function searchSpace(stepSeconds: number, dayLag: number, weekLag: number) {
  const slots = (seconds: number) => Math.max(1, Math.round(seconds / stepSeconds));
  const smooths = uniq([0, Math.round(600 / stepSeconds), Math.round(1800 / stepSeconds)]).filter(
    (w) => w >= 0 && (dayLag === 0 || w <= dayLag / 16),
  );
  // Shapes are compared at a middle smoothing first; the best few then try every smoothing.
  const smoothSlots = smooths[Math.floor(smooths.length / 2)] ?? 0;
  const shapes: Shape[] = [{ seasonal: false, weeklyShare: 0, daysBack: 0, weeksBack: 0, smoothSlots: 0 }];
  const add = (s: Omit<Shape, 'smoothSlots' | 'robust'>) => {
    // The median of three or more cycles ignores a holiday or an outage in one of them.
    for (const robust of s.daysBack >= 3 || s.weeksBack >= 3 ? [false, true] : [false])
      shapes.push({ ...s, smoothSlots, robust });
  };
  if (dayLag > 0)
    for (const daysBack of [1, 3, 7]) add({ seasonal: true, weeklyShare: 0, daysBack, weeksBack: 0 });
  if (weekLag > 0)
    for (const weeksBack of [1, 2, 4]) {
      add({ seasonal: true, weeklyShare: 1, daysBack: 0, weeksBack });
      if (dayLag > 0)
        // Blends of a quarter, half and three quarters weekly: how much the weekday matters
        // against how recent the days are differs by service (two weeks of ISP traffic: 0.25).
        for (const daysBack of [3, 7])
          for (const weeklyShare of [0.25, 0.5, 0.75])
            add({ seasonal: true, weeklyShare, daysBack, weeksBack });
    }
  return {
    shapes,
    smooths,
    defaultLevel: { levelSlots: slots(HOUR), tauSlots: slots(12 * HOUR) },
    // From a quarter of an hour (minute data, lead-time horizons) to a whole day (hourly data:
    // one or four points are too few to tell a level shift from noise).
    levels: uniq([slots(HOUR / 4), slots(HOUR), slots(4 * HOUR), slots(24 * HOUR)]),
    taus: uniq([0, slots(2 * HOUR), slots(12 * HOUR), slots(48 * HOUR), Number.POSITIVE_INFINITY]),
  };
}

/**
 * Horizons (slots) sampled for choosing a variant: evenly over the selection horizon, as the
 * forecast is judged (every slot of the horizon counts alike).
 */
export function horizonSample(H: number): number[] {
  const hs = new Set<number>();
  for (let k = 1; k <= 20; k++) hs.add(Math.max(1, Math.round((H * k) / 20)));
  return [...hs].sort((a, b) => a - b);
}

export interface SelectionInput {
  grid: Grid;
  /** The grid on the transformed scale. */
  z: Float64Array;
  transform: Transform;
  dayLag: number;
  weekLag: number;
  /** First slot in-sample forecasts start at; origins and horizons scored. */
  from: number;
  origins: number[];
  horizons: number[];
}

export interface Selection {
  /** The variants averaged (one: the single best). */
  members: ProfileChoice[];
  /** Their in-sample MAE in the series' unit. */
  mae: number;
}

/** How many shapes get their own level search, and at most how many variants are averaged. */
const TOP_SHAPES = 3;
/** In-sample errors lose weight by e every this many days back from the end of the history. */
const RECENCY_DAYS = 3;

export function selectVariants(input: SelectionInput): Selection | undefined {
  const { grid, z, transform: tr, origins, horizons: hs } = input;
  const n = grid.last + 1;
  const space = searchSpace(grid.stepSeconds, input.dayLag, input.weekLag);
  // Only the evaluated slots and the level windows before them need a profile.
  const first = Math.max(0, input.from - Math.max(...space.levels));
  const inSample = new InSampleProfiles(z, first, n, input.dayLag, input.weekLag);
  // Profiles depend on the shape only, not on level or decay: computed once per shape.
  const profiles = new Map<Shape, { S: Float64Array; levels: LevelIndex }>();
  const profileOf = (shape: Shape) => {
    let p = profiles.get(shape);
    if (!p) {
      const S = inSample.of(shape);
      p = { S, levels: new LevelIndex(z, S, first) };
      profiles.set(shape, p);
    }
    return p;
  };
  // Recent errors count more (a holiday week, a launch: what worked lately works next).
  const recency = Math.max(1, Math.round((RECENCY_DAYS * 86_400) / grid.stepSeconds));
  type Variant = ProfileChoice & { shape: Shape };
  /** The in-sample forecasts of a set of variants, averaged, scored by MAE. */
  const evaluate = (vs: Variant[]): number => {
    const ps = vs.map((v) => ({
      v,
      ...profileOf(v.shape),
      decays: Float64Array.from(hs, (h) => decay(v, h)),
    }));
    const c = new Float64Array(ps.length);
    const cNone = new Float64Array(ps.length);
    let err = 0;
    let count = 0;
    for (const o of origins) {
      const weight = Math.exp((o - n) / recency);
      for (let j = 0; j < ps.length; j++) {
        c[j] = ps[j]!.levels.level(o, ps[j]!.v.levelSlots);
        cNone[j] = ps[j]!.levels.plain(o, ps[j]!.v.levelSlots);
      }
      for (let k = 0; k < hs.length; k++) {
        const t = o + hs[k]!;
        if (t >= n) break;
        const y = grid.v[t]!;
        if (Number.isNaN(y)) continue;
        let sum = 0;
        let m = 0;
        for (let j = 0; j < ps.length; j++) {
          const p = ps[j]!;
          // For h <= one day the profile at t only uses data at or before the origin.
          const s = p.S[t - first]!;
          const cj = c[j]!;
          const zhat = Number.isNaN(s) ? cNone[j]! : s + (Number.isNaN(cj) ? 0 : cj * p.decays[k]!);
          if (Number.isNaN(zhat)) continue;
          sum += zhat;
          m++;
        }
        if (m === 0) continue;
        err += weight * Math.abs(tr.from(sum / m) - y);
        count += weight;
      }
    }
    return count > 0 ? err / count : Number.NaN;
  };
  const bestOf = new Map<Shape, { v: Variant; mae: number }>();
  const consider = (v: Variant) => {
    const mae = evaluate([v]);
    const b = bestOf.get(v.shape);
    if (!Number.isNaN(mae) && (!b || mae < b.mae - 1e-12)) bestOf.set(v.shape, { v, mae });
  };
  for (const shape of space.shapes)
    consider({
      ...shape,
      shape,
      ...(shape.seasonal
        ? space.defaultLevel
        : { levelSlots: space.defaultLevel.levelSlots, tauSlots: Number.POSITIVE_INFINITY }),
    });
  // Level window and decay for the few best shapes (a shape that needs a longer level wins there).
  // The best few shapes of different families (smoothing alone does not make a different model).
  const family = (v: Variant) => `${v.seasonal}|${v.weeklyShare}|${v.daysBack}|${v.weeksBack}|${v.robust}`;
  const seen = new Set<string>();
  const top = [...bestOf.values()]
    .sort((a, b) => a.mae - b.mae)
    .filter(({ v }) => !seen.has(family(v)) && seen.add(family(v)) !== undefined)
    .slice(0, TOP_SHAPES);
  const tuned = top.map(({ v }) => {
    let shape = v.shape;
    if (v.seasonal) {
      for (const smoothSlots of space.smooths)
        if (smoothSlots !== v.smoothSlots) {
          const sh = { ...v.shape, smoothSlots };
          consider({ ...v, ...sh, shape: sh });
          if ((bestOf.get(sh)?.mae ?? Number.POSITIVE_INFINITY) < bestOf.get(shape)!.mae) shape = sh;
        }
    }
    const base = bestOf.get(shape)!.v;
    for (const levelSlots of space.levels)
      for (const tauSlots of base.seasonal ? space.taus : [Number.POSITIVE_INFINITY])
        consider({ ...base, levelSlots, tauSlots });
    return bestOf.get(shape)!;
  });
  const ranked = tuned.sort((a, b) => a.mae - b.mae);
  if (ranked.length === 0) return undefined;
  const strip = ({ shape: _shape, ...choice }: Variant): ProfileChoice => choice;
  let chosen: Selection = { members: [strip(ranked[0]!.v)], mae: ranked[0]!.mae };
  for (let k = 2; k <= ranked.length; k++) {
    const vs = ranked.slice(0, k).map((r) => r.v);
    const mae = evaluate(vs);
    if (mae < chosen.mae - 1e-12) chosen = { members: vs.map(strip), mae };
  }
  return chosen;
}
