// Tables and lists of the dashboard, built with DOM calls (never HTML from data).

/** `el('td', { class: 'x' }, 'text', child)`. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== false) e.setAttribute(k, String(v));
  for (const c of children.flat())
    if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** Replaces a select's options, keeping the chosen value when it is still offered. */
export function setOptions(select, values, emptyLabel) {
  const keep = select.value;
  select.replaceChildren(...values.map((v) => el('option', { value: v }, v === '' ? emptyLabel : v)));
  if (values.includes(keep)) select.value = keep;
}

const fmt = (v) => (v === null || v === undefined ? '–' : String(v));
const time = (t) => (t ? t.replace('T', ' ').replace(/(:\d\d)(\.\d+)?Z$/, '$1Z') : '');

function stepText(s) {
  return `${Object.entries(s.set)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')} at ${time(s.at)}`;
}

export function renderTargets(tbody, state) {
  tbody.replaceChildren(
    ...state.targets.map((t) =>
      el(
        'tr',
        { 'data-target': t.id },
        el('th', { scope: 'row' }, t.id),
        el('td', {}, t.kind),
        el('td', { class: 'num' }, fmt(t.actual)),
        el('td', { class: 'num' }, fmt(t.ready)),
        el('td', { class: 'num' }, fmt(t.desired)),
        el('td', {}, el('span', { class: `decision ${t.decision}` }, t.decision)),
        el(
          'td',
          { class: 'reasons' },
          el('ul', {}, ...t.reasons.map((r) => el('li', {}, r))),
          t.failure ? el('p', { class: 'failure' }, `last failure: ${t.failure.message}`) : undefined,
        ),
        el('td', {}, t.steps[0] ? stepText(t.steps[0]) : '–'),
      ),
    ),
  );
}

/** Steps waiting for a person, each with Approve and Reject buttons. */
export function renderApprovals(box, state, onDecide) {
  const pending = state.targets.filter((t) => t.decision === 'needs-approval' && t.steps[0]);
  const approvers = state.config.approvers;
  if (!pending.length) {
    box.replaceChildren(el('p', {}, 'No step is waiting for approval.'));
    return;
  }
  box.replaceChildren(
    el(
      'ul',
      { class: 'approvals' },
      ...pending.map((t) => {
        const s = t.steps[0];
        const label = `${t.id}: ${fmt(t.actual)} to ${fmt(t.desired)}`;
        const button = (decision, text) => {
          const b = el(
            'button',
            {
              type: 'button',
              class: decision,
              'aria-label': `${text} step ${s.id} (${label})`,
              disabled: !approvers.length,
            },
            text,
          );
          b.addEventListener('click', () => {
            b.disabled = true;
            onDecide(s.id, decision).finally(() => {
              b.disabled = false;
            });
          });
          return b;
        };
        return el(
          'li',
          { 'data-step': s.id },
          el('strong', {}, label),
          ` step ${s.id}: ${stepText(s)}`,
          el('span', { class: 'why' }, t.reasons.join('; ')),
          el('span', { class: 'buttons' }, button('approve', 'Approve'), button('reject', 'Reject')),
        );
      }),
    ),
    approvers.length ? undefined : el('p', {}, 'No approvers are configured (access.slack.approvers).'),
  );
}

function change(a) {
  const show = (v) =>
    v && typeof v === 'object'
      ? Object.entries(v)
          .map(([k, x]) => `${k} ${x}`)
          .join(', ')
      : v === undefined
        ? ''
        : String(v);
  if (a.before === undefined && a.after === undefined) return '';
  return `${show(a.before)} → ${show(a.after)}`;
}

export function renderAudit(tbody, entries, text) {
  const needle = (text ?? '').toLowerCase();
  const shown = needle ? entries.filter((a) => JSON.stringify(a).toLowerCase().includes(needle)) : entries;
  if (!shown.length) {
    tbody.replaceChildren(el('tr', {}, el('td', { colspan: 7 }, 'No audit entries match.')));
    return;
  }
  tbody.replaceChildren(
    ...shown.map((a) =>
      el(
        'tr',
        { 'data-action': a.action },
        el('td', { class: 'time' }, time(a.at)),
        el('td', {}, a.action),
        el('td', {}, a.target ?? ''),
        el('td', {}, a.stepId ?? ''),
        el('td', {}, change(a)),
        el('td', {}, a.reason, a.error ? el('span', { class: 'failure' }, ` ${a.error}`) : undefined),
        el('td', {}, a.actor ?? ''),
      ),
    ),
  );
}
