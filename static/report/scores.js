/*
 * The report's summary: the scores, the category bars and delivery figures, and the
 * feedback / strengths / improvements lists.
 */

import { barList } from '../shared/charts.js';
import { $, node, show, statBox } from '../shared/dom.js';
import { fmt, scoreTone } from '../shared/format.js';

function setScore(id, value) {
  const el = $(id);
  el.textContent = fmt(value);
  el.dataset.tone = scoreTone(value);
}

function fillList(id, items, emptyText) {
  const list = $(id);
  list.replaceChildren();
  if (!items || !items.length) {
    list.append(node('li', 'empty', emptyText));
    return;
  }
  for (const item of items) list.append(node('li', null, item));
}

export function drawScores(r) {
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

const CATEGORY_WEIGHTS = { accuracy: 'weight 40%', coverage: 'weight 30%', clarity: 'weight 20%', depth: 'weight 10%' };

export function drawCategories(r) {
  const cats = r.category_scores || {};
  barList($('categories'), Object.entries(CATEGORY_WEIGHTS).map(([k, note]) => ({
    label: k, value: cats[k], note,
  })), { max: 100, tone: (v) => scoreTone(v) });
  const d = r.delivery || {};
  const stats = [
    [fmt(d.wpm), 'words per minute'],
    [fmt(d.fillers_per_min, 1), `fillers per minute${d.filler_count != null ? ` (${d.filler_count})` : ''}`],
    [d.pause_ratio == null ? '—' : `${Math.round(d.pause_ratio * 100)}%`, 'time silent'],
    [d.eye_contact == null ? '—' : `${Math.round(d.eye_contact * 100)}%`, 'eye contact'],
  ];
  $('delivery').replaceChildren(...stats.map(([value, label]) => statBox(value, label)));
  show('row-categories');
}

export function drawLists(r) {
  fillList('feedback', r.feedback, 'Nothing to point out.');
  fillList('strengths', r.strengths, 'No strengths recorded.');
  fillList('improvements', r.improvements, 'No improvements recorded.');
  show('feedback-panel');
  show('row-lists');
}
