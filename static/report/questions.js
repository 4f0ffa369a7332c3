/*
 * The report's question table (#questions): a row per planned question, per follow-up and
 * per recruiter's question, with where its score came from (an LLM or an offline estimate),
 * the points it covered, and in a <details> the answer, its evidence and its delivery.
 */

import { $, node, show } from '../shared/dom.js';
import { fmt, formatClock } from '../shared/format.js';
import { applyScore } from '../shared/score-scale.js';

const percent = (x) => (x == null ? null : Math.round(100 * x));
const clock = (seconds) => formatClock(Math.round(Number(seconds) || 0));
const OLD_CATEGORIES = ['accuracy', 'coverage', 'clarity', 'depth'];

/** Where a score came from, also for older reports without `source_label`. */
export function scoredBy(e) {
  if (!e) return '—';
  if (e.source_label) return e.source_label;
  if (e.source === 'groq') return 'LLM (Groq)';
  if (e.source === 'offline') return 'keyword matching, offline estimate';
  return e.source || '—';
}

function questionRow(cells, className) {
  const tr = node('tr', className);
  for (const [value, cls] of cells) {
    const td = node('td', cls);
    if (value instanceof Node) td.append(value); else td.textContent = value;
    tr.append(td);
  }
  return tr;
}

function scoreCell(score) {
  const b = node('b', 'score', fmt(score));
  const band = applyScore(b, score);
  if (band) b.append(node('span', 'band-word', ` ${band.word}`));
  return b;
}

function sourceCell(e) {
  const span = node('span', 'source', scoredBy(e));
  span.dataset.source = (e && e.source) || '';
  return span;
}

function pointsCell(e) {
  if (!e) return '—';
  const covered = (e.points_covered || []).length;
  const total = covered + (e.points_missed || []).length + (e.points_contradicted || []).length;
  return total ? `${covered} / ${total}` : '—';
}

function listPara(label, items) {
  return items && items.length ? node('p', null, `${label}: ${items.join('; ')}`) : null;
}

function evidenceList(evidence) {
  if (!Array.isArray(evidence) || !evidence.length) return null;
  const ul = node('ul', 'evidence');
  for (const ev of evidence) {
    const sim = ev.similarity == null ? '' : ` (similarity ${fmt(ev.similarity, 2)})`;
    const said = ev.sentence ? ` — “${ev.sentence}”` : '';
    const li = node('li', null, `${ev.point || ''}: ${ev.status || ''}${said}${sim}`);
    li.dataset.status = ev.status || '';
    ul.append(li);
  }
  return ul;
}

function deliveryLine(a) {
  const d = a.delivery || {};
  const parts = [];
  if (a.start != null && a.end != null) parts.push(`${clock(a.start)}–${clock(a.end)}`);
  if (d.wpm != null) parts.push(`${fmt(d.wpm)} wpm`);
  if (d.fillers_per_min != null) parts.push(`${fmt(d.fillers_per_min, 1)} fillers/min`);
  if (d.pause_ratio != null) parts.push(`${Math.round(100 * d.pause_ratio)}% pauses`);
  if (d.long_pauses) parts.push(`${d.long_pauses} long pause${d.long_pauses === 1 ? '' : 's'}`);
  if (d.time_to_first_word_s != null) parts.push(`first word after ${fmt(d.time_to_first_word_s, 1)} s`);
  const v = a.vision || {};
  if (v.camera_frozen) parts.push('camera frozen: vision not used');
  else if (v.eye_contact != null) parts.push(`eye contact ${percent(v.eye_contact)}%`);
  else if (a.vision) parts.push('eye contact not observed');
  return parts.length ? node('p', 'answer-delivery', parts.join(' · ')) : null;
}

function answerDetails(a) {
  const d = node('details');
  d.append(node('summary', null, 'Answer, evidence and delivery'));
  const parts = [
    a.answer ? node('p', null, `“${a.answer}”`) : null,
    a.feedback ? node('p', null, a.feedback) : null,
    node('p', 'card-sub', `Scored by: ${scoredBy(a)}${a.formula ? ` · ${a.formula}` : ''}`),
    evidenceList(a.evidence),
    listPara('Missed', a.points_missed),
    listPara('Contradicted', a.points_contradicted),
    listPara('Misconceptions', a.misconceptions),
    listPara('Gates', (a.gates || []).map((g) => (typeof g === 'string' ? g : JSON.stringify(g)))),
  ];
  const cats = OLD_CATEGORIES.filter((k) => typeof a[k] === 'number');
  if (cats.length && !a.method) {
    parts.push(node('p', 'card-sub', `Older rubric: ${cats.map((k) => `${k} ${percent(a[k])}`).join(' · ')}`));
  }
  parts.push(deliveryLine(a));
  d.append(...parts.filter(Boolean));
  return d;
}

function answerRow(a, tag, className) {
  const cell = node('div');
  cell.append(node('span', 'tag', tag), node('span', null, a.question || ''), answerDetails(a));
  return questionRow([[cell], [scoreCell(a.score), 'num'], [sourceCell(a)], [pointsCell(a), 'num'],
    [a.delivery ? fmt(a.delivery.wpm) : '—', 'num']], className);
}

export function drawQuestions(r) {
  const body = $('questions');
  body.replaceChildren();
  const answers = r.answers || [];
  for (const q of r.per_question || []) {
    const cell = node('div');
    cell.append(node('span', null, `${q.index + 1}. `), node('span', null, q.question || ''));
    if (q.skill) cell.append(node('div', 'card-sub', q.skill));
    if (!q.answered) cell.append(node('div', 'card-sub', 'Not answered'));
    const main = answers.find((a) => a.index === q.index && !a.is_follow_up);
    if (main) cell.append(answerDetails(main));
    const pace = main && main.delivery ? fmt(main.delivery.wpm) : '—';
    const scored = q.answered ? sourceCell(main || q) : '—';
    body.append(questionRow([[cell], [scoreCell(q.score), 'num'], [scored],
      [pointsCell(main || (q.answered ? q : null)), 'num'], [pace, 'num']]));
    for (const f of answers.filter((a) => a.index === q.index && a.is_follow_up)) {
      body.append(answerRow(f, 'Follow-up', 'follow-up'));
    }
  }
  // every other answer (a recruiter's question, or one that matches no planned question)
  const shown = new Set(answers.filter((a) => (r.per_question || []).some((q) => a.index === q.index)));
  for (const a of answers.filter((x) => !shown.has(x))) {
    const recruiter = a.question_source === 'recruiter' || a.index == null;
    body.append(answerRow(a, recruiter ? 'Recruiter\'s question' : 'Answer', 'recruiter'));
  }
  show('questions-panel');
}
