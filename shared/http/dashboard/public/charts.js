// Forecast charts (uPlot, served by this server from its own copy): per target with a capacity
// model, the demand forecast of its signal with the interval band, against the capacity its
// floors (intents) and its actual value give at the target utilisation.
import uPlot from './uPlot.esm.js';
import { el } from './views.js';

const plots = [];

function floorAt(intents, target, t) {
  let floor = 0;
  for (const i of intents)
    if (i.target === target && !i.advisory && Date.parse(i.from) <= t && t < Date.parse(i.until))
      floor = Math.max(floor, i.floor);
  return floor;
}

/** The largest multiplier of the campaigns on `target` running at `t` (undefined outside them). */
function multiplierAt(campaigns, target, t) {
  let m;
  for (const c of campaigns) {
    const start = Date.parse(c.start);
    if (!c.cancelled && c.targets.includes(target) && start <= t && t < start + c.durationSeconds * 1000)
      m = Math.max(m ?? 0, c.multiplier);
  }
  return m;
}

const round = (v) => (v >= 100 ? Math.round(v) : Math.round(v * 10) / 10);

function chart(box, cfg, view, state) {
  const t = state.targets.find((x) => x.id === cfg.id);
  const per = cfg.capacity.perUnit * (cfg.capacity.targetUtilization ?? 1);
  const xs = view.points.map((p) => p.t / 1000);
  const floors = view.points.map((p) => floorAt(state.intents, cfg.id, p.t) * per || null);
  const actual = typeof t?.actual === 'number' ? t.actual * per : null;
  const data = [
    xs,
    view.points.map((p) => p.value),
    view.points.map((p) => p.lower),
    view.points.map((p) => p.upper),
    floors,
    xs.map(() => actual),
    view.points.map((p) => {
      const m = multiplierAt(state.campaigns, cfg.id, p.t);
      return m === undefined ? null : p.upper * m;
    }),
  ];
  const peak = view.points.reduce((m, p) => (p.upper > m.upper ? p : m), view.points[0]);
  const figure = el('figure', { class: 'chart', 'data-target': cfg.id });
  const caption = el(
    'figcaption',
    {},
    el('strong', {}, `${cfg.id}`),
    ` · signal ${view.signal}, ${view.model}. Forecast peak p${Math.round(view.quantile * 100)} ${round(peak.upper)}/s at ${new Date(peak.t).toISOString().slice(11, 16)} UTC; `,
    actual !== null
      ? `actual ${t.actual} units serve ${round(actual)}/s at ${Math.round((cfg.capacity.targetUtilization ?? 1) * 100)}% utilisation.`
      : '',
  );
  const plotBox = el('div', { role: 'img', 'aria-label': caption.textContent });
  figure.append(caption, plotBox);
  box.append(figure);
  const width = Math.max(320, Math.min(box.clientWidth || 900, 1200) - 16);
  const opts = {
    width,
    height: 220,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { x: { time: true } },
    series: [
      {},
      { label: 'forecast (req/s)', stroke: '#1971c2', width: 2 },
      { label: 'lower', stroke: '#74c0fc', dash: [4, 4] },
      { label: `upper p${Math.round(view.quantile * 100)}`, stroke: '#74c0fc', dash: [4, 4] },
      { label: 'floor capacity', stroke: '#e8590c', width: 2, paths: uPlot.paths.stepped({ align: 1 }) },
      { label: 'actual capacity', stroke: '#2f9e44', width: 2 },
      { label: 'campaign demand (upper x multiplier)', stroke: '#862e9c', width: 2, dash: [8, 4] },
    ],
    bands: [{ series: [3, 2], fill: 'rgba(116, 192, 252, 0.25)' }],
    axes: [{}, { label: 'req/s', size: 60 }],
  };
  plots.push(new uPlot(opts, data, plotBox));
}

export function renderCharts(box, forecast, state) {
  while (plots.length) plots.pop().destroy();
  box.replaceChildren();
  const withCapacity = state.config.targets.filter((t) => t.capacity && forecast.signals[t.capacity.signal]);
  if (!withCapacity.length) {
    box.append(el('p', {}, 'No target has a capacity model with a forecast signal.'));
    return;
  }
  for (const cfg of withCapacity) {
    const view = forecast.signals[cfg.capacity.signal];
    if (view.points.length) chart(box, cfg, view, state);
  }
  document.body.dataset.charts = String(plots.length);
}
