import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EvaluatedModel, ModelForecast } from '../shared/forecast/evaluate.ts';
import { toGrid } from '../shared/forecast/grid.ts';

/**
 * The field's libraries as evaluated models: @bsull/augurs (Grafana's augurs in WASM) MSTL
 * with an AutoETS trend, and AutoETS alone. Both need a gap-free series, so missing slots are
 * linearly interpolated (leading ones take the first value); history is capped at 20,160
 * points (14 days of minutes). The interval at level 2q - 1 gives the q upper bound.
 */

interface Forecast {
  point: number[];
  intervals?: { lower: number[]; upper: number[] };
}

export interface Augurs {
  MSTL: {
    ets(periods: number[]): {
      fit(y: Float64Array): void;
      predict(h: number, level?: number): Forecast;
      free(): void;
    };
  };
  AutoETS: new (
    season: number,
    spec: string,
  ) => { fit(y: Float64Array): void; predict(h: number, level?: number): Forecast; free(): void };
}

/** augurs ships WASM; under Node each module is initialised from its .wasm bytes. */
export async function loadAugurs(): Promise<Augurs> {
  const require = createRequire(import.meta.url);
  const init = async <T>(name: 'mstl' | 'ets'): Promise<T> => {
    const js = require.resolve(`@bsull/augurs/${name}`);
    const mod = (await import(`@bsull/augurs/${name}`)) as unknown as T & {
      initSync(m: { module: Uint8Array }): void;
    };
    mod.initSync({ module: readFileSync(js.replace(/\.js$/, '_bg.wasm')) });
    return mod;
  };
  const mstl = await init<{ MSTL: Augurs['MSTL'] }>('mstl');
  const ets = await init<{ AutoETS: Augurs['AutoETS'] }>('ets');
  return { MSTL: mstl.MSTL, AutoETS: ets.AutoETS };
}

/** The history as a gap-free array (linear interpolation), at most `cap` points. */
function filled(history: Parameters<EvaluatedModel>[0], now: number, cap: number) {
  const grid = toGrid(history, now);
  const n = Math.min(grid.last + 1, cap);
  const v = grid.v.subarray(grid.last + 1 - n, grid.last + 1);
  const y = new Float64Array(n);
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(v[i]!)) continue;
    if (prev < 0) for (let k = 0; k < i; k++) y[k] = v[i]!;
    else for (let k = prev + 1; k < i; k++) y[k] = v[prev]! + ((v[i]! - v[prev]!) * (k - prev)) / (i - prev);
    y[i] = v[i]!;
    prev = i;
  }
  return { grid, y, n };
}

function asForecast(f: Forecast, lastT: number, stepMs: number): ModelForecast[] {
  return f.point.map((p, k) => ({
    t: lastT + (k + 1) * stepMs,
    value: Math.max(0, p),
    lower: Math.max(0, f.intervals?.lower[k] ?? p),
    upper: Math.max(0, f.intervals?.upper[k] ?? p),
  }));
}

/** MSTL: periods are the day and week it has two cycles of; AutoETS trend. */
export function mstlModel(augurs: Augurs): EvaluatedModel {
  return (history, opts) => {
    const { grid, y, n } = filled(history, opts.now, 20_160);
    const periods = [86_400, 604_800]
      .map((p) => Math.round(p / grid.stepSeconds))
      .filter((p) => p >= 2 && n >= 2 * p);
    const h = Math.round(opts.horizonSeconds / grid.stepSeconds);
    const model = augurs.MSTL.ets(periods);
    try {
      model.fit(y);
      const lastT = grid.start + grid.last * grid.stepSeconds * 1000;
      return asForecast(model.predict(h, 2 * opts.quantile - 1), lastT, grid.stepSeconds * 1000);
    } finally {
      model.free();
    }
  };
}

/**
 * AutoETS (augurs 0.10 fits non-seasonal ETS models: error, trend and damping chosen by AICc)
 * on the last 2,000 slots at most: the level-and-trend baseline of the field.
 */
export function etsModel(augurs: Augurs): EvaluatedModel {
  return (history, opts) => {
    const { grid, y } = filled(history, opts.now, 2000);
    const h = Math.round(opts.horizonSeconds / grid.stepSeconds);
    const model = new augurs.AutoETS(1, 'ZZN');
    try {
      model.fit(y);
      const lastT = grid.start + grid.last * grid.stepSeconds * 1000;
      return asForecast(model.predict(h, 2 * opts.quantile - 1), lastT, grid.stepSeconds * 1000);
    } finally {
      model.free();
    }
  };
}
