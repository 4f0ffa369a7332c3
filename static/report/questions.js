/*
 * The report's question table (#questions): a row per planned question and per follow-up,
 * with the answer, its feedback and delivery in a <details>.
 */

import { $, node, show } from '../shared/dom.js';
import { fmt, formatClock, scoreTone } from '../shared/format.js';

const percent = (x) => (x == null ? null : Math.round(100 * x));
const clock = (seconds) => formatClock(Math.round(Number(seconds) || 0));

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
  const b = node('b', null, fmt(score));
  b.dataset.tone = scoreTone(score);
  return b;
}

function answerDetails(a) {
  const d = node('details');
  d.append(node('summary', null, 'Answer and feedback'));
  if (a.answer) d.append(node('p', null, `“${a.answer}”`));
  if (a.feedback) d.append(node('p', null, a.feedback));
  const extra = [];
  if (a.start != null && a.end != null) extra.push(`${clock(a.start)}–${clock(a.end)}`);
  if (a.delivery) extra.push(`${fmt(a.delivery.wpm)} wpm`, `${fmt(a.delivery.fillers_per_min, 1)} fillers/min`);
  if (a.vision && a.vision.eye_contact != null) extra.push(`eye contact ${percent(a.vision.eye_contact)}%`);
  if (a.vision && a.vision.confidence != null) extra.push(`confidence ${fmt(a.vision.confidence)}`);
  if (extra.length) d.append(node('p', null, extra.join(' · ')));
  return d;
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
    body.append(questionRow([[cell], [scoreCell(q.score), 'num'], [fmt(q.accuracy), 'num'],
      [fmt(q.coverage), 'num'], [fmt(q.clarity), 'num'], [fmt(q.depth), 'num'], [pace, 'num']]));
    for (const f of answers.filter((a) => a.index === q.index && a.is_follow_up)) {
      const fcell = node('div');
      fcell.append(node('span', 'tag', 'Follow-up'), node('span', null, f.question || ''), answerDetails(f));
      body.append(questionRow([[fcell], [scoreCell(f.score), 'num'], [fmt(percent(f.accuracy)), 'num'],
        [fmt(percent(f.coverage)), 'num'], [fmt(percent(f.clarity)), 'num'], [fmt(percent(f.depth)), 'num'],
        [f.delivery ? fmt(f.delivery.wpm) : '—', 'num']], 'follow-up'));
    }
  }
  show('questions-panel');
}
