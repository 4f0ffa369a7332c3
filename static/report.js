/*
 * The interview report page (served at /report/{id}?token=CANDIDATE_OR_SPECTATOR_TOKEN).
 *
 * Fetches GET /api/interviews/{id}/report with the page's ?token=, or else with the bearer
 * access token the dashboard keeps in localStorage ('access_token'), and draws it.
 */

import { barList, installChartCss, lineChart } from './shared/charts.js';
import { formatClock as clock, scoreTone } from './shared/format.js';

const formatClock = (seconds) => clock(Math.round(Number(seconds) || 0));

const TOKEN_KEY = 'access_token';
const $ = (id) => document.getElementById(id);

const interviewId = decodeURIComponent((location.pathname.match(/\/report\/([^/?#]+)/) || [])[1] || '');
const token = new URLSearchParams(location.search).get('token') || '';

function text(tag, value, className) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = value;
  return node;
}

function show(id, visible = true) { $(id).hidden = !visible; }

function notice(message, isError = false) {
  const el = $('notice');
  el.textContent = message;
  el.classList.toggle('is-error', isError);
  el.hidden = !message;
}

function fmt(value, digits = 0, suffix = '') {
  const n = Number(value);
  return value == null || !Number.isFinite(n) ? '—' : `${n.toFixed(digits)}${suffix}`;
}

function setScore(id, value) {
  const el = $(id);
  el.textContent = fmt(value);
  el.dataset.tone = scoreTone(value);
}

function fillList(id, items, emptyText) {
  const list = $(id);
  list.replaceChildren();
  if (!items || !items.length) {
    list.append(text('li', emptyText, 'empty'));
    return;
  }
  for (const item of items) list.append(text('li', item));
}

function drawScores(r) {
  setScore('final-score', r.final_score);
  setScore('knowledge-score', r.knowledge_score);
  setScore('confidence-score', r.confidence_score);
  const w = r.weights || { knowledge: 0.6, confidence: 0.4 };
  $('final-sub').textContent = `${Math.round(w.knowledge * 100)}% knowledge + ${Math.round(w.confidence * 100)}% confidence`;
  const level = $('level');
  level.textContent = r.performance_level || '—';
  level.dataset.level = r.performance_level || '';
  show('report');
}

function drawCategories(r) {
  const cats = r.category_scores || {};
  barList($('categories'), ['accuracy', 'coverage', 'clarity', 'depth'].map((k) => ({
    label: k, value: cats[k], note: { accuracy: 'weight 40%', coverage: 'weight 30%', clarity: 'weight 20%', depth: 'weight 10%' }[k],
  })), { max: 100, tone: (v) => scoreTone(v) });
  const d = r.delivery || {};
  const stats = [
    [fmt(d.wpm), 'words per minute'],
    [fmt(d.fillers_per_min, 1), `fillers per minute${d.filler_count != null ? ` (${d.filler_count})` : ''}`],
    [d.pause_ratio == null ? '—' : `${Math.round(d.pause_ratio * 100)}%`, 'time silent'],
    [d.eye_contact == null ? '—' : `${Math.round(d.eye_contact * 100)}%`, 'eye contact'],
  ];
  $('delivery').replaceChildren(...stats.map(([value, label]) => {
    const box = document.createElement('div');
    box.className = 'stat';
    box.append(text('b', value), text('span', label));
    return box;
  }));
  show('row-categories');
}

function drawLists(r) {
  fillList('feedback', r.feedback, 'Nothing to point out.');
  fillList('strengths', r.strengths, 'No strengths recorded.');
  fillList('improvements', r.improvements, 'No improvements recorded.');
  show('feedback-panel');
  show('row-lists');
}

function pct(x) { return x == null ? null : Math.round(100 * x); }

function questionRow(cells, className) {
  const tr = document.createElement('tr');
  if (className) tr.className = className;
  for (const [value, cls] of cells) {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    if (value instanceof Node) td.append(value); else td.textContent = value;
    tr.append(td);
  }
  return tr;
}

function drawQuestions(r) {
  const body = $('questions');
  body.replaceChildren();
  const answers = r.answers || [];
  for (const q of r.per_question || []) {
    const cell = document.createElement('div');
    cell.append(text('span', `${q.index + 1}. `), text('span', q.question || ''));
    if (q.skill) cell.append(text('div', q.skill, 'card-sub'));
    if (!q.answered) cell.append(text('div', 'Not answered', 'card-sub'));
    const main = answers.find((a) => a.index === q.index && !a.is_follow_up);
    if (main) cell.append(answerDetails(main));
    const pace = main && main.delivery ? fmt(main.delivery.wpm) : '—';
    const score = text('b', fmt(q.score));
    score.dataset.tone = scoreTone(q.score);
    body.append(questionRow([[cell], [score, 'num'], [fmt(q.accuracy), 'num'], [fmt(q.coverage), 'num'],
      [fmt(q.clarity), 'num'], [fmt(q.depth), 'num'], [pace, 'num']]));
    for (const f of answers.filter((a) => a.index === q.index && a.is_follow_up)) {
      const fcell = document.createElement('div');
      fcell.append(text('span', 'Follow-up', 'tag'), text('span', f.question || ''), answerDetails(f));
      const fscore = text('b', fmt(f.score));
      fscore.dataset.tone = scoreTone(f.score);
      body.append(questionRow([[fcell], [fscore, 'num'], [fmt(pct(f.accuracy)), 'num'],
        [fmt(pct(f.coverage)), 'num'], [fmt(pct(f.clarity)), 'num'], [fmt(pct(f.depth)), 'num'],
        [f.delivery ? fmt(f.delivery.wpm) : '—', 'num']], 'follow-up'));
    }
  }
  show('questions-panel');
}

function answerDetails(a) {
  const d = document.createElement('details');
  d.append(text('summary', 'Answer and feedback'));
  if (a.answer) d.append(text('p', `“${a.answer}”`));
  if (a.feedback) d.append(text('p', a.feedback));
  const extra = [];
  if (a.start != null && a.end != null) extra.push(`${formatClock(a.start)}–${formatClock(a.end)}`);
  if (a.delivery) extra.push(`${fmt(a.delivery.wpm)} wpm`, `${fmt(a.delivery.fillers_per_min, 1)} fillers/min`);
  if (a.vision && a.vision.eye_contact != null) extra.push(`eye contact ${pct(a.vision.eye_contact)}%`);
  if (a.vision && a.vision.confidence != null) extra.push(`confidence ${fmt(a.vision.confidence)}`);
  if (extra.length) d.append(text('p', extra.join(' · ')));
  return d;
}

function drawCharts(r) {
  const tl = r.timeline || {};
  lineChart($('chart-pace'), tl.pace || [], {
    title: 'Pace over time', unit: ' wpm', band: { from: 120, to: 160 }, yMin: 0,
    empty: 'No speech measured',
  });
  lineChart($('chart-eye'), tl.eye_contact || [], {
    title: 'Eye contact over time', unit: '%', yMin: 0, yMax: 100, band: { from: 60, to: 100 },
    empty: 'No camera data',
  });
  lineChart($('chart-confidence'), tl.confidence || [], {
    title: 'Confidence over time', yMin: 0, yMax: 100, band: { from: 70, to: 100 },
    empty: 'No confidence data',
  });
  show('row-charts');
}

function subtitle(r) {
  const i = r.interview || {};
  const parts = [i.title || i.job_role || 'Interview'];
  if (i.job_role && i.title) parts.push(i.job_role);
  const when = i.started_at || i.created_at;
  if (when) parts.push(new Date(when).toLocaleString());
  parts.push(`${r.questions_answered ?? 0} of ${r.questions_total ?? 0} questions answered`);
  $('subtitle').textContent = parts.join(' · ');
}

async function load() {
  if (!interviewId) {
    notice('This link is incomplete: it needs an interview id.', true);
    return;
  }
  const headers = {};
  const access = localStorage.getItem(TOKEN_KEY);
  if (!token && access) headers.Authorization = `Bearer ${access}`;
  const url = `/api/interviews/${encodeURIComponent(interviewId)}/report` +
    (token ? `?token=${encodeURIComponent(token)}` : '');
  let res;
  try {
    res = await fetch(url, { headers });
  } catch (err) {
    notice(`Could not reach the server (${err.message || err}).`, true);
    return;
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const message = (body.error && body.error.message) || res.statusText;
    const known = {
      401: 'Please log in on the dashboard, or open the link with its token.',
      403: 'You may not see this report (invalid token).',
      404: 'This interview does not exist.',
      409: 'No answer has been evaluated yet: the report appears after the first answer.',
    };
    notice(known[res.status] || `Could not load the report: ${message}`, res.status !== 409);
    $('subtitle').textContent = '';
    return;
  }
  render(body);
}

export function render(r) {
  subtitle(r);
  if (r.partial) notice('Partial report: the interview has not finished yet (or ended abruptly).');
  drawScores(r);
  drawCategories(r);
  drawLists(r);
  drawQuestions(r);
  drawCharts(r);
  $('page').setAttribute('aria-busy', 'false');
  document.title = `Interview report · ${fmt(r.final_score)}/100`;
}

installChartCss();
window.reportPage = { render, reload: load };
load();
