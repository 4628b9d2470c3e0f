import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../domain/errors.ts';
import { iso, parseInstant } from '../domain/time.ts';

/**
 * A traffic trace on a regular grid: `values[i]` is the count of slot i, which starts at
 * `startMs + i * stepSeconds`. Rows missing from the file are gaps (NaN): a backtest never
 * invents traffic there, it only bridges them for the simulated controllers and leaves
 * them out of the scores.
 */
export interface Trace {
  /** The file name as given (for the report and the JSON). */
  file: string;
  startMs: number;
  stepSeconds: number;
  values: Float64Array;
  /** Rows present (slots with data). */
  points: number;
}

export class TraceError extends InputError {
  override name = 'TraceError';
}

export function loadTrace(file: string): Trace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new TraceError(`--trace: cannot read ${file} (${(cause as Error).message})`, { cause });
  }
  return parseTrace(text, path.basename(file));
}

/** The most common gap between consecutive rows: the trace's step, whatever the gaps. */
function detectStep(times: number[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const d = Math.round((times[i]! - times[i - 1]!) / 1000);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let n = 0;
  for (const [d, c] of counts) if (c > n || (c === n && d < best)) [best, n] = [d, c];
  return best;
}

/** Parses `timestamp,value` CSV (a header line is optional); every problem names its line. */
export function parseTrace(text: string, file: string): Trace {
  const times: number[] = [];
  const vals: number[] = [];
  const lines: number[] = [];
  const rows = text.split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const line = rows[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (times.length === 0 && lines.length === 0 && !/^\d/.test(cols[0] ?? '')) {
      lines.push(-1); // the header
      continue;
    }
    if (cols.length < 2) throw new TraceError(`${file} line ${i + 1}: expected "timestamp,value"`);
    const t = parseInstant(cols[0]!, 'UTC');
    if (t === undefined)
      throw new TraceError(
        `${file} line ${i + 1}: invalid timestamp "${cols[0]}" (ISO-8601, e.g. 2014-07-01T04:00:00Z)`,
      );
    const v = Number(cols[1]);
    if (cols[1] === '' || !Number.isFinite(v) || v < 0)
      throw new TraceError(`${file} line ${i + 1}: invalid value "${cols[1]}" (a count >= 0)`);
    const prev = times.at(-1);
    if (prev !== undefined && t <= prev)
      throw new TraceError(
        `${file} line ${i + 1}: timestamp ${iso(t)} is ${t === prev ? 'a duplicate' : `before ${iso(prev)}`} (rows must be sorted, one per time)`,
      );
    times.push(t);
    vals.push(v);
    lines.push(i + 1);
  }
  if (times.length < 3) throw new TraceError(`${file}: needs at least 3 rows of timestamp,value`);
  const stepSeconds = detectStep(times);
  if (stepSeconds < 1) throw new TraceError(`${file}: rows are less than a second apart`);
  const startMs = times[0]!;
  const stepMs = stepSeconds * 1000;
  const slots = Math.round((times.at(-1)! - startMs) / stepMs) + 1;
  const values = new Float64Array(slots).fill(Number.NaN);
  for (let i = 0; i < times.length; i++) {
    const offset = (times[i]! - startMs) / stepMs;
    const slot = Math.round(offset);
    if (Math.abs(offset - slot) > 0.25 || !Number.isNaN(values[slot]!))
      throw new TraceError(
        `${file} line ${lines[i + (lines[0] === -1 ? 1 : 0)]}: ${iso(times[i]!)} is off the trace's ${stepSeconds}s grid`,
      );
    values[slot] = vals[i]!;
  }
  return { file, startMs, stepSeconds, values, points: times.length };
}

/** The part of a trace from `fromMs` (inclusive) to `toMs` (exclusive), on the same grid. */
export function cutTrace(trace: Trace, fromMs?: number, toMs?: number): Trace {
  const stepMs = trace.stepSeconds * 1000;
  const first = fromMs === undefined ? 0 : Math.max(0, Math.ceil((fromMs - trace.startMs) / stepMs));
  const end =
    toMs === undefined
      ? trace.values.length
      : Math.min(trace.values.length, Math.ceil((toMs - trace.startMs) / stepMs));
  const values = trace.values.slice(first, Math.max(first, end));
  let points = 0;
  for (const v of values) if (!Number.isNaN(v)) points++;
  if (points < 3)
    throw new TraceError(
      `--from/--to: the trace ${trace.file} has ${points} rows in that range (it covers ${iso(trace.startMs)} to ${iso(endOf(trace))})`,
    );
  return { ...trace, startMs: trace.startMs + first * stepMs, values, points };
}

/** The end of the last slot. */
export function endOf(trace: Trace): number {
  return trace.startMs + trace.values.length * trace.stepSeconds * 1000;
}
