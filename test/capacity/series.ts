import { writeFileSync } from 'node:fs';
import path from 'node:path';

export const NOW = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;

/**
 * Hourly samples over the `days` before NOW of a measure growing `growth` per day (compound),
 * with a daily cycle (+-10 %) and +-1 % of seeded noise: what CloudWatch returns for a
 * database whose load grows 1 %/day.
 */
export function growingSeries(o: { level: number; growth: number; days?: number; seed?: number }) {
  let seed = o.seed ?? 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const t: number[] = [];
  const v: number[] = [];
  for (let h = -(o.days ?? 30) * 24; h < 0; h++) {
    const cycle = Math.sin((2 * Math.PI * (((h % 24) + 24) % 24)) / 24);
    t.push(NOW + h * HOUR);
    v.push(o.level * (1 + o.growth) ** (h / 24) * (1 + 0.1 * cycle) * (1 + 0.02 * (random() - 0.5)));
  }
  return { t, v };
}

/** The series as a `timestamp,value` CSV file in `dir`. */
export function writeSeries(dir: string, name: string, s: { t: number[]; v: number[] }): string {
  const file = path.join(dir, name);
  const rows = s.t.map((t, i) => `${new Date(t).toISOString()},${s.v[i]!.toFixed(4)}`);
  writeFileSync(file, `timestamp,value\n${rows.join('\n')}\n`);
  return file;
}

/** The day a +growth/day series at `peak` today reaches `threshold`. */
export function trueCrossing(peak: number, growth: number, threshold: number): number {
  return NOW + (Math.log(threshold / peak) / Math.log(1 + growth)) * 86_400_000;
}
