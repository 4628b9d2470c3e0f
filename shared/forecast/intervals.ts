import type { ProfileModel } from './profile-model.ts';
import { decay, InSampleProfiles, LevelIndex, pickOrigins } from './profiles.ts';

/**
 * The prediction interval of the seasonal-profile model: the errors of its own honest
 * in-sample forecasts, grouped by horizon, sorted, and read back as quantiles.
 */

/** Errors of the chosen variant's in-sample forecasts, per horizon bucket, sorted. */
export function residualsFor(model: ProfileModel, z: Float64Array, from: number, n: number, H: number) {
  const first = Math.max(0, from - model.choice.levelSlots);
  const S = new InSampleProfiles(z, first, n, model.dayLag, model.weekLag).of(model.choice);
  const levels = new LevelIndex(z, S, first);
  const buckets = Math.min(8, H);
  model.bucketSlots = Math.ceil(H / buckets);
  const lists: number[][] = Array.from({ length: buckets }, () => []);
  const origins = pickOrigins(z, from, n - 2, 600);
  const hsPerBucket = Math.min(model.bucketSlots, 16);
  for (const o of origins) {
    const c = levels.level(o, model.choice.levelSlots);
    const cNone = levels.plain(o, model.choice.levelSlots);
    for (let b = 0; b < buckets; b++) {
      for (let k = 0; k < hsPerBucket; k++) {
        // Spread the sampled horizons inside the bucket, shifted per origin to cover it all.
        const offset = Math.floor(((k + (o % 7) / 7) * model.bucketSlots) / hsPerBucket);
        const h = b * model.bucketSlots + 1 + Math.min(model.bucketSlots - 1, offset);
        if (h > H) break;
        const t = o + h;
        if (t >= n || Number.isNaN(z[t]!)) continue;
        const s = S[t - first]!;
        const zhat = Number.isNaN(s)
          ? Number.isNaN(cNone)
            ? Number.NaN
            : cNone
          : s + (Number.isNaN(c) ? 0 : c * decay(model.choice, h));
        if (Number.isNaN(zhat)) continue;
        lists[b]!.push(z[t]! - zhat);
      }
    }
  }
  // Thin buckets borrow from the pooled errors rather than pretend to be certain.
  const pooled = lists.flat();
  model.residualCount = pooled.length;
  model.residuals = lists.map((l) => Float64Array.from(l.length >= 30 ? l : pooled).sort());
}

/** The q-quantile of sorted values (linear interpolation); 0 when empty. */
export function quantileOf(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const x = q * (sorted.length - 1);
  const lo = Math.floor(x);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (x - lo);
}
