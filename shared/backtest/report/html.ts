import { readFileSync } from 'node:fs';
import path from 'node:path';
import { iso } from '../../domain/time.ts';
import { uplotInline } from '../../http/uplot-inline.ts';
import type { PolicyName } from '../policies.ts';
import type { BacktestReportData } from '../run.ts';

/**
 * The backtest report: one self-contained HTML file (uPlot and the data inlined, no network)
 * that shows at a glance how each policy's ready capacity followed demand, where it fell
 * short, what Headroom's floor and forecast were, what it cost, and a zoomable close-up of the
 * worst moments. The score table is plain HTML, readable even without scripts.
 */

/** Points per overview series: enough for a 1200 px chart, small enough for a 30-day file. */
const OVERVIEW_POINTS = 4000;
const DETAILS = 4;
/** Context shown around an incident in its close-up. */
const CONTEXT_MINUTES = 45;

type Spans = [number, number][];

/** Runs of minutes where a policy left demand unserved, as [from, to) in epoch seconds. */
export function shortfallSpans(unserved: Float32Array, minuteStart: number): Spans {
  const out: Spans = [];
  let from = -1;
  for (let m = 0; m <= unserved.length; m++) {
    const short = m < unserved.length && unserved[m]! > 0;
    if (short && from < 0) from = m;
    if (!short && from >= 0) {
      out.push([minuteStart / 1000 + from * 60, minuteStart / 1000 + m * 60]);
      from = -1;
    }
  }
  return out;
}

/** Incidents (shortfalls of reactive or headroom, merged within 10 minutes) ranked by unserved requests. */
export function worstMoments(
  data: BacktestReportData,
  count = DETAILS,
): { from: number; to: number; unserved: number }[] {
  const minutes = data.demand.length;
  const total = new Float64Array(minutes);
  for (const name of ['reactive', 'headroom'] as const) {
    const s = data.series[name];
    if (s) for (let m = 0; m < minutes; m++) total[m]! += s.unserved[m]!;
  }
  const incidents: { from: number; to: number; unserved: number }[] = [];
  let cur: { from: number; to: number; unserved: number } | undefined;
  for (let m = 0; m < minutes; m++) {
    if (!(total[m]! > 0)) continue;
    if (cur && m - cur.to <= 10) {
      cur.to = m + 1;
      cur.unserved += total[m]!;
    } else {
      cur = { from: m, to: m + 1, unserved: total[m]! };
      incidents.push(cur);
    }
  }
  return incidents.sort((a, b) => b.unserved - a.unserved).slice(0, count);
}

function downsample(minutes: number) {
  const bucket = Math.max(1, Math.ceil(minutes / OVERVIEW_POINTS));
  const n = Math.ceil(minutes / bucket);
  const reduce = (a: Float32Array, how: 'mean' | 'min' | 'max'): (number | null)[] => {
    const out: (number | null)[] = [];
    for (let b = 0; b < n; b++) {
      let acc = how === 'min' ? Number.POSITIVE_INFINITY : how === 'max' ? Number.NEGATIVE_INFINITY : 0;
      let k = 0;
      for (let m = b * bucket; m < Math.min(minutes, (b + 1) * bucket); m++) {
        const v = a[m]!;
        if (!Number.isFinite(v)) continue;
        acc = how === 'min' ? Math.min(acc, v) : how === 'max' ? Math.max(acc, v) : acc + v;
        k++;
      }
      out.push(k === 0 ? null : round(how === 'mean' ? acc / k : acc));
    }
    return out;
  };
  return { bucket, n, reduce };
}

function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v * 10) / 10 : Math.round(v * 1000) / 1000;
}

function slice(a: Float32Array, from: number, to: number): (number | null)[] {
  return Array.from(a.subarray(from, to), (v) => (Number.isFinite(v) ? round(v) : null));
}

/** The data the client script draws. */
export function reportPayload(data: BacktestReportData) {
  const minutes = data.demand.length;
  const x0 = data.minuteStart / 1000;
  const names = Object.keys(data.series) as PolicyName[];
  const ds = downsample(minutes);
  const hr = data.headroom;
  const overview = {
    x: Array.from({ length: ds.n }, (_, b) => x0 + b * ds.bucket * 60),
    demand: ds.reduce(data.demand, 'max'),
    policies: Object.fromEntries(
      names.map((name) => [
        name,
        {
          capacity: ds.reduce(data.series[name]!.capacity, 'min'),
          units: ds.reduce(data.series[name]!.units, 'mean'),
        },
      ]),
    ),
    floor: hr && data.series.headroom ? ds.reduce(hr.floor, 'max') : undefined,
    forecast:
      hr && data.series.headroom && hr.forecast.value.some((v) => Number.isFinite(v))
        ? {
            upper: ds.reduce(hr.forecast.upper, 'max'),
            lower: ds.reduce(hr.forecast.lower, 'min'),
            ahead: `${Math.round(hr.forecast.aheadSeconds)}s ahead`,
          }
        : undefined,
  };
  const spans = Object.fromEntries(
    names.map((name) => [name, shortfallSpans(data.series[name]!.unserved, data.minuteStart)]),
  );
  const details = worstMoments(data).map((w, i) => {
    const from = Math.max(0, w.from - CONTEXT_MINUTES);
    const to = Math.min(minutes, w.to + CONTEXT_MINUTES);
    const sub = (a: Float32Array) => a.subarray(from, to);
    const start = data.minuteStart + from * 60_000;
    return {
      title: `#${i + 1}: ${iso(data.minuteStart + w.from * 60_000)} to ${iso(data.minuteStart + w.to * 60_000)}, ${Math.round(w.unserved)} requests unserved (reactive + headroom)`,
      x: Array.from({ length: to - from }, (_, k) => start / 1000 + k * 60),
      demand: slice(data.demand, from, to),
      policies: Object.fromEntries(names.map((name) => [name, slice(data.series[name]!.capacity, from, to)])),
      floor: hr && data.series.headroom ? slice(hr.floor, from, to) : undefined,
      spans: Object.fromEntries(
        names.map((name) => [name, shortfallSpans(sub(data.series[name]!.unserved), start)]),
      ),
    };
  });
  const windows = (list: { start: string; end: string }[]) =>
    list.map((c) => ({ from: Date.parse(c.start) / 1000, to: Date.parse(c.end) / 1000 }));
  return {
    overview,
    spans,
    details,
    campaigns: windows(data.json.campaigns),
    surges: windows(data.json.surges),
  };
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.001 && x > 0 ? 4 : 2)} %`;
}

function scoreTable(data: BacktestReportData): string {
  const rows = Object.entries(data.json.policies)
    .map(
      ([name, s]) =>
        `<tr data-policy="${esc(name)}"><th>${esc(name)}</th><td>${s.underProvisionedMinutes}</td><td>${pct(s.unservedFraction)}</td><td>${s.capacityUnitHours}</td><td>${s.costVsOracle}</td><td>${s.scalingActions}</td><td>${s.overTargetMinutes}</td><td>${s.nodeHours}</td></tr>`,
    )
    .join('\n');
  return `<table id="scores"><thead><tr><th>policy</th><th>under-provisioned minutes</th><th>unserved demand</th><th>capacity unit-hours</th><th>cost vs oracle</th><th>scaling actions</th><th>minutes over target utilisation</th><th>node-hours</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

/** The SPEC RG elasticity metrics per policy (Herbst et al., TOMPECS 2018). */
function elasticityTable(data: BacktestReportData): string {
  const rows = Object.entries(data.json.policies)
    .map(([name, { elasticity: e }]) => {
      const cells = [e.accuracyU, e.accuracyO, e.timeshareU, e.timeshareO, e.instability, e.jitter];
      return `<tr data-policy="${esc(name)}"><th>${esc(name)}</th>${cells.map((c) => `<td>${c.toFixed(2)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table id="elasticity"><thead><tr><th>policy</th><th>accuracy<sub>U</sub> %</th><th>accuracy<sub>O</sub> %</th><th>timeshare<sub>U</sub> %</th><th>timeshare<sub>O</sub> %</th><th>instability %</th><th>jitter / h</th></tr></thead><tbody>
${rows}
</tbody></table>
<p class="legend-note">SPEC RG elasticity metrics (Herbst et al., ACM TOMPECS 2018), demand as the least whole number of units that serves it, supply as the ready units: accuracy = mean share of demand under- (U) or over-provisioned (O); timeshare = share of time under or over; instability = share of ticks where supply and demand did not move the same way; jitter = supply adaptations minus demand changes per hour.</p>`;
}

/** Reactive's cost / short-minutes frontier from `--sweep`, and Headroom at its own cost. */
function sweepTable(data: BacktestReportData): string {
  const sw = data.json.sweep;
  if (!sw) return '';
  const rows = sw.points
    .map(
      (p) =>
        `<tr><th>${p.value}</th><td>${p.underProvisionedMinutes}</td><td>${p.capacityUnitHours}</td><td>${p.costVsOracle}</td></tr>`,
    )
    .join('\n');
  const h = sw.atHeadroomCost;
  const verdict = !h
    ? ''
    : h.reactiveUnderProvisionedMinutes === null
      ? `<p id="equal-cost">Headroom: ${h.headroomUnderProvisionedMinutes} under-provisioned minutes at ${h.costVsOracle}x the oracle's cost, outside the swept costs.</p>`
      : `<p id="equal-cost">At Headroom's cost (${h.costVsOracle}x the oracle's) reactive would be short ${h.reactiveUnderProvisionedMinutes} minutes; Headroom is short ${h.headroomUnderProvisionedMinutes}${h.ratio === null ? '' : ` (${h.ratio}x)`}.</p>`;
  return `<h2>Reactive with more slack (${esc(sw.parameter)})</h2>
<table id="sweep"><thead><tr><th>${esc(sw.parameter)}</th><th>under-provisioned minutes</th><th>capacity unit-hours</th><th>cost vs oracle</th></tr></thead><tbody>
${rows}
</tbody></table>
${verdict}`;
}

function stepsTable(data: BacktestReportData): string {
  const steps = data.headroom?.steps ?? [];
  if (steps.length === 0) return '';
  const shown = steps.slice(-500);
  const rows = shown
    .map(
      (s) =>
        `<tr><td>${esc(s.at)}</td><td>${esc(s.target)}</td><td>${esc(JSON.stringify(s.before))}</td><td>${esc(JSON.stringify(s.after))}</td><td>${esc(s.reason.slice(0, 400))}</td></tr>`,
    )
    .join('\n');
  return `<details><summary>Headroom's ${steps.length} executed steps${steps.length > shown.length ? ` (the last ${shown.length})` : ''}, from the audit log</summary>
<table class="steps"><thead><tr><th>at</th><th>target</th><th>before</th><th>after</th><th>reason</th></tr></thead><tbody>
${rows}
</tbody></table></details>`;
}

let assets: { js: string; css: string; client: string } | undefined;
function loadAssets() {
  assets ??= { ...uplotInline(), client: readFileSync(path.join(import.meta.dirname, 'client.js'), 'utf8') };
  return assets;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#212529;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}p.meta{color:#495057;margin:2px 0}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:right}
thead th{background:#f1f3f5}tbody th{text-align:left}.steps td{text-align:left;font-size:12px;vertical-align:top}
.chart{margin:12px 0}.legend-note{color:#868e96;font-size:12px}.key span{display:inline-block;padding:0 6px;margin-right:8px;border-radius:3px}`;

/** The whole report as one HTML document. */
export function renderReport(data: BacktestReportData): string {
  const { js, css, client } = loadAssets();
  const j = data.json;
  const payload = JSON.stringify(reportPayload(data)).replace(/</g, '\\u003c');
  const serving = j.serving
    .map((s) => `${s.target} (${s.perUnit}/s per unit at ${s.targetUtilization * 100} %)`)
    .join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Headroom backtest: ${esc(j.trace.file)}</title>
<style>${css}</style><style>${CSS}</style></head>
<body>
<h1>Headroom backtest: ${esc(j.trace.file)}</h1>
<p class="meta">${j.trace.points} rows, step ${j.trace.stepSeconds}s, ${esc(j.trace.from)} to ${esc(j.trace.to)}; scored ${esc(j.scored.from)} to ${esc(j.scored.to)} (${j.scored.minutes} minutes${j.scored.gapMinutes ? `, ${j.scored.gapMinutes} minutes of gaps not scored` : ''}) after a ${(j.scored.warmupSeconds / 86400).toFixed(1)}-day warm-up.</p>
<p class="meta">Config: ${esc(j.config)}; signal ${esc(j.signal)} served by ${esc(serving)}; simulated every ${j.tickSeconds}s.${j.campaigns.length ? ` Campaigns: ${esc(j.campaigns.map((c) => `${c.name} x${c.multiplier} ${c.start} to ${c.end}`).join('; '))}.` : ''}${j.surges.length ? ` Synthetic surges: ${esc(j.surges.map((s) => `x${s.multiplier} ${s.start} to ${s.end}`).join('; '))}.` : ''}</p>
<h2>Scores</h2>
${scoreTable(data)}
<p class="legend-note">Under-provisioned minute: demand above ready capacity at some moment of it. Cost: the integral of provisioned units; the oracle has perfect foresight and keeps every moment at the target utilisation.</p>
<p class="key"><span style="background:rgba(112,72,232,0.10)">campaign window</span><span style="background:rgba(250,176,5,0.18)">synthetic surge</span><span style="background:rgba(232,89,12,0.18)">reactive short</span><span style="background:rgba(25,113,194,0.22)">headroom short</span> Drag across a chart to zoom (the overview charts zoom together); double-click to reset.</p>
<h2>Elasticity</h2>
${elasticityTable(data)}
${sweepTable(data)}
<h2>Demand and ready capacity</h2>
<div id="charts"></div>
<h2>Cost</h2>
<div id="cost" class="chart"></div>
<h2>Worst moments</h2>
<div id="details">${worstMoments(data).length === 0 ? '<p>No policy left demand unserved: nothing to show.</p>' : ''}</div>
<h2>Decisions</h2>
${stepsTable(data) || '<p>Headroom executed no steps.</p>'}
<script id="backtest-data" type="application/json">${payload}</script>
<script>${js}</script>
<script>${client}</script>
</body></html>
`;
}
