/*
 * The report's delivery panel: pace, fillers and pauses over the answers (first word to last
 * word), time to first word, eye contact only when a live camera saw a face, what was not
 * observed and why, and the delivery score's components.
 */

import { barList } from '../shared/charts.js';
import { $, node, show, statBox } from '../shared/dom.js';
import { fmt } from '../shared/format.js';
import { scoreTone } from '../shared/score-scale.js';

const LABELS = { pace: 'pace', fillers: 'fillers', pauses: 'pauses', eye_contact: 'eye contact', posture: 'posture' };
const CAMERA = {
  observed: 'Camera: a face was observed.',
  'no camera': 'No camera: eye contact and posture were not observed (not scored).',
  'no face': 'No face in view: eye contact and posture were not observed (not scored).',
  frozen: 'Camera frozen (still frames, e.g. a photo): eye contact and posture were not used.',
};
const SOURCES = {
  answers: 'Measured over each answer, from its first word to its last (pauses inside included; reading and thinking time before the first word is shown separately).',
  'live metrics': 'Older session: the live, session-wide figures (they include time between answers).',
};

const percent = (x) => (x == null ? '—' : `${Math.round(x * 100)}%`);

/** "eye contact, posture (no camera)": the not-observed components grouped by reason. */
export function notObservedText(r) {
  const byReason = new Map();
  for (const n of r.delivery_not_observed || []) {
    const list = byReason.get(n.reason) || [];
    list.push(LABELS[n.component] || n.component);
    byReason.set(n.reason, list);
  }
  return [...byReason].map(([reason, names]) => `${names.join(', ')} (${reason})`).join('; ');
}

export function drawDelivery(r) {
  const d = r.delivery || {};
  const pauses = d.long_pauses != null
    ? `time in pauses · ${d.long_pauses} long (≥ 2 s)${d.longest_pause_s ? `, longest ${fmt(d.longest_pause_s, 1)} s` : ''}`
    : 'time in pauses';
  const stats = [
    [fmt(d.wpm), 'words per minute'],
    [fmt(d.fillers_per_min, 1), `fillers per minute${d.filler_count != null ? ` (${d.filler_count})` : ''}`],
    [percent(d.pause_ratio), pauses],
    [d.time_to_first_word_s == null ? '—' : `${fmt(d.time_to_first_word_s, 1)} s`, 'to the first word (mean)'],
    // "—" as every figure without data ("not observed" as a value overflowed its box)
    d.eye_contact == null ? ['—', 'eye contact: not observed'] : [percent(d.eye_contact), 'eye contact'],
  ];
  $('delivery').replaceChildren(...stats.map(([value, label]) => statBox(value, label)));
  const notes = [];
  if (SOURCES[d.source]) notes.push(SOURCES[d.source]);
  if (CAMERA[d.camera]) notes.push(CAMERA[d.camera]);
  const fillers = Object.entries(d.fillers || {}).sort((a, b) => b[1] - a[1]);
  if (fillers.length) notes.push(`Fillers: ${fillers.map(([w, n]) => `“${w}” ×${n}`).join(', ')}.`);
  const note = $('delivery-note');
  note.textContent = notes.join(' ');
  note.dataset.camera = d.camera || '';
  const comps = r.delivery_components || {};
  const weights = (r.weights && r.weights.delivery_components) || {};
  const items = Object.entries(comps).map(([k, v]) => ({
    label: LABELS[k] || k, value: v, note: weights[k] != null ? `weight ${weights[k]}` : '',
  }));
  for (const n of r.delivery_not_observed || []) {
    items.push({ label: LABELS[n.component] || n.component, value: null, note: `not observed: ${n.reason}` });
  }
  const box = $('delivery-components');
  if (items.length) barList(box, items, { max: 100, tone: (v) => scoreTone(v) });
  else box.replaceChildren();
  show('row-categories');
}
