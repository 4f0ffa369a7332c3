/*
 * The account pages' shared parts: API errors in plain words, next-URL checks, field errors.
 */

const PLAIN = {
  required: 'Please fill this in.',
  'already taken': 'This username is taken. Please choose another.',
  'already registered': 'An account with this email already exists. Sign in instead.',
};

/** A field message of the API in plain words (a sentence). */
export function plainField(message) {
  if (PLAIN[message]) return PLAIN[message];
  const text = String(message || 'Please check this.');
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}

/** The form-level message of a failed response, in plain words (never a code). */
export function plainError(status, body, retryAfter) {
  const code = body && body.error && body.error.code;
  if (code === 'invalid_credentials') return 'The username or password is not right. Please try again.';
  if (code === 'account_disabled') return 'This account is disabled.';
  if (status === 429) {
    const s = Number(retryAfter) || 60;
    return `Too many attempts. Please wait ${s >= 120 ? `${Math.ceil(s / 60)} minutes` : `${s} seconds`} and try again.`;
  }
  if (status === 422 || status === 409) return 'Please correct the fields marked below.';
  return 'Something went wrong on our side. Please try again.';
}

export const OFFLINE = 'Could not reach the server. Check your connection and try again.';

/** `next` of the URL if it is a path of this site, else `fallback`. */
export function safeNext(fallback = '/dashboard') {
  const raw = new URLSearchParams(location.search).get('next') || '';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  try {
    const url = new URL(raw, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : fallback;
  } catch {
    return fallback;
  }
}

/** Show the API's field errors next to inputs named like the fields; clear the others. */
export function showFieldErrors(form, fields = {}) {
  for (const input of form.querySelectorAll('input[name]')) {
    const out = document.getElementById(`${input.id}-error`);
    const message = fields[input.name];
    if (out) out.textContent = message ? plainField(message) : '';
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
  }
  const first = form.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
}

/** POST JSON; {status, body, retryAfter} (throws only when the server is unreachable). */
export async function postJson(path, data) {
  const res = await fetch(path, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(data),
  });
  const body = await res.json().catch(() => ({}));
  return { status: res.status, ok: res.ok, body, retryAfter: res.headers.get('Retry-After') };
}
