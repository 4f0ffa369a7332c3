/*
 * The room's top bar: the status pill, the elapsed clock, the transport badge and the
 * microphone level meter.
 */

import { $, setStatus as showStatus } from '../shared/dom.js';
import { formatClock } from '../shared/format.js';
import { room } from './state.js';

const STATE_TEXT = {
  idle: 'Not started',
  starting: 'Starting…',
  connecting: 'Connecting…',
  ready: 'Connected',
  listening: 'Listening',
  stopping: 'Finishing…',
  stopped: 'Interview ended',
  closed: 'Disconnected',
};

/** The status pill: a room phase or a server `state`, with its usual text unless given. */
export function setStatus(state, text) {
  showStatus(state, text || STATE_TEXT[state] || state);
}

export function updateElapsed() {
  if (!room.startedAt || room.phase === 'ended') return;
  $('elapsed').textContent = formatClock((performance.now() - room.startedAt) / 1000);
}

const TRANSPORT_TEXT = { webrtc: 'WebRTC', websocket: 'WebSocket' };

/** #transport: which transport carries the media (hidden without one). */
export function showTransport(transport) {
  const el = $('transport');
  if (!el) return;
  el.textContent = transport ? TRANSPORT_TEXT[transport.name] || transport.name : '';
  el.dataset.transport = transport ? transport.name : '';
  el.hidden = !transport;
}

let meterFrame = 0;
let meterPeak = 0;

/** The mic meter, at most once an animation frame; `peak` is the chunk's 0..1 peak. */
export function showLevel(peak) {
  meterPeak = Math.max(meterPeak * 0.85, peak);
  if (meterFrame) return;
  meterFrame = requestAnimationFrame(() => {
    meterFrame = 0;
    const db = 20 * Math.log10(Math.max(meterPeak, 1e-4)); // -80..0
    const level = Math.max(0, Math.min(1, (db + 60) / 60));
    $('mic-level').style.transform = `scaleX(${level.toFixed(3)})`;
  });
}

export function resetLevel() {
  $('mic-level').style.transform = 'scaleX(0)';
}
