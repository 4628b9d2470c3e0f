// The backtest report's charts, drawn in the browser by uPlot (inlined beside this script).
// Reads the data from <script id="backtest-data">; needs no network.
(() => {
  const data = JSON.parse(document.getElementById('backtest-data').textContent);
  const COLORS = { reactive: '#e8590c', headroom: '#1971c2', oracle: '#2f9e44' };
  const SHADE = {
    reactive: 'rgba(232,89,12,0.18)',
    headroom: 'rgba(25,113,194,0.22)',
    oracle: 'rgba(47,158,68,0.2)',
  };
  const nulls = (a) => a.map((v) => (v === null || Number.isNaN(v) ? null : v));
  const width = () => Math.max(480, Math.min(1200, document.body.clientWidth - 48));

  /** Shaded time windows behind the lines: campaigns, surges and under-provisioned periods. */
  function shading(groups) {
    return {
      hooks: {
        drawClear: [
          (u) => {
            const { ctx } = u;
            const { top, height } = u.bbox;
            for (const g of groups) {
              ctx.fillStyle = g.fill;
              for (const [from, to] of g.spans) {
                const x0 = u.valToPos(from, 'x', true);
                const x1 = u.valToPos(to, 'x', true);
                if (x1 < u.bbox.left || x0 > u.bbox.left + u.bbox.width) continue;
                const y = g.strip ? top + height - (g.offset || 0) - g.strip : top;
                ctx.fillRect(x0, y, Math.max(1, x1 - x0), g.strip || height);
              }
            }
          },
        ],
      },
    };
  }

  const charts = [];
  let syncing = false;
  /** Zooming one overview chart zooms the others (drag to zoom, double-click to reset). */
  const zoomSync = {
    hooks: {
      setScale: [
        (u, key) => {
          if (key !== 'x' || syncing || !u.group) return;
          syncing = true;
          for (const c of charts)
            if (c !== u && c.group === u.group) c.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
          syncing = false;
        },
      ],
    },
  };

  function chart(el, title, series, columns, groups, opts = {}) {
    const u = new uPlot(
      {
        title,
        width: width(),
        height: opts.height || 280,
        cursor: { sync: { key: opts.group || `solo-${charts.length}` }, drag: { x: true, y: false } },
        scales: { x: { time: true } },
        axes: [{}, { label: opts.yLabel || 'requests / s', size: 70 }],
        series: [{}, ...series],
        bands: opts.bands || [],
        plugins: [shading(groups), zoomSync],
      },
      [columns[0], ...columns.slice(1).map(nulls)],
      el,
    );
    u.group = opts.group;
    charts.push(u);
    return u;
  }

  const contextGroups = [
    { fill: 'rgba(112,72,232,0.10)', spans: data.campaigns.map((c) => [c.from, c.to]) },
    { fill: 'rgba(250,176,5,0.18)', spans: data.surges.map((s) => [s.from, s.to]) },
  ];
  const ov = data.overview;
  const root = document.getElementById('charts');
  for (const name of Object.keys(ov.policies)) {
    const el = document.createElement('div');
    el.className = 'chart';
    el.dataset.policy = name;
    root.appendChild(el);
    const series = [
      { label: 'demand', stroke: '#212529', width: 1 },
      { label: `${name} ready capacity`, stroke: COLORS[name], width: 1.5 },
    ];
    const columns = [ov.x, ov.demand, ov.policies[name].capacity];
    const bands = [];
    if (name === 'headroom' && ov.floor) {
      series.push({ label: 'Headroom floor', stroke: '#1864ab', dash: [6, 4], width: 1 });
      columns.push(ov.floor);
    }
    if (name === 'headroom' && ov.forecast) {
      const at = columns.length;
      series.push(
        { label: `forecast upper (${ov.forecast.ahead})`, stroke: 'rgba(134,142,150,0.8)', width: 1 },
        { label: 'forecast lower', stroke: 'rgba(134,142,150,0.8)', width: 1 },
      );
      columns.push(ov.forecast.upper, ov.forecast.lower);
      bands.push({ series: [at, at + 1], fill: 'rgba(134,142,150,0.18)' });
    }
    const groups = [...contextGroups, { fill: SHADE[name], spans: data.spans[name] || [], strip: 0 }];
    chart(
      el,
      `Demand and ${name} ready capacity (shaded: under-provisioned minutes)`,
      series,
      columns,
      groups,
      {
        group: 'overview',
        bands,
      },
    );
  }
  const costEl = document.getElementById('cost');
  chart(
    costEl,
    'Provisioned units (the cost)',
    Object.keys(ov.policies).map((name) => ({ label: name, stroke: COLORS[name], width: 1.2 })),
    [ov.x, ...Object.keys(ov.policies).map((name) => ov.policies[name].units)],
    contextGroups,
    { group: 'overview', yLabel: 'units', height: 220 },
  );

  const detailRoot = document.getElementById('details');
  for (const d of data.details) {
    const el = document.createElement('div');
    el.className = 'chart detail';
    detailRoot.appendChild(el);
    const names = Object.keys(d.policies);
    const series = [
      { label: 'demand', stroke: '#212529', width: 1.5 },
      ...names.map((name) => ({ label: name, stroke: COLORS[name], width: 1.5 })),
    ];
    const columns = [d.x, d.demand, ...names.map((name) => d.policies[name])];
    if (d.floor) {
      series.push({ label: 'Headroom floor', stroke: '#1864ab', dash: [6, 4], width: 1 });
      columns.push(d.floor);
    }
    const groups = [
      ...contextGroups,
      ...names.map((name, k) => ({ fill: SHADE[name], spans: d.spans[name] || [], strip: 8, offset: k * 9 })),
    ];
    chart(el, d.title, series, columns, groups, { height: 240 });
  }
  // For people poking at the data in the console (and for tests): the uPlot instances.
  window.backtestCharts = charts;
  document.body.dataset.charts = String(charts.length);
})();
