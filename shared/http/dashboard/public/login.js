// The login form of a deployed dashboard: the token is sent once and exchanged for an
// HttpOnly session cookie; the page then reloads into the dashboard.
const form = document.getElementById('login');
const error = document.getElementById('login-error');
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.textContent = '';
  const token = new FormData(form).get('token');
  const res = await fetch('/dashboard/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (res.ok) location.reload();
  else error.textContent = (await res.json().catch(() => ({}))).error ?? `login failed (${res.status})`;
});
