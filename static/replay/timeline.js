/*
 * The seekable timeline (#timeline): a mark per utterance, question and evaluation, the
 * playhead, hover time, pointer and keyboard seeking.
 */

import { $, node } from '../shared/dom.js';
import { formatClock } from '../shared/format.js';
import { currentTime, seek } from './player.js';
import { state } from './state.js';

function pct(t) {
  return `${(100 * Math.max(0, Math.min(1, t / (state.duration || 1)))).toFixed(3)}%`;
}

export function buildTimeline() {
  const marks = document.querySelector('.timeline-marks');
  marks.replaceChildren();
  for (const u of state.utterances) {
    const m = node('div', 'mark mark-utterance');
    m.style.left = pct(u.start);
    m.style.width = `calc(${pct(u.end)} - ${pct(u.start)})`;
    m.title = `${formatClock(u.start)} ${u.el.querySelector('.utt-text').textContent.slice(0, 80)}`;
    if (u === state.currentUtt) m.classList.add('current');
    u.mark = m;
    marks.append(m);
  }
  for (const it of state.items) {
    const m = node('div', `mark mark-${it.kind}`);
    m.style.left = pct(it.t);
    m.title = `${formatClock(it.t)} ${it.kind}: ${it.text}`;
    marks.append(m);
  }
  for (const span of document.querySelectorAll('.legend [data-kind]')) {
    span.hidden = !state.items.some((it) => it.kind === span.dataset.kind);
  }
  $('time-total').textContent = formatClock(state.duration);
  $('timeline').setAttribute('aria-valuemax', String(Math.round(state.duration)));
}

function timelineTime(ev) {
  const r = $('timeline').getBoundingClientRect();
  const x = Math.max(0, Math.min(r.width, ev.clientX - r.left));
  return (x / (r.width || 1)) * state.duration;
}

export function wireTimeline() {
  const bar = $('timeline');
  const hover = bar.querySelector('.timeline-hover');
  let dragging = false;
  bar.addEventListener('pointerdown', (ev) => {
    dragging = true;
    bar.setPointerCapture(ev.pointerId);
    seek(timelineTime(ev));
  });
  bar.addEventListener('pointermove', (ev) => {
    const t = timelineTime(ev);
    hover.hidden = false;
    hover.style.left = pct(t);
    hover.textContent = formatClock(t);
    if (dragging) seek(t);
  });
  const end = () => { dragging = false; };
  bar.addEventListener('pointerup', end);
  bar.addEventListener('pointercancel', end);
  bar.addEventListener('pointerleave', () => { hover.hidden = true; });
  bar.addEventListener('keydown', (ev) => {
    const step = { ArrowLeft: -5, ArrowRight: 5, PageDown: -30, PageUp: 30 }[ev.key];
    if (step) { ev.preventDefault(); seek(currentTime() + step); }
    if (ev.key === 'Home') { ev.preventDefault(); seek(0); }
    if (ev.key === 'End') { ev.preventDefault(); seek(state.duration); }
    if (ev.key === ' ' && state.hasMedia) {
      ev.preventDefault();
      const p = $('player');
      if (p.paused) p.play(); else p.pause();
    }
  });
}

export function syncTimeline(t) {
  const bar = $('timeline');
  bar.querySelector('.timeline-playhead').style.left = pct(t);
  bar.querySelector('.timeline-progress').style.width = pct(t);
  bar.setAttribute('aria-valuenow', String(Math.round(t)));
  bar.setAttribute('aria-valuetext', formatClock(t));
  $('time-current').textContent = formatClock(t);
}
