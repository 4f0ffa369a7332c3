/*
 * The interview's life in the room: Start (a user gesture, needed for audio) ->
 * getUserMedia -> AudioContext + PCM worklet -> open a transport -> `state: listening` ->
 * live -> Stop (or the server's `stopped`, or the connection's end) -> the end card.
 * Also the server events that move it along: `state`, `error`, `interview.completed`.
 */

import { closeText } from '../shared/close-codes.js';
import { $, node } from '../shared/dom.js';
import { formatClock, plural } from '../shared/format.js';
import { toast } from '../shared/toast.js';
import {
  createAudioContext, flushAudio, getMedia, loadPcmWorklet, startAudioCapture, startVideoCapture,
  stopCapture,
} from './capture.js';
import { stopSpeaking } from './question.js';
import { releaseStopWaiters, room, setPhase } from './state.js';
import { resetLevel, setStatus, showTransport, updateElapsed } from './topbar.js';
import { openTransport } from './transports.js';

const STOP_TIMEOUT_MS = 30000;
const START_RETRIES = 5;

/** Why this page cannot run the interview, or null. */
export function problemWithBrowser() {
  if (!room.interviewId || !room.token) return 'This link is incomplete: it needs an interview id and a token.';
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return 'The microphone is only available on a secure page: open this link over HTTPS (or on localhost).';
  }
  if (!window.AudioWorkletNode) return 'This browser cannot stream audio. Please use a recent Chrome, Edge, Firefox or Safari.';
  return null;
}

export function showStartProblem(text) {
  $('start-hint').textContent = text;
  $('start-hint').classList.add('is-error');
}

/** Start the interview; every server event goes to `onEvent`. */
export async function start(onEvent) {
  if (room.phase !== 'idle') return;
  const problem = problemWithBrowser();
  if (problem) {
    showStartProblem(problem);
    return;
  }
  setPhase('starting');
  const button = $('start-button');
  button.disabled = true;
  button.textContent = 'Starting…';
  setStatus('starting', 'Waiting for microphone…');
  try {
    room.stream = await getMedia();
  } catch (err) {
    setPhase('idle');
    button.disabled = false;
    button.textContent = 'Start interview';
    setStatus('idle');
    const denied = err && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
    const text = denied
      ? 'Microphone access was blocked. Allow it in the browser’s address bar, then try again.'
      : `Could not open the microphone (${(err && err.message) || err}).`;
    showStartProblem(text);
    toast('microphone', text, 'error');
    return;
  }

  const preview = $('preview');
  if (room.stream.getVideoTracks().length) {
    preview.srcObject = room.stream;
    $('preview-box').hidden = false;
    preview.play().catch(() => {});
  }
  $('start-screen').hidden = true;
  $('stop-button').hidden = false;

  try {
    room.audioContext = createAudioContext();
    await loadPcmWorklet(room.audioContext);
    setStatus('connecting');
    room.transport = await openTransport({
      interviewId: room.interviewId,
      token: room.token,
      sampleRate: room.audioContext.sampleRate,
      stream: room.stream,
      onEvent,
      onClose: onTransportClose,
    });
    showTransport(room.transport);
    // With WebRTC the worklet only drives the level meter; both captures send nothing while
    // the transport carries the tracks itself (and take over if it falls back mid-session).
    await startAudioCapture();
    startVideoCapture();
    room.timers.push(setInterval(updateElapsed, 1000));
  } catch (err) {
    console.error(err);
    toast('start', (err && err.message) || String(err), 'error', 0);
    finish('Could not start', (err && err.message) || String(err), 'closed');
  }
}

export async function stop() {
  if (room.phase !== 'live' && room.phase !== 'starting') return;
  setPhase('stopping');
  $('stop-button').disabled = true;
  setStatus('stopping');
  await flushAudio(); // the last partial chunk goes out before the stop message
  room.acceptingMedia = false;
  const stopped = new Promise((resolve) => room.stopWaiters.push(resolve));
  if (room.transport) room.transport.end();
  const timedOut = await Promise.race([
    stopped.then(() => false),
    new Promise((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS)),
  ]);
  if (room.phase === 'ended') return; // the connection closed meanwhile
  if (timedOut) toast('stop', 'The server did not confirm the end in time; closing anyway.', 'error');
  finish('Interview ended', 'Thank you. Your answers were saved — you can close this page.');
}

// -- server events ----------------------------------------------------------------------------

export function onState(event) {
  room.serverState = event.state;
  if (event.state === 'listening') {
    room.startRetries = 0;
    if (room.phase === 'starting' || room.phase === 'live') {
      room.acceptingMedia = true;
      if (!room.startedAt) room.startedAt = performance.now();
      setPhase('live');
    }
  }
  if (event.state === 'stopped') {
    room.acceptingMedia = false;
    releaseStopWaiters();
    if (room.phase !== 'stopping' && room.phase !== 'ended') finish('Interview ended', 'The interview was stopped.');
  }
  if (room.phase === 'stopping' && event.state !== 'stopped') return; // keep "Finishing…"
  setStatus(event.state);
}

export function onError(event) {
  const code = event.code || 'error';
  toast(code, event.message || '', 'error');
  if ((code === 'overloaded' || code === 'bad_start') && room.phase === 'starting') {
    if (code === 'overloaded' && room.startRetries < START_RETRIES && room.transport) {
      room.startRetries++;
      setStatus('starting', `Server busy — retrying (${room.startRetries}/${START_RETRIES})…`);
      const t = setTimeout(() => room.phase === 'starting' && room.transport && room.transport.begin(), 3000);
      room.timers.push(t);
    } else {
      finish('Could not start', event.message || 'The server could not start the interview.');
    }
  }
}

export function onInterviewCompleted(event) {
  const showReport = () => {
    if ($('report-link')) return;
    if (event.final_score != null) {
      const p = node('p', null, `Final score ${event.final_score}/100 (${event.performance_level}).`);
      p.id = 'report-summary';
      $('ended').append(p);
    }
    const a = node('a', 'btn btn-primary', 'See your report');
    a.id = 'report-link';
    a.href = `/report/${encodeURIComponent(room.interviewId)}?token=${encodeURIComponent(room.token)}`;
    $('ended').append(a);
  };
  if (room.phase === 'live') stop().then(showReport);
  else showReport();
}

function onTransportClose({ code, reason }) {
  if (room.phase === 'ended') return;
  if (room.phase === 'stopping' && room.serverState === 'stopped') return;
  const text = closeText(code, reason || 'The connection closed.');
  toast(`closed ${code}`, text, 'error');
  releaseStopWaiters();
  finish(room.phase === 'stopping' ? 'Interview ended' : 'Disconnected', text, 'closed');
}

// -- the end ------------------------------------------------------------------------------------

function teardown() {
  room.acceptingMedia = false;
  room.timers.forEach((t) => { clearInterval(t); clearTimeout(t); });
  room.timers = [];
  stopCapture();
  if (room.transport) room.transport.close(1000, 'interview ended');
  stopSpeaking();
  resetLevel();
}

function summary() {
  const m = room.lastMetrics;
  const parts = [];
  if (room.startedAt) parts.push(`Duration ${formatClock((performance.now() - room.startedAt) / 1000)}`);
  if (m && m.words) {
    parts.push(`${m.words} words`);
    if (m.wpm) parts.push(`${Math.round(m.wpm)} wpm`);
    parts.push(plural(m.filler_count || 0, 'filler'));
  }
  return parts.join(' · ');
}

function finish(title, text, statusState = 'stopped') {
  if (room.phase === 'ended') return;
  updateElapsed();
  teardown();
  setPhase('ended');
  setStatus(statusState, statusState === 'stopped' ? 'Interview ended' : title);
  $('stop-button').hidden = true;
  $('start-screen').hidden = true;
  $('ended-title').textContent = title;
  const s = summary();
  $('ended-text').textContent = s ? `${text} ${s}.` : text;
  $('ended').hidden = false;
  $('question').hidden = true;
}
