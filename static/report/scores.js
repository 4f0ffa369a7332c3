/*
 * The report's summary: the content and delivery results (separate: the final score is the
 * content score), the formulas they are made with, the older rubric's category bars, and the
 * feedback / strengths / improvements lists. Older stored reports (final = 60% knowledge +
 * 40% confidence, no `formula`) are labelled as such.
 */

import { barList } from '../shared/charts.js';
import { $, node, show } from '../shared/dom.js';
import { fmt } from '../shared/format.js';
import { applyScore, scoreTone } from '../shared/score-scale.js';
import { notObservedText } from './delivery.js';

function setScore(id, value) {
  const el = $(id);
  el.textContent = fmt(value);
  applyScore(el, value);
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

/** An older stored report: final score mixed from knowledge and confidence. */
export const isLegacy = (r) => !r.formula && r.weights && r.weights.confidence != null;

function contentSub(r) {
  const c = r.content || {};
  const labels = Object.entries(c.labels || {}).map(([k, n]) => (n > 1 ? `${k} ×${n}` : k));
  const n = c.answers ?? (r.answers || []).length;
  return `mean of ${n} answer score${n === 1 ? '' : 's'}${labels.length ? ` · scored by ${labels.join(', ')}` : ''}`;
}

export function drawScores(r) {
  setScore('final-score', r.final_score);
  setScore('knowledge-score', r.knowledge_score);
  const delivery = r.delivery_score !== undefined ? r.delivery_score : r.confidence_score;
  setScore('confidence-score', delivery);
  if (isLegacy(r)) {
    const w = r.weights;
    $('final-sub').textContent = `older report: ${Math.round(w.knowledge * 100)}% knowledge + ${Math.round(w.confidence * 100)}% confidence`;
  } else {
    $('final-sub').textContent = '= the content score (delivery is not added)';
  }
  $('content-sub').textContent = contentSub(r);
  const missing = notObservedText(r);
  $('delivery-sub').textContent = delivery == null
    ? 'nothing observed: no delivery score'
    : `from what was observed${missing ? ` · not observed: ${missing}` : ''}`;
  const level = $('level');
  level.textContent = r.performance_level || '—';
  level.dataset.level = r.performance_level || '';
  show('report');
}

const LEGACY_FORMULAS = {
  final: 'final score = 60% knowledge + 40% confidence (older report)',
  content: 'knowledge = mean of the answers\' scores',
  delivery: 'confidence = delivery and vision (older report: how it was measured is not recorded)',
};
const FORMULA_LABELS = { final: 'Final score', content: 'Content', delivery: 'Delivery', level: 'Level' };

export function drawFormulas(r) {
  const f = r.formula || (isLegacy(r) ? LEGACY_FORMULAS : {});
  const list = $('formulas');
  list.replaceChildren();
  for (const [key, label] of Object.entries(FORMULA_LABELS)) {
    if (!f[key]) continue;
    const dd = node('dd', null, f[key]);
    dd.dataset.formula = key;
    list.append(node('dt', null, label), dd);
  }
  show('formulas-panel', list.children.length > 0);
}

const CATEGORY_WEIGHTS = { accuracy: 'weight 40%', coverage: 'weight 30%', clarity: 'weight 20%', depth: 'weight 10%' };

export function drawCategories(r) {
  const cats = r.category_scores || {};
  const box = $('categories');
  if (!Object.keys(CATEGORY_WEIGHTS).some((k) => cats[k] != null)) {
    box.replaceChildren(node('p', 'empty', 'These answers were scored on the points they covered, not on rubric categories.'));
    return;
  }
  barList(box, Object.entries(CATEGORY_WEIGHTS).map(([k, note]) => ({
    label: k, value: cats[k], note,
  })), { max: 100, tone: (v) => scoreTone(v) });
}

export function drawLists(r) {
  fillList('feedback', r.feedback, 'Nothing to point out.');
  fillList('strengths', r.strengths, 'No strengths recorded.');
  fillList('improvements', r.improvements, 'No improvements recorded.');
  show('feedback-panel');
  show('row-lists');
}
