/*
 * The report's "over time" charts of the live metrics: pace, eye contact (not the frozen
 * camera's) and the live delivery score along the interview.
 */

import { lineChart } from '../shared/charts.js';
import { $, show } from '../shared/dom.js';

export function drawTrends(r) {
  const tl = r.timeline || {};
  lineChart($('chart-pace'), tl.pace || [], {
    title: 'Pace over time', unit: ' wpm', band: { from: 120, to: 160 }, yMin: 0,
    empty: 'No speech measured',
  });
  lineChart($('chart-eye'), tl.eye_contact || [], {
    title: 'Eye contact over time', unit: '%', yMin: 0, yMax: 100, band: { from: 60, to: 100 },
    empty: (r.delivery || {}).camera === 'frozen' ? 'Camera frozen: not used' : 'No camera data',
  });
  lineChart($('chart-confidence'), tl.confidence || [], {
    title: 'Live delivery score over time', yMin: 0, yMax: 100, band: { from: 70, to: 100 },
    empty: 'No live delivery score',
  });
  show('row-charts');
}
