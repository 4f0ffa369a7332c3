/*
 * The replay's metric charts (#charts): a step line per metric over the whole duration, with
 * a cursor and the value at the playback position, and a marker where each question starts
 * (Q1, Q2, ...: the report's rule, analyzers/report_moments.py); clicking a chart seeks there.
 */

import { $, node, svgNode as svg } from '../shared/dom.js';
import { EVENT } from '../shared/event-kinds.js';
import { formatClock, num } from '../shared/format.js';
import { confidenceScore, spoke } from '../shared/metrics.js';
import { currentTime, seek } from './player.js';
import { lastAtOrBefore, state } from './state.js';

const CHARTS = [
  // pace means something once words were said (before that the server reports 0)
  { key: 'wpm', title: 'Words per minute', color: '#3451d1',
    pick: (e) => (spoke(e) ? num(e.wpm) : null),
    min: 0, fmt: (v) => `${Math.round(v)} wpm` },
  { key: 'eye_contact', title: 'Eye contact', color: '#c47c06',
    pick: (e) => (num(e.eye_contact) == null ? null : 100 * e.eye_contact),
    min: 0, max: 100, fmt: (v) => `${Math.round(v)}%` },
  { key: 'confidence', title: 'Confidence', color: '#23884a',
    pick: (e) => confidenceScore(e.confidence),
    min: 0, max: 100, fmt: (v) => `${Math.round(v)}/100` },
];

/** Where each question starts, in time order: {t, label, title}: `Q2` (planned question 2),
 * `Q2+` (its follow-up), `R1` (the recruiter's first own question); a turn counts once. */
export function questionStarts(events) {
  const out = [];
  const seen = new Set();
  let recruiter = 0;
  const asked = events.filter((e) => e.type === EVENT.QUESTION && num(e.t) != null)
    .sort((a, b) => a.t - b.t);
  for (const e of asked) {
    if (seen.has(e.turn)) continue;
    seen.add(e.turn);
    const n = Number.isInteger(e.index) ? e.index + 1 : null;
    let label;
    let title;
    if (n == null) {
      recruiter += 1;
      [label, title] = [`R${recruiter}`, `Recruiter's question ${recruiter}`];
    } else if (e.is_follow_up) {
      [label, title] = [`Q${n}+`, `Follow-up to question ${n}`];
    } else {
      [label, title] = [`Q${n}`, `Question ${n}`];
    }
    out.push({ t: e.t, label, title: `${title} at ${formatClock(e.t)}` });
  }
  return out;
}

export function buildCharts(events) {
  state.questionStarts = questionStarts(events);
  const metrics = events.filter((e) => e.type === EVENT.METRICS);
  state.chartSpecs = CHARTS.map((spec) => ({
    ...spec,
    points: metrics.map((e) => [e.t, spec.pick(e)]).filter(([, v]) => v != null),
  }));
  renderCharts();
  if (typeof ResizeObserver === 'function') {
    let width = $('charts').clientWidth;
    new ResizeObserver(() => {
      if (Math.abs($('charts').clientWidth - width) < 4) return;
      width = $('charts').clientWidth;
      renderCharts();
    }).observe($('charts'));
  }
}

export function renderCharts() {
  const box = $('charts');
  box.replaceChildren();
  state.charts = [];
  const width = Math.max(240, box.clientWidth || 480);
  const height = 84;
  const pad = { left: 34, right: 8, top: 6, bottom: 16 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  for (const spec of state.chartSpecs) {
    const wrap = node('div', 'chart');
    wrap.dataset.metric = spec.key;
    const head = node('div', 'chart-head');
    const value = node('span', 'chart-value', '—');
    head.append(node('span', null, spec.title), value);
    wrap.append(head);
    box.append(wrap);
    if (!spec.points.length) {
      wrap.append(node('p', 'chart-empty', 'No data in this interview.'));
      continue;
    }
    const ys = spec.points.map((p) => p[1]);
    const yMin = spec.min ?? Math.min(...ys);
    let yMax = spec.max ?? Math.max(...ys) * 1.1;
    if (yMax <= yMin) yMax = yMin + 1;
    const x = (t) => pad.left + (Math.max(0, Math.min(state.duration, t)) / (state.duration || 1)) * w;
    const y = (v) => pad.top + h - ((Math.max(yMin, Math.min(yMax, v)) - yMin) / (yMax - yMin)) * h;
    const starts = state.questionStarts || [];
    const name = [`${spec.title} over time`, ...(starts.length ? [starts.map((q) => q.title).join(', ')] : [])];
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-label': name.join('. ') }, wrap);
    for (const v of [yMin, (yMin + yMax) / 2, yMax]) {
      svg('line', { x1: pad.left, x2: pad.left + w, y1: y(v), y2: y(v), class: 'grid' }, root);
      svg('text', { x: pad.left - 5, y: y(v) + 3, 'text-anchor': 'end', class: 'tick' }, root)
        .textContent = String(Math.round(v));
    }
    for (const t of [0, state.duration / 2, state.duration]) {
      svg('text', { x: x(t), y: height - 3, 'text-anchor': t ? (t === state.duration ? 'end' : 'middle') : 'start', class: 'tick' }, root)
        .textContent = formatClock(t);
    }
    // a step line: a metrics value holds until the next one
    let d = '';
    spec.points.forEach(([t, v], i) => {
      d += i ? `H${x(t).toFixed(1)}V${y(v).toFixed(1)}` : `M${x(t).toFixed(1)},${y(v).toFixed(1)}`;
    });
    const last = spec.points[spec.points.length - 1];
    d += `H${x(Math.max(last[0], state.eventsEnd)).toFixed(1)}`;
    svg('path', { d: `${d}V${pad.top + h}H${x(spec.points[0][0]).toFixed(1)}Z`, class: 'area', fill: spec.color }, root);
    svg('path', { d, class: 'line', stroke: spec.color }, root);
    drawQuestionMarks(root, starts, x, pad.top, pad.top + h, pad.left + w);
    const cursor = svg('line', { x1: pad.left, x2: pad.left, y1: pad.top, y2: pad.top + h, class: 'cursor' }, root);
    const dot = svg('circle', { r: 4, cx: pad.left, cy: pad.top + h, class: 'cursor-dot', fill: spec.color }, root);
    wrap.addEventListener('click', (ev) => {
      const r = root.getBoundingClientRect();
      const px = ((ev.clientX - r.left) / r.width) * width;
      seek(((px - pad.left) / w) * state.duration);
    });
    state.charts.push({ spec, cursor, dot, value, x, y });
  }
  syncCharts(currentTime());
}

/** A thin line at each question's start, labelled at its top; a label that would touch the
 * previous one goes a row lower, one near the right edge to the left of its line. */
function drawQuestionMarks(root, starts, x, top, bottom, right) {
  const rows = [-Infinity, -Infinity];
  for (const q of starts) {
    const px = x(q.t);
    const g = svg('g', { class: 'question-mark', 'data-t': String(q.t) }, root);
    svg('title', {}, g).textContent = q.title;
    svg('line', { x1: px, x2: px, y1: top, y2: bottom, class: 'question-mark-line' }, g);
    const width = 6.5 * q.label.length + 4;
    const row = Math.max(0, rows.findIndex((end) => px > end + 2));
    const left = px + width > right;
    svg('text', { x: left ? px - 3 : px + 3, y: top + 9 + 11 * row, class: 'question-mark-label',
      'text-anchor': left ? 'end' : 'start' }, g).textContent = q.label;
    rows[row] = left ? px : px + width;
  }
}

export function syncCharts(t) {
  for (const c of state.charts) {
    const px = c.x(t).toFixed(1);
    c.cursor.setAttribute('x1', px);
    c.cursor.setAttribute('x2', px);
    const i = lastAtOrBefore(c.spec.points, t, (p) => p[0]);
    if (i >= 0) {
      const v = c.spec.points[i][1];
      c.dot.setAttribute('cx', px);
      c.dot.setAttribute('cy', c.y(v).toFixed(1));
      c.dot.style.display = '';
      c.value.textContent = c.spec.fmt(v);
    } else {
      c.dot.style.display = 'none';
      c.value.textContent = '—';
    }
  }
}
