/*
 * The spectator's "Over the session" charts (#chart-pace, #chart-eye, #chart-confidence):
 * the series of the `metrics` events, downsampled, redrawn at most once a second.
 * shared/charts.js is loaded after the page is up; a plain polyline stands in until then
 * (or if it cannot be loaded).
 */

import { $, node, svgNode } from '../shared/dom.js';
import { num } from '../shared/format.js';
import { confidenceScore, eyeShare, spoke } from '../shared/metrics.js';
import { spectator } from './state.js';

const CHART_MAX_POINTS = 150;    // drawn points per chart, however long the session
const CHART_REDRAW_MS = 1000;

const CHARTS = {
  pace: {
    id: 'chart-pace', title: 'Pace over the session, words per minute', unit: ' wpm',
    yMin: 0, band: { from: 120, to: 160 }, empty: 'No speech yet',
  },
  eye: {
    id: 'chart-eye', title: 'Eye contact over the session, percent', unit: '%',
    yMin: 0, yMax: 100, empty: 'No camera data yet',
  },
  confidence: {
    id: 'chart-confidence', title: 'Confidence score over the session', unit: '',
    yMin: 0, yMax: 100, empty: 'No score yet',
  },
};
const drawn = { pace: [], eye: [], confidence: [] }; // the arrays the charts draw (reused)
let charts = null; // shared/charts.js, when it loads

/** Add a `metrics` event's points to the series. */
export function addPoints(m) {
  const t = num(m.t);
  if (t == null) return;
  const wpm = num(m.wpm);
  if (wpm != null && spoke(m)) spectator.series.pace.push([t, wpm]);
  if ('eye_contact' in m) {
    const eye = eyeShare(m.eye_contact);
    if (eye != null) spectator.series.eye.push([t, eye * 100]);
  }
  if ('confidence' in m) {
    const score = confidenceScore(m.confidence);
    if (score != null) spectator.series.confidence.push([t, score]);
  }
  spectator.chartsDirty = true;
}

/** At most `max` points: the mean of equal time buckets (cheap for thousands of points). */
function downsample(points, max, out) {
  out.length = 0;
  if (points.length <= max) {
    for (const p of points) out.push(p);
    return out;
  }
  const x0 = points[0][0];
  const span = points[points.length - 1][0] - x0 || 1;
  let bucket = -1, sx = 0, sy = 0, n = 0;
  for (const [x, y] of points) {
    const b = Math.min(max - 1, Math.floor(((x - x0) / span) * max));
    if (b !== bucket && n) {
      out.push([sx / n, sy / n]);
      sx = sy = n = 0;
    }
    bucket = b;
    sx += x; sy += y; n++;
  }
  if (n) out.push([sx / n, sy / n]);
  return out;
}

export function scheduleCharts() {
  if (spectator.chartTimer) return;
  const wait = Math.max(0, CHART_REDRAW_MS - (performance.now() - spectator.chartDrawnAt));
  spectator.chartTimer = setTimeout(() => {
    spectator.chartTimer = 0;
    requestAnimationFrame(drawCharts);
  }, wait);
}

export function drawCharts() {
  spectator.chartsDirty = false;
  spectator.chartDrawnAt = performance.now();
  for (const [name, spec] of Object.entries(CHARTS)) {
    const box = $(spec.id);
    const raw = spectator.series[name];
    const points = downsample(raw, CHART_MAX_POINTS, drawn[name]);
    box.dataset.points = String(raw.length);
    box.dataset.drawn = String(points.length);
    if (charts) {
      charts.lineChart(box, points, {
        title: spec.title, unit: spec.unit, yMin: spec.yMin, yMax: spec.yMax, band: spec.band,
        empty: spec.empty, height: 104,
      });
    } else {
      fallbackChart(box, points, spec);
    }
  }
}

/** A plain polyline, used only until (or if not) shared/charts.js is loaded. */
function fallbackChart(box, points, spec) {
  box.replaceChildren();
  if (!points.length) {
    box.append(node('p', 'chart-empty', spec.empty));
    return;
  }
  const w = 300, h = 90;
  const x0 = points[0][0], x1 = points[points.length - 1][0] || x0 + 1;
  const ys = points.map((p) => p[1]);
  const yMin = spec.yMin ?? Math.min(...ys);
  const yMax = spec.yMax ?? Math.max(yMin + 1, ...ys) * 1.1;
  const sx = (x) => ((x - x0) / (x1 - x0 || 1)) * w;
  const sy = (y) => h - ((y - yMin) / (yMax - yMin || 1)) * h;
  const svg = svgNode('svg', {
    viewBox: `0 0 ${w} ${h}`, class: 'chart-svg', role: 'img', 'aria-label': spec.title,
  });
  svgNode('polyline', {
    class: 'chart-line',
    points: points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '),
  }, svg);
  box.append(svg);
}

/** Load shared/charts.js and redraw with it. */
export function loadCharts() {
  import('../shared/charts.js')
    .then((mod) => {
      if (typeof mod.lineChart !== 'function') return;
      if (typeof mod.installChartCss === 'function') mod.installChartCss();
      charts = mod;
      drawCharts();
    })
    .catch((err) => console.warn('spectator: charts.js unavailable, using plain charts', err));
}
