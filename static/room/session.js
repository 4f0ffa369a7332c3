/*
 * The interview's life in the room: Start (a user gesture, needed for audio) ->
 * getUserMedia -> AudioContext + PCM worklet -> connect (connection.js) -> the socket's
 * `state: ready` -> begin -> `state: listening` -> live -> Stop (or the server's `stopped`)
 * -> the end card (ending.js). A drop on the way: reconnecting -> `ready` on a new socket ->
 * begin again, with the audio the server did not take sent again -> live.
 * Also the server events that move it along: `state`, `error`, `interview.completed`.
 */

import { $, node } from '../shared/dom.js';
import { toast } from '../shared/toast.js';
import { createPcmRing } from './audio-buffer.js';
import {
  createAudioContext, flushAudio, getMedia, loadPcmWorklet, pumpAudio, startAudioCapture,
  startVideoCapture,
} from './capture.js';
import { connect, initConnection } from './connection.js';
import { endWith, finish, reportLink } from './ending.js';
import { interviewLoaded } from './resume.js';
import { releaseStopWaiters, room, setPhase } from './state.js';
import { setStatus, showTransport, updateElapsed } from './topbar.js';

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
  $('start-hint').hidden = false;
  $('start-hint').textContent = text;
  $('start-hint').classList.add('is-error');
}

/** Start (or resume) the interview; every server event goes to `onEvent`. */
export async function start(onEvent) {
  if (room.phase !== 'idle') return;
  const problem = problemWithBrowser();
  if (problem) {
    showStartProblem(problem);
    return;
  }
  setPhase('starting');
  const button = $('start-button');
  const label = button.textContent;
  const backToIdle = (text) => {
    setPhase('idle');
    button.disabled = false;
    button.textContent = label;
    setStatus('idle');
    showStartProblem(text);
  };
  button.disabled = true;
  button.textContent = 'Starting…';
  setStatus('starting', 'Waiting for microphone…');
  if (!(await interviewLoaded(onEvent))) {
    if (room.phase === 'ended') return; // it has ended, or the link is not valid (resume.js)
    backToIdle('We could not load your interview. Check your internet connection, then try again.');
    return;
  }
  try {
    room.stream = await getMedia();
  } catch (err) {
    console.debug('room: getUserMedia failed', err);
    const denied = err && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
    const text = denied
      ? 'Microphone access was blocked. Allow it in the browser’s address bar, then try again.'
      : 'Could not open the microphone. Check that it is plugged in and not used by another app, then try again.';
    backToIdle(text);
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
    room.pcm = createPcmRing(room.audioContext.sampleRate);
    // With WebRTC the worklet only drives the level meter; both captures send nothing while
    // the transport carries the tracks itself (and take over if it falls back mid-session).
    await startAudioCapture();
    startVideoCapture();
  } catch (err) {
    console.debug('room: audio could not start', err);
    finish('Could not start', 'This browser could not start the microphone. Reload the page and try again.',
      'closed', { problem: true, reload: true });
    return;
  }
  room.timers.push(setInterval(updateElapsed, 1000));
  setStatus('connecting');
  initConnection({ onEvent, onReady, onLost, onBusy, onFatal: endWith, onGiveUp: () => endWith('lost') });
  connect();
}

export async function stop() {
  if (!['live', 'starting', 'reconnecting'].includes(room.phase)) return;
  setPhase('stopping');
  $('stop-button').disabled = true;
  setStatus('stopping');
  await flushAudio(); // the last partial chunk goes out before the stop message
  room.acceptingMedia = false;
  room.capturing = false;
  const stopped = new Promise((resolve) => room.stopWaiters.push(resolve));
  if (room.transport && room.connection === 'open') room.transport.end(); // else once back (onReady)
  const timedOut = await Promise.race([
    stopped.then(() => false),
    new Promise((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS)),
  ]);
  if (room.phase === 'ended') return; // the connection closed meanwhile
  if (timedOut) toast('stop', 'The server did not confirm the end in time; closing anyway.', 'error');
  finish('Interview ended', 'Thank you. Your answers were saved — you can close this page.');
}

// -- the connection -----------------------------------------------------------------------------

/** A socket's own `state: ready` (connection.js): begin, and resend what the server lacks. */
function onReady(transport, ready) {
  if (typeof ready.audio_s === 'number') room.readyAudioS = ready.audio_s;
  showTransport(transport);
  if (room.phase === 'stopping') {
    transport.end(); // Stop was pressed while the connection was down
    return;
  }
  if (room.pcm && transport.carriesMediaTracks) room.pcm.reset();
  else if (room.pcm && typeof ready.audio_s === 'number') {
    const { resend, lost, pending } = room.pcm.rewind(ready.audio_s);
    room.stats.audioResentBytes += pending * 2; // sent again, or kept while away
    if (pending || lost) console.debug(`room: ${pending} samples to send (${resend} again, ${lost} lost)`);
  }
  transport.begin();
}

function onLost() {
  room.acceptingMedia = false;
  if (room.phase === 'starting' || room.phase === 'live') setPhase('reconnecting');
  setStatus('reconnecting', 'Reconnecting…');
  $('connection-banner').hidden = false;
}

/** The server refused the session for now (4503): it says when to try again. */
function onBusy(seconds) {
  setStatus('reconnecting', seconds > 0 ? `The server is busy, retrying in ${seconds} s` : 'The server is busy, retrying…');
  if (seconds > 1) {
    let left = seconds;
    const tick = setInterval(() => {
      left -= 1;
      if (left <= 0 || room.connection === 'open' || room.phase === 'ended') { clearInterval(tick); return; }
      setStatus('reconnecting', `The server is busy, retrying in ${left} s`);
    }, 1000);
    room.timers.push(tick);
  }
}

// -- server events ----------------------------------------------------------------------------

export function onState(event) {
  room.serverState = event.state;
  if (event.state === 'listening') {
    room.startRetries = 0;
    if (['starting', 'live', 'reconnecting'].includes(room.phase)) {
      const back = room.phase === 'reconnecting';
      room.acceptingMedia = true;
      room.capturing = true;
      // after a reload the clock goes on from the session's audio so far
      if (!room.startedAt) room.startedAt = performance.now() - room.readyAudioS * 1000;
      setPhase('live');
      $('connection-banner').hidden = true;
      if (back) toast('connection', 'You are back online. The interview goes on.', 'info', 5000);
      pumpAudio(); // what was kept meanwhile
    }
  }
  if (event.state === 'stopped') {
    room.acceptingMedia = false;
    releaseStopWaiters();
    if (room.phase !== 'stopping' && room.phase !== 'ended') finish('Interview ended', 'The interview was stopped.');
  }
  if (room.phase === 'stopping' && event.state !== 'stopped') return; // keep "Finishing…"
  if (room.phase === 'reconnecting' && event.state === 'ready') return; // keep "Reconnecting…"
  setStatus(event.state);
}

/** Server errors in plain words; those the room handles itself are not shown. */
const ERROR_TEXT = {
  overloaded: 'The server is busy; part of what you said may be missing from the transcript.',
  flow_failed: 'The questions cannot go on. Please stop the interview and try again later.',
  bad_text: 'Your written answer could not be sent: write 1 to 5000 characters.',
  not_answering: 'There is no question to answer right now; wait for the next one.',
};
const QUIET_ERRORS = new Set(['already_started', 'not_started', 'stopped', 'too_fast']);

export function onError(event) {
  const code = event.code || 'error';
  console.debug('room: server error', event);
  const waiting = room.phase === 'starting' || room.phase === 'reconnecting';
  if (code === 'already_started' && waiting) {
    // the stream is running already (this socket replaced another one): go on with it
    onState({ type: 'state', state: 'listening' });
    return;
  }
  if ((code === 'overloaded' || code === 'bad_start') && waiting) {
    if (code === 'overloaded' && room.startRetries < START_RETRIES && room.transport) {
      room.startRetries++;
      setStatus('starting', `Server busy — retrying (${room.startRetries}/${START_RETRIES})…`);
      const t = setTimeout(() => {
        if (['starting', 'reconnecting'].includes(room.phase) && room.connection === 'open') room.transport.begin();
      }, 3000);
      room.timers.push(t);
    } else {
      finish('Could not start', 'The server could not start the interview. Please try again in a few minutes.',
        'closed', { problem: true });
    }
    return;
  }
  if (QUIET_ERRORS.has(code)) return;
  toast('server', ERROR_TEXT[code] || 'Something went wrong on the server; the interview goes on.', 'error');
}

export function onInterviewCompleted(event) {
  const showReport = () => {
    if ($('report-link') || $('report-summary')) return;
    if (!event.report_url) { // a recruiter-run interview: its judgments are the recruiters'
      const p = node('p', null, 'Thank you: your answers were received and go to the recruiters, who will be in touch.');
      p.id = 'report-summary';
      $('ended').append(p);
      return;
    }
    if (event.final_score != null) {
      const p = node('p', null, `Practice result: ${event.final_score}/100 for content (${event.performance_level}). The report shows how it was computed.`);
      p.id = 'report-summary';
      $('ended').append(p);
    }
    $('ended').append(reportLink());
  };
  if (room.phase === 'live' || room.phase === 'reconnecting') stop().then(showReport);
  else showReport();
}
