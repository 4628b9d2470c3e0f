import { type LayerVerdict, type Rehearsal, span } from './rehearse.ts';

/** `ready 12m before the start (3 -> 34)` or `late by 35m (1 -> 4): lead time 40m + ...`. */
export function verdictLine(l: LayerVerdict): string {
  const head =
    l.status === 'ready'
      ? `ready ${span(l.minutes * 60)} before the start`
      : l.status === 'late'
        ? `late by ${span(l.minutes * 60)}`
        : 'not ready during the campaign';
  const why = l.status !== 'ready' && l.reasons.length ? `: ${l.reasons.join('; ')}` : '';
  const capped = l.capped ? `; ${l.capped}: the campaign needs more than the bounds allow` : '';
  return `${head} (${l.from} -> ${l.need})${why}${capped}`;
}

/** The verdict of the whole rehearsal: every layer ready, or how many are not. */
export function summaryLine(r: Rehearsal): string {
  const bad = r.layers.filter((l) => l.status !== 'ready');
  return bad.length === 0
    ? `${r.campaign.name}: every layer ready before the start at ${r.campaign.start}`
    : `${r.campaign.name}: ${bad.length} of ${r.layers.length} layers not ready at the start ${r.campaign.start} (${bad.map((l) => l.target).join(', ')})`;
}

/** The terminal rendering: summary, one verdict per layer, then the timeline. */
export function formatRehearsal(r: Rehearsal): string {
  const width = Math.max(...r.layers.map((l) => l.target.length));
  return [
    summaryLine(r),
    ...r.notes.map((n) => `note: ${n}`),
    '',
    'layers:',
    ...r.layers.map((l) => `  ${l.target.padEnd(width)}  ${verdictLine(l)}`),
    '',
    `timeline (${r.from} to ${r.until}${r.seeded ? ', seeded from the actual state' : ', simulated cloud'}):`,
    ...r.timeline.map((e) => `  ${e.at}  ${e.text}`),
  ].join('\n');
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A self-contained HTML timeline (inline SVG and CSS, no script, no network): one row per layer
 * with its lead-time bar from the first step to ready, the held capacity, the steps, and the
 * campaign window with its start line.
 */
export function rehearsalHtml(r: Rehearsal): string {
  const t0 = Date.parse(r.from);
  const t1 = Math.max(Date.parse(r.until), Date.parse(r.campaign.end));
  const left = 150;
  const width = 1000;
  const row = 44;
  const top = 40;
  const x = (at: string | number) =>
    left +
    ((typeof at === 'number' ? at : Date.parse(at)) - t0) * ((width - left - 20) / Math.max(1, t1 - t0));
  const height = top + row * r.layers.length + 30;
  const parts: string[] = [];
  const cs = x(r.campaign.start);
  const ce = x(r.campaign.end);
  parts.push(
    `<rect class="window" x="${cs}" y="${top - 10}" width="${ce - cs}" height="${row * r.layers.length + 10}"><title>campaign ${esc(r.campaign.name)} ${esc(r.campaign.start)} to ${esc(r.campaign.end)}</title></rect>`,
    `<line class="start" x1="${cs}" x2="${cs}" y1="${top - 20}" y2="${height - 20}"/>`,
    `<text x="${cs + 4}" y="${top - 14}" class="label">start ${esc(r.campaign.start.slice(11, 16))}Z</text>`,
  );
  // Hour ticks.
  const hour = 3600_000;
  for (let h = Math.ceil(t0 / hour) * hour; h <= t1; h += hour)
    parts.push(
      `<line class="tick" x1="${x(h)}" x2="${x(h)}" y1="${top - 10}" y2="${height - 24}"/>`,
      `<text class="axis" x="${x(h)}" y="${height - 8}" text-anchor="middle">${new Date(h).toISOString().slice(11, 16)}</text>`,
    );
  r.layers.forEach((l, i) => {
    const y = top + i * row;
    parts.push(`<text class="layer" x="8" y="${y + 22}">${esc(l.target)}</text>`);
    if (l.firstStepAt) {
      const end = l.readyAt ?? r.campaign.end;
      parts.push(
        `<rect class="lead ${l.status}" x="${x(l.firstStepAt)}" y="${y + 8}" width="${Math.max(2, x(end) - x(l.firstStepAt))}" height="20"><title>${esc(l.target)}: first step ${esc(l.firstStepAt)}, ${l.readyAt ? `ready ${esc(l.readyAt)}` : 'not ready'} (lead time ${esc(l.leadTime)})</title></rect>`,
      );
    }
    if (l.readyAt && l.firstStepAt) {
      const until = l.revertedAt ?? r.until;
      parts.push(
        `<rect class="held" x="${x(l.readyAt)}" y="${y + 8}" width="${Math.max(0, x(until) - x(l.readyAt))}" height="20"><title>${esc(l.target)} held at ${esc(String(l.need))} from ${esc(l.readyAt)}</title></rect>`,
      );
    }
    for (const e of r.timeline.filter((e) => e.target === l.target && e.kind !== 'ready'))
      parts.push(
        `<circle class="ev ${e.kind}" cx="${x(e.at)}" cy="${y + 18}" r="4"><title>${esc(e.at)} ${esc(e.text)}</title></circle>`,
      );
  });
  const rows = r.layers
    .map(
      (l) =>
        `<tr class="${l.status}"><th scope="row">${esc(l.target)}</th><td>${esc(l.kind)}</td><td>${esc(String(l.from))} &rarr; ${esc(String(l.need))}</td><td>${esc(l.leadTime)}</td><td>${esc(verdictLine(l))}</td></tr>`,
    )
    .join('\n');
  const events = r.timeline.map((e) => `<li><time>${esc(e.at)}</time> ${esc(e.text)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Rehearsal of ${esc(r.campaign.name)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1060px}
h1{font-size:20px;margin:0 0 4px} p{margin:4px 0}
svg{background:#fafbfc;border:1px solid #d0d7de;border-radius:6px}
.window{fill:#fff4d6}.start{stroke:#b35900;stroke-width:2}.tick{stroke:#e3e6ea}
.axis,.label{font-size:11px;fill:#57606a}.layer{font-size:13px;fill:#1b1f24}
.lead.ready{fill:#8ec5ff}.lead.late,.lead.not-ready{fill:#ffb3ad}.held{fill:#2da44e;opacity:.55}
.ev{fill:#0550ae}.ev.reverted{fill:#6e7781}.ev.approval-pending,.ev.waiting,.ev.blocked,.ev.failed{fill:#cf222e}
table{border-collapse:collapse;margin:12px 0;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
tr.late td:last-child,tr.not-ready td:last-child{color:#a40e26;font-weight:600}tr.ready td:last-child{color:#116329}
ol{font:12px ui-monospace,monospace;padding-left:20px}
</style></head><body>
<h1>Rehearsal of ${esc(r.campaign.name)}</h1>
<p>${esc(summaryLine(r))}</p>
${r.notes.map((n) => `<p>note: ${esc(n)}</p>`).join('\n')}
<p>Simulated from ${esc(r.from)} to ${esc(r.until)}${r.seeded ? ', seeded from the actual state' : ' on the simulated cloud'}. Bars: lead time from the first step to ready capacity (blue in time, red late), then the held capacity (green) until the revert; the shaded band is the campaign window.</p>
<svg role="img" aria-label="timeline per layer" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
${parts.join('\n')}
</svg>
<table><thead><tr><th>layer</th><th>kind</th><th>change</th><th>lead time</th><th>verdict</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Timeline</h2>
<ol>
${events}
</ol>
</body></html>
`;
}
