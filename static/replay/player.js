/*
 * The playback position: the recording's currentTime (or state.t without a recording), and
 * the views that follow it. A view is {sync(t), layout?()}: sync on every position change,
 * layout when the duration changes. seek(t) moves the position.
 */

import { $, setStatus } from '../shared/dom.js';
import { state } from './state.js';

const views = [];

export function addView(view) {
  views.push(view);
}

export function currentTime() {
  return state.hasMedia ? $('player').currentTime || 0 : state.t;
}

export function seek(t, play = false) {
  if (!Number.isFinite(t)) return;
  t = Math.max(0, Math.min(state.duration || t, t));
  if (state.hasMedia) {
    const player = $('player');
    player.currentTime = t;
    if (play && player.paused) player.play().catch(() => {});
  } else {
    state.t = t;
  }
  update();
}

export function update() {
  const t = currentTime();
  for (const view of views) view.sync(t);
}

function loop() {
  update();
  state.raf = $('player').paused ? 0 : requestAnimationFrame(loop);
}

function updateDuration() {
  const d = $('player').duration;
  const media = state.hasMedia && Number.isFinite(d) ? d : 0;
  const duration = Math.max(media, state.eventsEnd, 1);
  if (Math.abs(duration - state.duration) < 0.01) return;
  state.duration = duration;
  for (const view of views) view.layout?.();
  update();
}

export function wirePlayer() {
  const player = $('player');
  for (const type of ['timeupdate', 'seeking', 'seeked', 'pause', 'ended']) {
    player.addEventListener(type, update);
  }
  player.addEventListener('play', () => {
    if (!state.raf) state.raf = requestAnimationFrame(loop);
  });
  for (const type of ['loadedmetadata', 'durationchange']) {
    player.addEventListener(type, updateDuration);
  }
  player.addEventListener('error', () => {
    setStatus('error', 'The recording could not be played');
  });
}
