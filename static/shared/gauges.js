/*
 * Tiny dependency-free SVG gauges, and the live "Delivery" gauges of the room and the
 * spectator page (createMetricGauges / showMetrics).
 *
 * Each factory draws into `host` (an element) and returns {set(value)}; `set(null)` shows
 * the empty state. Colours come from CSS classes (see style.css: .gauge-*), so the look is
 * themeable with CSS variables.
 */

import { $, svgNode as svg } from './dom.js';
import { num } from './format.js';
import { confidenceScore, eyeShare, spoke, withData } from './metrics.js';

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


// -- the live gauges of a `metrics` event ------------------------------------------------------

/** Set a gauge's text value (and its raw value in data-value, for tests and tools). */
export function setValue(id, text, raw) {
  const el = $(id);
  el.textContent = text;
  el.dataset.value = raw == null ? '' : String(raw);
}

const POSTURE_TEXT = { ok: 'Good', upright: 'Good', tilted: 'Tilted', slouching: 'Slouching' };
const POSTURE_TONE = { ok: 'ok', upright: 'ok', tilted: 'warn', slouching: 'bad' };

/**
 * The live gauges of a `.gauge` card set (room and spectator share ids): `gauge-wpm`,
 * `gauge-fillers`, `gauge-eye`, `gauge-confidence`, and `gauge-pauses` when the page has a
 * visual for it. Returns {wpm, fillers, pauses?, eye, confidence}.
 */
export function createMetricGauges() {
  const visual = (id) => $(id)?.querySelector('.gauge-visual');
  const gauges = {
    wpm: dialGauge(visual('gauge-wpm'), {
      min: 0, max: 220, ticks: [0, 120, 160, 220],
      bands: [{ from: 120, to: 160, tone: 'ok' }, { from: 180, to: 220, tone: 'bad' }],
      tone: (v) => (v > 180 ? 'bad' : v >= 120 && v <= 160 ? 'ok' : 'warn'),
    }),
    fillers: barGauge(visual('gauge-fillers'), {
      min: 0, max: 12, tone: (v) => (v <= 2 ? 'ok' : v <= 6 ? 'warn' : 'bad'),
    }),
    eye: ringGauge(visual('gauge-eye'), {
      tone: (f) => (f >= 0.6 ? 'ok' : f >= 0.35 ? 'warn' : 'bad'),
    }),
    confidence: barGauge(visual('gauge-confidence'), {
      min: 0, max: 100, tone: (v) => (v >= 70 ? 'ok' : v >= 45 ? 'warn' : 'bad'),
    }),
  };
  const pauses = visual('gauge-pauses');
  if (pauses) {
    gauges.pauses = ringGauge(pauses, {
      tone: (f) => (f <= 0.25 ? 'ok' : f <= 0.5 ? 'warn' : 'bad'),
    });
  }
  return gauges;
}

/** Show one `metrics` event on the gauges of `createMetricGauges()`; fields a message lacks
 * (vision, scoring) keep their "—" until they appear. */
export function showMetrics(gauges, metrics) {
  const m = withData(metrics); // room, spectator and replay alike: no figure of nothing said
  const talked = spoke(m);
  const wpm = num(m.wpm);
  const hasWpm = wpm != null && talked;
  setValue('gauge-wpm-value', hasWpm ? String(Math.round(wpm)) : '—', hasWpm ? wpm : null);
  gauges.wpm.set(hasWpm ? wpm : null);

  const count = num(m.filler_count);
  const perMin = num(m.fillers_per_min);
  setValue('gauge-fillers-value', count != null ? String(count) : '—', count);
  $('gauge-fillers-rate').textContent = perMin != null && talked ? perMin.toFixed(1) : '—';
  gauges.fillers.set(perMin != null && talked ? perMin : null);

  const pause = num(m.pause_ratio);
  const hasPause = pause != null && talked;
  setValue('gauge-pauses-value', hasPause ? `${Math.round(pause * 100)}%` : '—',
    hasPause ? pause : null);
  gauges.pauses?.set(hasPause ? pause : null);

  if (m.camera_frozen) { // a still picture: nothing about the candidate is observed
    setValue('gauge-eye-value', 'camera still', null);
    gauges.eye.set(null);
    setValue('gauge-posture-value', '—', null);
    $('gauge-posture').dataset.tone = 'neutral';
  } else if ('eye_contact' in m) {
    const eye = eyeShare(m.eye_contact);
    setValue('gauge-eye-value', eye == null ? '—' : `${Math.round(eye * 100)}%`, eye);
    gauges.eye.set(eye);
  }
  if ('posture' in m && !m.camera_frozen) {
    const label = m.posture && typeof m.posture === 'object' ? m.posture.label : m.posture;
    const key = typeof label === 'string' ? label.toLowerCase() : '';
    const text = !key || key === 'unknown' ? '—'
      : POSTURE_TEXT[key] || key.charAt(0).toUpperCase() + key.slice(1);
    setValue('gauge-posture-value', text, key || null);
    $('gauge-posture').dataset.tone = POSTURE_TONE[key] || 'neutral';
  }
  if ('confidence' in m) {
    const score = confidenceScore(m.confidence);
    setValue('gauge-confidence-value', score == null ? '—' : String(Math.round(score)), score);
    gauges.confidence.set(score);
  }
}
