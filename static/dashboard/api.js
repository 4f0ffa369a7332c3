/*
 * The dashboard's API calls, with the stored bearer token. A 401 throws Unauthorized.
 *   POST /api/auth/login {username, password} -> {access_token, token_type, user}
 *   GET /api/interviews?page&page_size[&candidate_id] -> {items, page, page_size, total,
 *       summary: {total, completed, incomplete, abandoned, live, pending, average_score,
 *                 best_score, candidates: [{id, email, name, interviews}]}}
 *     each item with its outcome, candidate {id, email, name} | null, scores, tokens
 *   DELETE /api/interviews/{id} -> 204
 *   GET /api/users/me/stats -> {total, completed, average_score, ..., trend}
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
  let res;
  try {
    res = await fetch(path, { ...options, headers });
  } catch {
    throw new Error('the server could not be reached; check your connection and try again');
  }
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) throw new Unauthorized(errorMessage(body, 'please log in'));
  if (!res.ok) throw new Error(errorMessage(body, 'the server could not do it; try again later'));
  return body;
}

export const interviewsPage = (page) => api(`/api/interviews?page=${page}&page_size=${PAGE_SIZE}`);
/** Up to 100 interviews of one candidate (their progress). */
export const candidateInterviews = (id) => api(`/api/interviews?candidate_id=${encodeURIComponent(id)}&page_size=100`);
export const deleteInterview = (id) => api(`/api/interviews/${encodeURIComponent(id)}`, { method: 'DELETE' });
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
