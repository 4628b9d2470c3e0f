// The dashboard page: polls its JSON routes and redraws only the sections whose data changed,
// so keyboard focus and scroll positions survive a refresh.
import { decide, fetchAudit, fetchForecast, fetchState, loadSession } from './api.js';
import { renderCharts } from './charts.js';
import { renderTimeline } from './timeline.js';
import { renderApprovals, renderAudit, renderTargets, setOptions } from './views.js';

const FORECAST_MS = 30_000;
const $ = (id) => document.getElementById(id);
const seen = new Map();
let latest;
let forecast;
let filters = {};

/** Calls render when key's data differs from the last drawn. */
function changed(key, data, render) {
  const text = JSON.stringify(data);
  if (seen.get(key) === text) return;
  seen.set(key, text);
  render();
}

function status(text) {
  $('status').textContent = text;
}

async function refreshState() {
  const [state, audit] = await Promise.all([fetchState(), fetchAudit(filters)]);
  latest = state;
  document.body.dataset.at = state.at;
  changed('targets', state.targets, () => renderTargets($('targets').tBodies[0], state));
  changed('approvers', state.config.approvers, () => setOptions($('approver'), state.config.approvers));
  changed('targetNames', state.config.targets, () =>
    setOptions($('audit-filters').elements.target, ['', ...state.config.targets.map((t) => t.id)], 'all'),
  );
  // Redrawn only when the pending steps change, so a focused Approve button keeps its focus.
  const pending = state.targets
    .filter((t) => t.decision === 'needs-approval')
    .map((t) => [t.steps[0]?.id, t.actual, t.desired]);
  changed('approvals', [pending, state.config.approvers], () =>
    renderApprovals($('approvals'), state, onDecide),
  );
  changed('audit', [audit.entries, filters.text], () =>
    renderAudit($('audit').tBodies[0], audit.entries, filters.text),
  );
  changed(
    'timeline',
    [state.targets, state.intents, state.campaigns, audit.entries, state.at.slice(0, 16)],
    () => renderTimeline($('timeline'), state, audit.entries),
  );
  if (forecast)
    changed('charts', [forecast, state.intents, state.campaigns], () =>
      renderCharts($('charts'), forecast, state),
    );
  const paused = state.paused ? ` · paused by ${state.paused.by}` : '';
  status(`Brain time ${state.at}${paused} · updated ${new Date().toLocaleTimeString()}`);
  document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? 0) + 1);
}

async function refreshForecast() {
  try {
    forecast = await fetchForecast();
    if (latest)
      changed('charts', [forecast, latest.intents, latest.campaigns], () =>
        renderCharts($('charts'), forecast, latest),
      );
  } catch (err) {
    $('charts').textContent = `Forecasts unavailable: ${err.message}`;
  }
}

async function onDecide(stepId, decision) {
  const approver = $('approver').value;
  const out = $('decide-result');
  out.textContent = `${decision === 'approve' ? 'Approving' : 'Rejecting'} ${stepId}…`;
  try {
    const r = await decide(stepId, decision, approver);
    const results = r.results.map((x) => `${x.outcome}${x.message ? `: ${x.message}` : ''}`).join('; ');
    out.textContent = `Step ${stepId} ${r.decision} by ${approver}${results ? ` (${results})` : ''}`;
    await refreshState();
  } catch (err) {
    out.textContent = `Step ${stepId}: ${err.message}`;
  }
}

function loop(fn, ms) {
  const run = async () => {
    if ($('live').checked || !seen.size)
      await fn().catch((err) => status(`Update failed: ${err.message} (retrying)`));
    setTimeout(run, ms);
  };
  run();
}

async function start() {
  const actions = [
    'step-executed',
    'step-started',
    'step-failed',
    'failure-cleared',
    'step-recovered',
    'manual-change',
    'step-dry-run',
    'step-skipped',
    'approval-requested',
    'approval',
    'blocked',
    'intent-created',
    'intent-released',
    'campaign-added',
    'campaign-cancelled',
    'paused',
    'resumed',
  ];
  setOptions($('audit-filters').elements.action, ['', ...actions], 'all');
  $('audit-filters').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const next = Object.fromEntries([...f.entries()].filter(([, v]) => v !== ''));
    $('audit-error').textContent = '';
    // A filter the server refuses (a bad time) leaves the last good one in place.
    fetchAudit(next)
      .then(() => {
        filters = next;
        return refreshState();
      })
      .catch((err) => {
        $('audit-error').textContent = err.message;
      });
  });
  const session = await loadSession();
  loop(refreshState, session.refreshSeconds * 1000);
  // The forecast is heavier (history and a model per signal): refreshed less often.
  await refreshForecast();
  setInterval(() => $('live').checked && refreshForecast(), FORECAST_MS);
  window.addEventListener('resize', () => forecast && latest && renderCharts($('charts'), forecast, latest));
}

start().catch((err) => status(`Cannot load the dashboard: ${err.message}`));
