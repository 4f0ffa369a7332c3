/*
 * The recruiter pages' API calls (jobs page, new-interview page), with the stored bearer token.
 * Every call resolves to {status, ok, body}; it throws only when the server cannot be reached.
 *   GET /api/auth/me -> the signed-in user {id, role, ...}
 *   GET /api/jobs?page&page_size -> {items: [{id, title, description, skills, experience,
 *       questions, created_by, created_at}], page, page_size, total}
 *   POST /api/jobs, PUT /api/jobs/{id} {title, description, skills, experience, questions}
 *   DELETE /api/jobs/{id} -> 204
 */

import { accessToken, forgetAccess } from '../shared/access-token.js';

export const JOBS_PAGE_SIZE = 100;

/** A JSON request with the bearer token: {status, ok, body}. */
export async function call(method, path, data) {
  const headers = {};
  const token = accessToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (data !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, body: data === undefined ? undefined : JSON.stringify(data),
  });
  const body = res.status === 204 ? {} : await res.json().catch(() => ({}));
  return { status: res.status, ok: res.ok, body };
}

/**
 * Who is signed in: {user} for a recruiter or admin, else {problem: 'signed-out' | 'candidate'
 * | 'offline'}. An expired token is forgotten (the sign-in page asks again).
 */
export async function recruiter() {
  if (!accessToken()) return { problem: 'signed-out' };
  let res;
  try {
    res = await call('GET', '/api/auth/me');
  } catch {
    return { problem: 'offline' };
  }
  if (res.status === 401) {
    forgetAccess({ keepUser: true });
    return { problem: 'signed-out' };
  }
  if (!res.ok) return { problem: 'offline' };
  const role = res.body.role;
  return role === 'recruiter' || role === 'admin' ? { user: res.body } : { problem: 'candidate' };
}

export const listJobs = (page = 1, pageSize = JOBS_PAGE_SIZE) =>
  call('GET', `/api/jobs?page=${page}&page_size=${pageSize}`);
export const getJob = (id) => call('GET', `/api/jobs/${encodeURIComponent(id)}`);
export const saveJob = (id, job) => (id
  ? call('PUT', `/api/jobs/${encodeURIComponent(id)}`, job)
  : call('POST', '/api/jobs', job));
export const deleteJob = (id) => call('DELETE', `/api/jobs/${encodeURIComponent(id)}`);
