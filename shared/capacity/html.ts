import { formatDuration } from '../domain/duration.ts';
import { uplotInline } from '../http/uplot-inline.ts';
import type { CapacityReport, MeasureReport } from './review.ts';
import { formatCurrent } from './summary.ts';

/**
 * The capacity report as one self-contained HTML file: a table of every measure (latest peak,
 * trend, the date the threshold is crossed with its interval, the action, its lead time, its
 * price and the date to start it) and, per assessed measure, a uPlot chart of the daily peaks,
 * the projection and its interval against the threshold. uPlot and the data are inlined: the
 * page loads nothing from the network.
 */

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '');

const STATUS: Record<MeasureReport['status'], string> = {
  over: 'over the threshold now',
  crosses: 'crosses within the horizon',
  ok: 'no crossing within the horizon',
  'no-data': 'too little data',
  'not-measured': 'not measured',
};

function crossingText(m: MeasureReport): string {
  const c = m.crossing;
  if (!c || m.status === 'ok') return m.status === 'ok' ? 'none' : '';
  if (m.status === 'over') return 'now';
  const range = `${day(c.earliest) || '?'} to ${day(c.latest) || 'after the horizon'}`;
  return c.at ? `${day(c.at)} (${range})` : `possibly from ${day(c.earliest)} (median after the horizon)`;
}

function row(m: MeasureReport, i: number): string {
  const a = m.action;
  const cost =
    a?.monthlyCostDelta !== undefined ? `+$${a.monthlyCostDelta.toFixed(2)}/month` : a ? 'no list price' : '';
  const cells = [
    m.target,
    m.label,
    m.latest ? `${m.latest.percent.toFixed(1)} %` : '',
    `${m.threshold} %${m.limit !== undefined ? ` of ${m.limit} ${m.unit}` : ''}`,
    m.trend?.perDayText ?? '',
    crossingText(m),
    a ? a.text : (m.note ?? STATUS[m.status]),
    a ? formatDuration(a.leadTimeSeconds) : '',
    cost,
    day(a?.actBy),
    formatCurrent(m),
  ];
  return `<tr class="${m.status}" data-measure="${esc(`${m.target}.${m.measure}`)}" data-chart="${i}">${cells
    .map((c) => `<td>${esc(c)}</td>`)
    .join('')}</tr>`;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#212529}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px}p.meta{color:#495057;margin:2px 0}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #dee2e6;padding:4px 8px;text-align:left;vertical-align:top}
thead th{background:#f1f3f5}tr.over td{background:#ffe3e3}tr.crosses td{background:#fff3bf}tr.not-measured td,tr.no-data td{color:#868e96}`;

/** Draws one chart per assessed measure: daily peaks, projection, interval, threshold. */
const CLIENT = `(() => {
  const data = JSON.parse(document.getElementById('capacity-data').textContent);
  const root = document.getElementById('charts');
  data.measures.forEach((m, i) => {
    if (!m.history.length || !m.projection.length) return;
    const box = document.createElement('div');
    box.className = 'chart';
    box.id = 'chart-' + i;
    const h = document.createElement('h2');
    h.textContent = m.target + ' ' + m.label + ' (percent of ' + (m.limit ?? '?') + ' ' + m.unit + ')';
    box.appendChild(h);
    root.appendChild(box);
    const xs = [...m.history.map((p) => Date.parse(p.t) / 1000), ...m.projection.map((p) => Date.parse(p.t) / 1000)];
    const pad = (a, b) => [...a, ...b];
    const nh = m.history.length, np = m.projection.length;
    const hist = pad(m.history.map((p) => p.percent), Array(np).fill(null));
    const mid = pad(Array(nh).fill(null), m.projection.map((p) => p.percent));
    const lo = pad(Array(nh).fill(null), m.projection.map((p) => p.lower));
    const hi = pad(Array(nh).fill(null), m.projection.map((p) => p.upper));
    const thr = xs.map(() => m.threshold);
    new uPlot({ width: 900, height: 240, scales: { x: { time: true } },
      series: [{}, { label: 'daily peak', stroke: '#1971c2', width: 2 },
        { label: 'projection', stroke: '#e8590c', dash: [6, 4], width: 2, points: { show: false } },
        { label: 'interval low', stroke: 'rgba(232,89,12,0.35)', points: { show: false } },
        { label: 'interval high', stroke: 'rgba(232,89,12,0.35)', points: { show: false } },
        { label: 'threshold ' + m.threshold + ' %', stroke: '#c92a2a', width: 1, points: { show: false } }],
      bands: [{ series: [4, 3], fill: 'rgba(232,89,12,0.12)' }] }, [xs, hist, mid, lo, hi, thr], box);
  });
})();`;

export function renderCapacityHtml(report: CapacityReport, config: string): string {
  const { js, css } = uplotInline();
  const payload = JSON.stringify(report).replace(/</g, '\\u003c');
  const head = [
    'target',
    'measure',
    'latest peak',
    'threshold',
    'trend',
    'crosses',
    'action',
    'lead time',
    'price',
    'act by',
    'current (source)',
  ];
  const crossing = report.measures.filter((m) => m.status === 'over' || m.status === 'crosses');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Headroom capacity review ${esc(day(report.at))}</title>
<style>${css}</style><style>${CSS}</style></head>
<body>
<h1>Headroom capacity review, ${esc(day(report.at))}</h1>
<p class="meta">Config ${esc(config)}; ${report.windowDays}-day trend of daily peaks, ${report.horizonDays}-day projection with a ${Math.round(report.interval * 100)} % interval.</p>
<p class="meta summary">${crossing.length === 0 ? 'No measure crosses its threshold within the horizon.' : `${crossing.length} of ${report.measures.length} measures cross their threshold within ${report.horizonDays} days.`}</p>
<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>
${report.measures.map(row).join('\n')}
</tbody></table>
${report.warnings.map((w) => `<p class="meta warning">${esc(w)}</p>`).join('\n')}
<p class="meta">Prices: ${esc(report.prices.source)} (${esc(report.prices.sourceDate)}).</p>
<div id="charts"></div>
<script id="capacity-data" type="application/json">${payload}</script>
<script>${js}</script>
<script>${CLIENT}</script>
</body></html>
`;
}
