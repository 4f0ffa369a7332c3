/*
 * Tiny dependency-free SVG charts for the report, dashboard and spectator pages.
 *
 *   lineChart(container, points, options)   points: [[x, y], ...] (x: number or Date)
 *   barList(container, items, options)      items: [{label, value, max?, note?}, ...]
 *
 * Options of lineChart:
 *   yMin, yMax          value range (default: from the data, padded)
 *   xLabel(x)           tick text of an x value (default: m:ss for numbers, date for Dates)
 *   yLabel(y)           tick text of a y value (default: rounded number)
 *   band: {from, to}    a shaded "target" band
 *   title               accessible name
 *   unit                appended to the tooltip values
 *   tone(y)             'ok' | 'warn' | 'bad' colour of a point (default: accent colour)
 *   showPoints          draw a dot per point (default when fewer than 40 points)
 *   links(i)            optional URL of point i (dots become links)
 *   markers             [{x, label, title}]: a labelled vertical line at each x (e.g. where
 *                       each question starts); `title` names it (tooltip and the chart's
 *                       accessible name)
 * The chart redraws itself when the container is resized.
 */

import { node, svgNode as el } from './dom.js';
import { formatClock } from './format.js';

function niceStep(range, target) {
  const raw = range / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const norm = raw / mag;
  const nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  return nice * mag;
}

function ticks(min, max, target) {
  const step = niceStep(max - min, target);
  const out = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-6; v += step) out.push(+v.toFixed(10));
  return out;
}

function toNumber(x) {
  return x instanceof Date ? x.getTime() : Number(x);
}

const TONE_COLOR = { ok: 'var(--ok)', warn: 'var(--warn)', bad: 'var(--bad)' };

export function lineChart(container, points, options = {}) {
  const draw = () => drawLine(container, points, options);
  draw();
  if (typeof ResizeObserver === 'function' && !container.dataset.chartObserved) {
    container.dataset.chartObserved = '1';
    let last = container.clientWidth;
    new ResizeObserver(() => {
      if (Math.abs(container.clientWidth - last) < 4) return;
      last = container.clientWidth;
      draw();
    }).observe(container);
  }
}

function drawLine(container, points, options) {
  container.replaceChildren();
  const data = (points || [])
    .map(([x, y]) => [x, toNumber(x), Number(y)])
    .filter(([, x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (!data.length) {
    container.append(node('p', 'chart-empty', options.empty || 'No data'));
    return;
  }
  const width = Math.max(240, container.clientWidth || 480);
  const height = options.height || 200;
  const pad = { top: 12, right: 14, bottom: 28, left: 40 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const isDate = data[0][0] instanceof Date;
  const markers = (options.markers || [])
    .map((m) => ({ ...m, xn: toNumber(m.x) })).filter((m) => Number.isFinite(m.xn));
  let xMin = Math.min(...data.map((d) => d[1]), ...markers.map((m) => m.xn));
  let xMax = Math.max(...data.map((d) => d[1]), ...markers.map((m) => m.xn));
  if (xMax === xMin) { xMin -= 1; xMax += 1; }
  const ys = data.map((d) => d[2]);
  let yMin = options.yMin ?? Math.min(...ys);
  let yMax = options.yMax ?? Math.max(...ys);
  if (options.yMin == null || options.yMax == null) {
    const span = (yMax - yMin) || Math.abs(yMax) || 1;
    if (options.yMin == null) yMin = Math.max(0, yMin - span * 0.1);
    if (options.yMax == null) yMax += span * 0.1;
  }
  if (yMax === yMin) yMax = yMin + 1;
  const sx = (x) => pad.left + ((x - xMin) / (xMax - xMin)) * w;
  const sy = (y) => pad.top + h - ((Math.min(yMax, Math.max(yMin, y)) - yMin) / (yMax - yMin)) * h;
  const sameDay = isDate && xMax - xMin < 36 * 3600 * 1000;
  const xLabel = options.xLabel || ((x) => (!isDate ? formatClock(Math.round(x))
    : sameDay ? new Date(x).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : new Date(x).toLocaleDateString()));
  const yLabel = options.yLabel || ((y) => String(Math.round(y)));

  // an image, or a group when its points are links (an image's content is hidden from
  // screen readers, and a link there would be focusable but nameless)
  const named = (m) => `${m.title || m.label} at ${xLabel(m.xn)}`;
  const name = [options.title || 'chart', ...(markers.length ? [markers.map(named).join(', ')] : [])];
  const svg = el('svg', {
    class: 'chart-svg', width, height, viewBox: `0 0 ${width} ${height}`,
    role: options.links ? 'group' : 'img', 'aria-label': name.join('. '),
  });
  if (options.title) el('title', {}, svg).textContent = name.join('. ');
  if (options.band) {
    const top = sy(Math.min(yMax, options.band.to));
    const bottom = sy(Math.max(yMin, options.band.from));
    if (bottom > top) el('rect', { x: pad.left, y: top, width: w, height: bottom - top, class: 'chart-band' }, svg);
  }
  for (const y of ticks(yMin, yMax, 4)) {
    el('line', { x1: pad.left, x2: pad.left + w, y1: sy(y), y2: sy(y), class: 'chart-grid' }, svg);
    const t = el('text', { x: pad.left - 6, y: sy(y) + 4, class: 'chart-tick', 'text-anchor': 'end' }, svg);
    t.textContent = yLabel(y);
  }
  const xt = isDate || data.length < 2 ? data.map((d) => d[1]).filter((x, i, a) => a.length <= 6 || i % Math.ceil(a.length / 6) === 0)
    : ticks(xMin, xMax, Math.max(2, Math.floor(w / 90)))
      // whole seconds only on the default m:ss axis (0.5 s steps would repeat its labels)
      .filter((x) => options.xLabel || Number.isInteger(x));
  for (const x of xt) {
    const t = el('text', { x: sx(x), y: pad.top + h + 18, class: 'chart-tick', 'text-anchor': 'middle' }, svg);
    t.textContent = xLabel(x);
  }
  el('line', { x1: pad.left, x2: pad.left + w, y1: pad.top + h, y2: pad.top + h, class: 'chart-axis' }, svg);

  const path = data.map((d, i) => `${i ? 'L' : 'M'}${sx(d[1]).toFixed(1)},${sy(d[2]).toFixed(1)}`).join('');
  if (data.length > 1) {
    const area = `${path}L${sx(data[data.length - 1][1]).toFixed(1)},${pad.top + h}L${sx(data[0][1]).toFixed(1)},${pad.top + h}Z`;
    el('path', { d: area, class: 'chart-area' }, svg);
  }
  el('path', { d: path, class: 'chart-line' }, svg);
  // over the area and the line (their labels stay readable), under the dots
  drawMarkers(svg, markers, { sx, top: pad.top, bottom: pad.top + h, right: pad.left + w, named });
  const showPoints = options.showPoints ?? data.length < 40;
  if (showPoints) {
    data.forEach(([x, xn, y], i) => {
      const url = options.links ? options.links(i) : null;
      const text = `${xLabel(xn)}: ${yLabel(y)}${options.unit || ''}`;
      const parent = url ? el('a', { href: url, 'aria-label': text }, svg) : svg;
      const dot = el('circle', { cx: sx(xn), cy: sy(y), r: 4, class: 'chart-dot' }, parent);
      if (options.tone) dot.style.fill = TONE_COLOR[options.tone(y)] || '';
      el('title', {}, dot).textContent = text;
    });
  }
  container.append(svg);
}

/** The vertical lines of `markers`, each labelled at its top; a label that would touch the
 * previous one goes a row lower (three rows), one too close to the right edge to the left of
 * its line. */
function drawMarkers(svg, markers, { sx, top, bottom, right, named }) {
  const rows = [-Infinity, -Infinity, -Infinity];
  for (const m of [...markers].sort((a, b) => a.xn - b.xn)) {
    const x = sx(m.xn);
    const g = el('g', { class: 'chart-marker', 'data-x': String(m.xn) }, svg);
    el('title', {}, g).textContent = named(m);
    el('line', { x1: x, x2: x, y1: top, y2: bottom, class: 'chart-marker-line' }, g);
    const label = String(m.label || '');
    if (!label) continue;
    const width = 7 * label.length + 4;
    const row = Math.max(0, rows.findIndex((end) => x > end + 2));
    const left = x + width > right;
    const text = el('text', {
      x: left ? x - 3 : x + 3, y: top + 10 + 12 * row, class: 'chart-marker-label',
      'text-anchor': left ? 'end' : 'start',
    }, g);
    text.textContent = label;
    rows[row] = left ? x : x + width;
  }
}

export function barList(container, items, options = {}) {
  container.replaceChildren();
  const list = node('div', 'bars');
  for (const item of items) {
    const max = item.max ?? options.max ?? 100;
    const value = Number(item.value);
    const known = Number.isFinite(value) && item.value !== null;
    const fill = node('span', 'bar-fill');
    fill.style.width = known ? `${Math.max(0, Math.min(100, (100 * value) / max))}%` : '0';
    if (known && options.tone) fill.dataset.tone = options.tone(value);
    const track = node('span', 'bar-track');
    track.append(fill);
    const row = node('div', 'bar-row');
    row.append(node('span', 'bar-label', item.label), track,
      node('span', 'bar-value', known ? `${Math.round(value)}${item.unit || options.unit || ''}` : '—'));
    if (item.note) row.append(node('span', 'bar-note', item.note));
    list.append(row);
  }
  container.append(list);
}

/** Shared styles of the charts (the pages include them once). */
export const CHART_CSS = `
.chart-svg { display: block; width: 100%; height: auto; overflow: visible; }
.chart-grid { stroke: var(--border); stroke-width: 1; }
.chart-axis { stroke: var(--faint); stroke-width: 1; }
.chart-tick { fill: var(--muted); font: 11px var(--font); }
.chart-line { fill: none; stroke: var(--accent); stroke-width: 2; stroke-linejoin: round; }
.chart-area { fill: var(--accent-soft); opacity: .6; }
.chart-band { fill: var(--ok-soft); opacity: .5; }
.chart-dot { fill: var(--accent); stroke: #fff; stroke-width: 1.5; }
.chart-marker-line { stroke: var(--muted); stroke-width: 1; stroke-dasharray: 3 3; }
.chart-marker-label { fill: var(--text, #1a1d24); font: 600 11px var(--font); paint-order: stroke;
  stroke: var(--surface, #fff); stroke-width: 3px; stroke-linejoin: round; }
.chart-empty { color: var(--faint); padding: 24px 0; text-align: center; }
.bars { display: grid; gap: 10px; }
.bar-row { display: grid; grid-template-columns: 110px 1fr 48px; align-items: center; gap: 10px; }
.bar-label { color: var(--muted); text-transform: capitalize; }
.bar-track { height: 10px; border-radius: 999px; background: var(--surface-2); overflow: hidden; }
.bar-fill { display: block; height: 100%; border-radius: 999px; background: var(--accent); transition: width .4s; }
.bar-fill[data-tone="ok"] { background: var(--ok); }
.bar-fill[data-tone="warn"] { background: var(--warn); }
.bar-fill[data-tone="bad"] { background: var(--bad); }
.bar-value { font-weight: 600; text-align: right; font-variant-numeric: tabular-nums; }
.bar-note { grid-column: 1 / -1; color: var(--faint); font-size: 13px; margin-top: -6px; }
`;

export function installChartCss() {
  if (document.getElementById('chart-css')) return;
  const style = document.createElement('style');
  style.id = 'chart-css';
  style.textContent = CHART_CSS;
  document.head.append(style);
}
