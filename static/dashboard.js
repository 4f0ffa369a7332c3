/*
 * The candidate's dashboard (served at /dashboard): log in, list my interviews, show progress.
 *
 * API: POST /api/auth/login {username, password} -> {access_token, token_type, user};
 *      GET /api/interviews?page&page_size -> {items, page, page_size, total};
 *      GET /api/users/me/stats -> {total, completed, average_score, best_score,
 *                                  average_confidence, average_knowledge,
 *                                  trend: [{id, date, final_score}]}.
 * The access token is kept in localStorage ('access_token'; the report page reads it too).
 */

import { installChartCss, lineChart } from './shared/charts.js';
import { scoreTone } from './shared/format.js';

const TOKEN_KEY = 'access_token';
const USER_KEY = 'access_user';
const PAGE_SIZE = 20;
const $ = (id) => document.getElementById(id);

const state = { page: 1, total: 0 };

class Unauthorized extends Error {}

function token() { return localStorage.getItem(TOKEN_KEY); }

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { ...options, headers });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) throw new Unauthorized((body.error && body.error.message) || 'log in');
  if (!res.ok) throw new Error((body.error && body.error.message) || `${res.status} ${res.statusText}`);
  return body;
}

function text(tag, value, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = value == null ? '' : String(value);
  return node;
}

function fmt(value, digits = 0) {
  const n = Number(value);
  return value == null || !Number.isFinite(n) ? '—' : n.toFixed(digits);
}

function notice(message) {
  $('notice').textContent = message || '';
  $('notice').hidden = !message;
}

// -- login ---------------------------------------------------------------------------------

function showLogin(message = '') {
  $('content').hidden = true;
  $('logout').hidden = true;
  $('user').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('login-name').focus();
}

async function onLogin(event) {
  event.preventDefault();
  const button = $('login-button');
  button.disabled = true;
  $('login-error').textContent = '';
  try {
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: $('login-name').value.trim(), password: $('login-password').value }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok || !body.access_token) {
      $('login-error').textContent = (body.error && body.error.message) || 'Could not log in.';
      return;
    }
    localStorage.setItem(TOKEN_KEY, body.access_token);
    if (body.user) localStorage.setItem(USER_KEY, JSON.stringify(body.user));
    $('login-password').value = '';
    $('login').hidden = true;
    await load();
  } catch (err) {
    $('login-error').textContent = `Could not reach the server (${err.message || err}).`;
  } finally {
    button.disabled = false;
  }
}

function logout() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
  showLogin();
}

// -- content -------------------------------------------------------------------------------

function drawStats(stats) {
  const items = [
    [fmt(stats.total), 'interviews'],
    [fmt(stats.completed), 'completed'],
    [fmt(stats.average_score), 'average score'],
    [fmt(stats.best_score), 'best score'],
    [fmt(stats.average_knowledge), 'average knowledge'],
    [fmt(stats.average_confidence), 'average confidence'],
  ];
  $('stats').replaceChildren(...items.map(([value, label]) => {
    const box = document.createElement('div');
    box.className = 'panel stat';
    box.append(text('b', value), text('span', label));
    return box;
  }));
  const trend = (stats.trend || []).filter((p) => p.final_score != null && p.date);
  lineChart($('progress'), trend.map((p) => [new Date(p.date), p.final_score]), {
    title: 'Final score of each completed interview', yMin: 0, yMax: 100,
    band: { from: 70, to: 100 }, showPoints: true, tone: scoreTone,
    links: (i) => `/report/${encodeURIComponent(trend[i].id)}`,
    empty: 'Complete an interview to see your progress.',
  });
}

function drawInterviews(list) {
  const body = $('interviews');
  body.replaceChildren();
  state.total = list.total || 0;
  for (const item of list.items || []) {
    const tr = document.createElement('tr');
    const when = item.started_at || item.created_at;
    const status = text('span', item.status, 'badge');
    status.dataset.status = item.status || '';
    const final = text('b', fmt(item.final_score));
    final.dataset.tone = scoreTone(item.final_score);
    const links = document.createElement('td');
    if (item.final_score != null || item.status === 'completed' || item.status === 'live') {
      const a = text('a', 'Report');
      a.href = `/report/${encodeURIComponent(item.id)}`;
      links.append(a);
    }
    if (item.status === 'pending' && item.room_url) {
      const a = text('a', 'Start');
      a.href = item.room_url;
      links.append(a);
    }
    const cells = [
      text('td', when ? new Date(when).toLocaleString() : '—'),
      text('td', item.job_role || item.title || '—'),
      (() => { const td = document.createElement('td'); td.append(status); return td; })(),
      (() => { const td = document.createElement('td'); td.className = 'num'; td.append(final); return td; })(),
      text('td', fmt(item.knowledge_score), 'num'),
      text('td', fmt(item.confidence_score), 'num'),
      text('td', item.performance_level || '—'),
      links,
    ];
    tr.append(...cells);
    body.append(tr);
  }
  $('empty').hidden = (list.items || []).length > 0;
  const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
  $('page-info').textContent = `Page ${state.page} of ${pages} · ${state.total} interviews`;
  $('prev').disabled = state.page <= 1;
  $('next').disabled = state.page >= pages;
}

async function loadPage() {
  const list = await api(`/api/interviews?page=${state.page}&page_size=${PAGE_SIZE}`);
  drawInterviews(list);
}

async function load() {
  if (!token()) {
    showLogin();
    return;
  }
  notice('');
  try {
    const [stats, list] = await Promise.all([
      api('/api/users/me/stats'),
      api(`/api/interviews?page=${state.page}&page_size=${PAGE_SIZE}`),
    ]);
    const user = JSON.parse(localStorage.getItem(USER_KEY) || 'null');
    if (user) {
      $('user').textContent = user.full_name || user.username || user.email || '';
      $('user').hidden = false;
    }
    $('logout').hidden = false;
    $('login').hidden = true;
    $('content').hidden = false;
    drawStats(stats);
    drawInterviews(list);
  } catch (err) {
    if (err instanceof Unauthorized) {
      localStorage.removeItem(TOKEN_KEY);
      showLogin('Your session has ended; please log in again.');
    } else {
      notice(`Could not load your interviews: ${err.message || err}`);
    }
  }
}

function init() {
  installChartCss();
  $('login').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', logout);
  $('prev').addEventListener('click', () => { state.page = Math.max(1, state.page - 1); loadPage().catch((e) => notice(e.message)); });
  $('next').addEventListener('click', () => { state.page += 1; loadPage().catch((e) => notice(e.message)); });
  load();
}

window.dashboard = { reload: load, logout };
init();
