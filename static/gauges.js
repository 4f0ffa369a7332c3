/*
 * Tiny dependency-free SVG gauges for the live room.
 *
 * Each factory draws into `host` (an element) and returns {set(value)}; `set(null)` shows
 * the empty state. Colours come from CSS classes (see style.css: .gauge-*), so the look is
 * themeable with CSS variables.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.appendChild(node);
  return node;
}

const clamp01 = (x) => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Semicircle arc from fraction f0 to f1 (0 = left end, 1 = right end). */
function arcPath(cx, cy, r, f0, f1) {
  const pt = (f) => {
    const a = Math.PI * (1 - f);
    return [cx + r * Math.cos(a), cy - r * Math.sin(a)];
  };
  const [x0, y0] = pt(f0);
  const [x1, y1] = pt(f1);
  return `M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${r} ${r} 0 0 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}

/**
 * Half-circle dial with shaded bands and a needle.
 * bands: [{from, to, tone: 'ok'|'warn'|'bad'}]; tone(value) -> 'ok'|'warn'|'bad'|'neutral'.
 */
export function dialGauge(host, { min = 0, max = 100, bands = [], tone = () => 'neutral', ticks = [] } = {}) {
  const cx = 60, cy = 60, r = 48;
  const root = svg('svg', { viewBox: '0 0 120 70', class: 'gauge-svg dial', 'aria-hidden': 'true', focusable: 'false' }, host);
  const frac = (v) => clamp01((v - min) / (max - min));
  svg('path', { d: arcPath(cx, cy, r, 0, 1), class: 'gauge-track' }, root);
  for (const b of bands) {
    svg('path', { d: arcPath(cx, cy, r, frac(b.from), frac(b.to)), class: `gauge-band gauge-band-${b.tone}` }, root);
  }
  for (const t of ticks) {
    const a = Math.PI * (1 - frac(t));
    const x = cx + (r + 9) * Math.cos(a), y = cy - (r + 9) * Math.sin(a);
    const label = svg('text', { x: x.toFixed(1), y: (y + 2).toFixed(1), class: 'gauge-tick', 'text-anchor': 'middle' }, root);
    label.textContent = String(t);
  }
  const needle = svg('g', { class: 'gauge-needle is-empty' }, root);
  svg('line', { x1: cx, y1: cy, x2: cx - (r - 3), y2: cy }, needle);
  svg('circle', { cx, cy, r: 4.5, class: 'gauge-hub' }, root);
  return {
    set(value) {
      if (value == null || !Number.isFinite(value)) {
        needle.classList.add('is-empty');
        needle.style.transform = 'rotate(0deg)';
        root.dataset.tone = 'neutral';
        return;
      }
      needle.classList.remove('is-empty');
      needle.style.transform = `rotate(${(frac(value) * 180).toFixed(1)}deg)`;
      root.dataset.tone = tone(value);
    },
  };
}

/** Full ring filled to a fraction 0..1. */
export function ringGauge(host, { tone = () => 'neutral' } = {}) {
  const root = svg('svg', { viewBox: '0 0 64 64', class: 'gauge-svg ring', 'aria-hidden': 'true', focusable: 'false' }, host);
  svg('circle', { cx: 32, cy: 32, r: 26, class: 'gauge-track' }, root);
  const arc = svg('circle', {
    cx: 32, cy: 32, r: 26, class: 'gauge-fill', pathLength: 100,
    'stroke-dasharray': '0 100', transform: 'rotate(-90 32 32)',
  }, root);
  arc.style.opacity = '0';
  return {
    set(fraction) {
      if (fraction == null || !Number.isFinite(fraction)) {
        arc.setAttribute('stroke-dasharray', '0 100');
        arc.style.opacity = '0'; // a zero-length round-capped dash would still draw a dot
        root.dataset.tone = 'neutral';
        return;
      }
      arc.style.opacity = '';
      const p = clamp01(fraction) * 100;
      arc.setAttribute('stroke-dasharray', `${p.toFixed(1)} 100`);
      root.dataset.tone = tone(fraction);
    },
  };
}

/** Horizontal bar from min to max. */
export function barGauge(host, { min = 0, max = 100, tone = () => 'neutral' } = {}) {
  const root = svg('svg', { viewBox: '0 0 100 8', preserveAspectRatio: 'none', class: 'gauge-svg bar', 'aria-hidden': 'true', focusable: 'false' }, host);
  svg('rect', { x: 0, y: 0, width: 100, height: 8, rx: 4, class: 'gauge-track-bar' }, root);
  const fill = svg('rect', { x: 0, y: 0, width: 0, height: 8, rx: 4, class: 'gauge-fill-bar' }, root);
  return {
    set(value) {
      if (value == null || !Number.isFinite(value)) {
        fill.setAttribute('width', '0');
        root.dataset.tone = 'neutral';
        return;
      }
      fill.setAttribute('width', (clamp01((value - min) / (max - min)) * 100).toFixed(1));
      root.dataset.tone = tone(value);
    },
  };
}

// -- shared by the room and the spectator page: reading `metrics` events -------------------

/** Set a gauge's text value (and its raw value in data-value, for tests and tools). */
export function setValue(id, text, raw) {
  const el = document.getElementById(id);
  el.textContent = text;
  el.dataset.value = raw == null ? '' : String(raw);
}

/** A finite number, or null. */
export const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** eye_contact may be a share 0..1 or an object carrying one. */
export function eyeShare(v) {
  if (v && typeof v === 'object') v = v.value ?? v.share ?? v.score ?? v.eye_contact;
  return num(v);
}

export const POSTURE_TEXT = { ok: 'Good', upright: 'Good', tilted: 'Tilted', slouching: 'Slouching' };
export const POSTURE_TONE = { ok: 'ok', upright: 'ok', tilted: 'warn', slouching: 'bad' };
