// The dashboard's calls to its own server: same origin only, JSON, the CSRF token on POSTs.

let session;

/** A JSON answer; a 401 (the session ended) reloads into the login page. */
export async function getJson(path) {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) {
    location.reload();
    throw new Error('not logged in');
  }
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `${path}: ${res.status}`);
  return body;
}

export async function loadSession() {
  session = await getJson('/dashboard/session');
  return session;
}

export async function postJson(path, payload) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      [session.csrfHeader]: session.csrf,
    },
    body: JSON.stringify(payload),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `${path}: ${res.status}`);
  return body;
}

export const fetchState = () => getJson('/dashboard/state');
export const fetchForecast = () => getJson('/dashboard/forecast');

export function fetchAudit(filters) {
  const q = new URLSearchParams({ limit: '200' });
  for (const k of ['action', 'target', 'since']) if (filters[k]) q.set(k, filters[k]);
  return getJson(`/dashboard/audit?${q}`);
}

export const decide = (stepId, decision, approver) =>
  postJson('/dashboard/decide', { stepId, decision, approver });
