/*
 * The report's "over time" charts: pace, eye contact and confidence along the interview.
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
    empty: 'No camera data',
  });
  lineChart($('chart-confidence'), tl.confidence || [], {
    title: 'Confidence over time', yMin: 0, yMax: 100, band: { from: 70, to: 100 },
    empty: 'No confidence data',
  });
  show('row-charts');
}
