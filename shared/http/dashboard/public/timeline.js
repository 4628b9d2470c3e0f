// One row per layer (target): campaign windows, intents, staged steps with their lead-time
// bars, executed steps and when their capacity became ready, against the brain's "now".
import { el } from './views.js';

const NS = 'http://www.w3.org/2000/svg';
const ROW = 46;
const LEFT = 110;
const HOUR = 3600_000;

function svg(tag, attrs = {}, title) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (title && tag === 'text') e.textContent = title;
  else if (title) {
    const t = document.createElementNS(NS, 'title');
    t.textContent = title;
    e.append(t);
  }
  return e;
}

const hhmm = (ms) => new Date(ms).toISOString().slice(11, 16);
const clock = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

/** The span shown: 30 min back to the last step, intent or campaign end (2 h to 24 h ahead). */
function windowOf(state, now) {
  let end = now + 2 * HOUR;
  for (const t of state.targets) for (const s of t.steps) end = Math.max(end, Date.parse(s.at) + HOUR / 4);
  for (const c of state.campaigns) {
    if (c.cancelled) continue;
    const stop = Date.parse(c.start) + c.durationSeconds * 1000;
    if (stop > now && Date.parse(c.start) < now + 24 * HOUR) end = Math.max(end, stop + HOUR / 4);
  }
  return { from: now - HOUR / 2, to: Math.min(end, now + 24 * HOUR) };
}

/** Per target, the events of the row (also listed as text for screen readers and keyboard users). */
function eventsOf(state, audit, t, lead) {
  const out = [];
  for (const c of state.campaigns)
    if (!c.cancelled && c.targets.includes(t.id))
      out.push({
        kind: 'campaign',
        from: Date.parse(c.start),
        to: Date.parse(c.start) + c.durationSeconds * 1000,
        text: `campaign ${c.name} x${c.multiplier}`,
      });
  for (const i of state.intents)
    if (i.target === t.id)
      out.push({
        kind: i.advisory ? 'intent advisory' : 'intent',
        from: Date.parse(i.from),
        to: Date.parse(i.until),
        text: i.ceiling !== undefined ? `ceiling ${i.ceiling}: ${i.reason}` : `floor ${i.floor}: ${i.reason}`,
      });
  for (const s of t.steps)
    out.push({
      kind: 'staged',
      from: Date.parse(s.at),
      to: Date.parse(s.at) + lead,
      text: `staged ${Object.entries(s.set)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} (${s.from} → ${s.to})${s.needsApproval ? ', needs approval' : ''}`,
    });
  for (const a of audit)
    if (a.target === t.id && a.action === 'step-executed') {
      const at = Date.parse(a.at);
      const readyAt = at + lead;
      const ready =
        readyAt <= Date.parse(state.at) && t.ready !== undefined && String(t.ready) === String(t.actual);
      const to = a.after && typeof a.after === 'object' ? Object.values(a.after).join(', ') : '';
      out.push({ kind: 'done', from: at, to: readyAt, ready, text: `executed ${to}: ${a.reason}` });
    }
  return out;
}

function row(state, audit, t, win, width, lead) {
  const x = (ms) =>
    LEFT + ((Math.min(Math.max(ms, win.from), win.to) - win.from) / (win.to - win.from)) * (width - LEFT - 8);
  const now = Date.parse(state.at);
  const events = eventsOf(state, audit, t, lead);
  const s = svg('svg', { width, height: ROW, role: 'img', 'aria-labelledby': `tl-${t.id}` });
  s.append(svg('text', { x: 4, y: 20, class: 'layer' }, t.id));
  s.append(svg('text', { x: 4, y: 36, class: 'sub' }, `lead ${Math.round(lead / 60000)}m`));
  s.append(svg('line', { x1: LEFT, x2: width - 8, y1: ROW - 4, y2: ROW - 4, class: 'axis' }));
  for (const e of events) {
    if (e.to < win.from || e.from > win.to) continue;
    const w = Math.max(2, x(e.to) - x(e.from));
    if (e.kind === 'campaign')
      s.append(svg('rect', { x: x(e.from), y: 2, width: w, height: ROW - 8, class: 'campaign' }, e.text));
    else if (e.kind.startsWith('intent'))
      s.append(svg('rect', { x: x(e.from), y: 6, width: w, height: 8, class: e.kind }, e.text));
    else {
      const y = e.kind === 'staged' ? 18 : 30;
      s.append(
        svg(
          'rect',
          { x: x(e.from), y, width: w, height: 8, class: e.kind },
          `${e.text} · lead time until ${hhmm(e.to)}`,
        ),
      );
      s.append(svg('circle', { cx: x(e.from), cy: y + 4, r: 4, class: `${e.kind}-dot` }, e.text));
      if (e.kind === 'done')
        s.append(
          svg(
            'circle',
            { cx: x(e.to), cy: y + 4, r: 4, class: e.ready ? 'ready' : 'not-ready' },
            e.ready ? `ready by ${hhmm(e.to)}` : `expected ready ${hhmm(e.to)}`,
          ),
        );
    }
  }
  s.append(svg('line', { x1: x(now), x2: x(now), y1: 0, y2: ROW, class: 'now' }, `now ${clock(now)}`));
  const list = el(
    'ul',
    { id: `tl-${t.id}`, class: 'sr-only' },
    el('li', {}, `${t.id}, lead time ${Math.round(lead / 60000)} minutes`),
    ...events.map((e) =>
      el(
        'li',
        {},
        `${e.kind} ${clock(e.from)} to ${clock(e.to)}: ${e.text}${e.kind === 'done' ? (e.ready ? ', ready' : ', not ready yet') : ''}`,
      ),
    ),
  );
  return el('div', { class: 'tl-row', 'data-target': t.id }, s, list);
}

function axis(win, width) {
  const s = svg('svg', { width, height: 18, 'aria-hidden': 'true' });
  const span = win.to - win.from;
  const step = span > 12 * HOUR ? 3 * HOUR : span > 4 * HOUR ? HOUR : HOUR / 4;
  for (let t = Math.ceil(win.from / step) * step; t <= win.to; t += step) {
    const x = LEFT + ((t - win.from) / span) * (width - LEFT - 8);
    s.append(svg('text', { x, y: 13, class: 'tick' }, hhmm(t)));
  }
  return s;
}

export function renderTimeline(box, state, audit) {
  const now = Date.parse(state.at);
  const win = windowOf(state, now);
  const width = Math.max(600, box.clientWidth || 900);
  const leads = new Map(
    state.config.targets.map((t) => [t.id, (t.leadTimeSeconds + (t.marginSeconds ?? 0)) * 1000]),
  );
  box.replaceChildren(
    el('p', { class: 'sub' }, `${clock(win.from)} to ${clock(win.to)} UTC`),
    axis(win, width),
    ...state.targets.map((t) => row(state, audit, t, win, width, leads.get(t.id) ?? 0)),
  );
}
