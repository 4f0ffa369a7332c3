/*
 * The sign-in and sign-up pages: the form posts to /api/auth/login or /api/auth/register,
 * stores the token as the dashboard does, and goes to ?next= (a path of this site) or /dashboard.
 */

import { storeAccess } from '../shared/access-token.js';
import { OFFLINE, plainError, postJson, safeNext, showFieldErrors } from './forms.js';

const form = document.getElementById('auth-form');
const error = document.getElementById('form-error');
const button = form.querySelector('button[type="submit"]');
const signUp = form.dataset.mode === 'signup';

for (const a of document.querySelectorAll('a[data-keep-next]')) {
  const next = new URLSearchParams(location.search).get('next');
  if (next) a.href = `${a.getAttribute('href')}?next=${encodeURIComponent(next)}`;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const data = Object.fromEntries(new FormData(form));
  if (signUp) data.role = 'recruiter';
  button.disabled = true;
  try {
    const res = await postJson(signUp ? '/api/auth/register' : '/api/auth/login', data);
    if (!res.ok || !res.body.access_token) {
      const fields = (res.body.error && res.body.error.fields) || {};
      error.textContent = plainError(res.status, res.body, res.retryAfter);
      showFieldErrors(form, fields);
      if (!Object.keys(fields).length) error.focus();
      return;
    }
    storeAccess(res.body.access_token, res.body.user);
    location.assign(safeNext());
  } catch {
    error.textContent = OFFLINE;
  } finally {
    button.disabled = false;
  }
});
