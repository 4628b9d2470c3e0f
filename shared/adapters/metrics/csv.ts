import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lowerBound as firstWhereNot } from '../../domain/search.ts';
import type { DemandSignal } from '../../domain/types.ts';
import { type MetricQuery, type MetricSource, type Series, stepOf } from '../../ports/metrics.ts';
import { MetricSourceError } from './errors.ts';

/**
 * `timestamp,value` files (the format of ../shared/traces): ISO-8601 or epoch-second
 * timestamps, one row per interval, rows left out where there was no data. Missing rows stay
 * missing; a malformed row is an error naming its line, never a silent zero.
 */
export function parseTraceCsv(text: string, file = 'trace'): Series {
  const lines = text.split(/\r?\n/);
  const t: number[] = [];
  const v: number[] = [];
  let sorted = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const comma = line.indexOf(',');
    if (comma < 0) throw new MetricSourceError(`${file}:${i + 1}: expected "timestamp,value", got "${line}"`);
    const ts = line.slice(0, comma).trim();
    const raw = line.slice(comma + 1).trim();
    if (i === 0 && !/^\d/.test(ts)) continue; // header
    const ms = /^\d+(\.\d+)?$/.test(ts) ? Number(ts) * 1000 : Date.parse(ts);
    const value = Number(raw);
    if (Number.isNaN(ms)) throw new MetricSourceError(`${file}:${i + 1}: invalid timestamp "${ts}"`);
    if (raw === '' || !Number.isFinite(value))
      throw new MetricSourceError(`${file}:${i + 1}: invalid value "${raw}"`);
    if (t.length > 0 && ms <= t[t.length - 1]!) sorted = false;
    t.push(ms);
    v.push(value);
  }
  if (!sorted) {
    const order = t.map((_, i) => i).sort((a, b) => t[a]! - t[b]!);
    const ts = order.map((i) => t[i]!);
    for (let i = 1; i < ts.length; i++)
      if (ts[i] === ts[i - 1])
        throw new MetricSourceError(`${file}: duplicate timestamp ${new Date(ts[i]!).toISOString()}`);
    return withStep({ t: ts, v: order.map((i) => v[i]!), stepSeconds: 0 });
  }
  return withStep({ t, v, stepSeconds: 0 });
}

function withStep(s: Series): Series {
  return { ...s, stepSeconds: stepOf(s) };
}

export function readTraceCsv(file: string): Series {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new MetricSourceError(`cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  return parseTraceCsv(text, file);
}

/** Index of the first timestamp at or after `ms` (timestamps sorted). */
export function lowerBound(t: number[], ms: number): number {
  return firstWhereNot(t, (x) => x < ms);
}

/** The rows of a series with from <= t <= to (no copy of the rest). */
export function sliceSeries(s: Series, from: number, to: number): Series {
  const a = lowerBound(s.t, from);
  const b = lowerBound(s.t, to + 1);
  return { t: s.t.slice(a, b), v: s.v.slice(a, b), stepSeconds: s.stepSeconds };
}

/**
 * `source: csv` signals: `file` (relative to the config file's directory) read once and
 * served by time range. The series keeps the file's own step; `q.stepSeconds` is a hint only.
 */
export class CsvMetricSource implements MetricSource {
  private readonly baseDir: string;
  private readonly cache = new Map<string, Series>();

  constructor(opts: { baseDir?: string } = {}) {
    this.baseDir = opts.baseDir ?? process.cwd();
  }

  async history(signal: DemandSignal, q: MetricQuery): Promise<Series> {
    const file = signal.spec.file;
    if (typeof file !== 'string' || file === '')
      throw new MetricSourceError(`signals.${signal.name}.file: a csv signal needs a file`);
    const full = path.resolve(this.baseDir, file);
    let series = this.cache.get(full);
    if (!series) {
      series = readTraceCsv(full);
      this.cache.set(full, series);
    }
    return sliceSeries(series, q.from.getTime(), q.to.getTime());
  }
}
