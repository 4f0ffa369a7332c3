/*
 * The dashboard's API calls, with the stored bearer token. A 401 throws Unauthorized.
 *   POST /api/auth/login {username, password} -> {access_token, token_type, user}
 *   GET /api/interviews?page&page_size -> {items, page, page_size, total}
 *   GET /api/users/me/stats -> {total, completed, average_score, best_score,
 *                               average_confidence, average_knowledge,
 *                               trend: [{id, date, final_score}]}
 */

import { accessToken } from '../shared/access-token.js';
import { errorMessage } from '../shared/location.js';

export const PAGE_SIZE = 20;

export class Unauthorized extends Error {}

export async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  const token = accessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { ...options, headers });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) throw new Unauthorized(errorMessage(body, 'log in'));
  if (!res.ok) throw new Error(errorMessage(body, `${res.status} ${res.statusText}`));
  return body;
}

export const interviewsPage = (page) => api(`/api/interviews?page=${page}&page_size=${PAGE_SIZE}`);
export const myStats = () => api('/api/users/me/stats');

/** Log in: the response body ({access_token, user} or {error}) and whether it succeeded. */
export async function logIn(username, password) {
  const res = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.json().catch(() => ({}));
  return { ok: res.ok && Boolean(body.access_token), body };
}
