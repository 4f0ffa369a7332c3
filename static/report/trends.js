/*
 * The report's "over time" charts of the live metrics: pace, eye contact (not the frozen
 * camera's) and the live delivery score along the interview, each with a marker where each
 * question starts (Q1, Q2, ...; `question_starts`).
 */

import { lineChart } from '../shared/charts.js';
import { $, show } from '../shared/dom.js';

/** Where each question starts: the report's `question_starts`; an older report without them
 * marks each answer's first word instead. */
export function questionMarkers(r) {
  const starts = Array.isArray(r.question_starts) ? r.question_starts
    : (r.answers || []).filter((a) => a.start != null).map((a) => ({
      t: a.start,
      label: Number.isInteger(a.index) ? `Q${a.index + 1}${a.is_follow_up ? '+' : ''}` : 'R',
      title: Number.isInteger(a.index)
        ? `${a.is_follow_up ? 'Follow-up to question' : 'Answer to question'} ${a.index + 1}`
        : 'Answer to the recruiter\'s question',
    }));
  return starts.map((q) => ({ x: q.t, label: q.label, title: q.title }));
}

export function drawTrends(r) {
  const tl = r.timeline || {};
  const markers = questionMarkers(r);
  lineChart($('chart-pace'), tl.pace || [], {
    title: 'Pace over time', unit: ' wpm', band: { from: 120, to: 160 }, yMin: 0,
    empty: 'No speech measured', markers,
  });
  lineChart($('chart-eye'), tl.eye_contact || [], {
    title: 'Eye contact over time', unit: '%', yMin: 0, yMax: 100, band: { from: 60, to: 100 },
    empty: (r.delivery || {}).camera === 'frozen' ? 'Camera frozen: not used' : 'No camera data',
    markers,
  });
  lineChart($('chart-confidence'), tl.confidence || [], {
    title: 'Live delivery score over time', yMin: 0, yMax: 100, band: { from: 70, to: 100 },
    empty: 'No live delivery score', markers,
  });
  show('row-charts');
}
