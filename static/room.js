/*
 * The candidate's live room (served at /room/{id}?token=CANDIDATE_TOKEN): the entry of
 * room.html. The modules, in room/:
 *   state.js                the room's state (window.room.state)
 *   session.js              start / stop; `state`, `error`, `interview.completed`
 *   resume.js               the interview's status at load; a reloaded page draws it again
 *   connection.js           the socket's life: ?after=, `ready`, reconnecting after a drop
 *   ending.js               the end card in plain words, the report link, the teardown
 *   events.js               handleEvent: every server event, routed by kind
 *   transports.js           choosing a transport (window.roomTransport, window.roomTransports)
 *   transport-websocket.js  events + media over the candidate WebSocket
 *   transport-webrtc.js     media as WebRTC tracks, events over the WebSocket
 *   capture.js              microphone, PCM worklet, camera frames
 *   audio-buffer.js         the PCM kept while reconnecting, resent from the server's audio_s
 *   question.js             the question card, "Next question", reading aloud, evaluations
 *   waiting.js              "Take your time" while the server waits out a thinking pause
 *   transcript.js           the live transcript
 *   topbar.js               status, elapsed time, transport badge, mic meter
 * and the pages' shared modules in shared/ (gauges, transcript, toasts, event kinds...).
 */

import { $ } from './shared/dom.js';
import { toast } from './shared/toast.js';
import { dropConnection } from './room/connection.js';
import { createEventHandler } from './room/events.js';
import { initSpeech } from './room/question.js';
import { loadInterview } from './room/resume.js';
import { problemWithBrowser, showStartProblem, start, stop } from './room/session.js';
import { room } from './room/state.js';
import { setStatus } from './room/topbar.js';
import { connectWebRtcTransport, connectWebSocketTransport } from './room/transports.js';

const handleEvent = createEventHandler();
const startRoom = () => start(handleEvent);

const LEAVING_WARNS = new Set(['live', 'reconnecting', 'stopping']);

async function init() {
  setStatus('idle');
  initSpeech();
  $('start-button').addEventListener('click', startRoom);
  $('stop-button').addEventListener('click', stop);
  window.addEventListener('beforeunload', (e) => {
    if (LEAVING_WARNS.has(room.phase)) {
      e.preventDefault();
      e.returnValue = '';
    }
  });
  const problem = problemWithBrowser();
  if (problem) {
    showStartProblem(problem);
    $('start-button').disabled = true;
    return;
  }
  $('start-button').disabled = true; // until the interview's status is known
  await loadInterview(handleEvent);
  $('start-button').disabled = false;
  $('start-button').focus();
}

// A small debugging / testing / extension surface.
window.room = {
  handleEvent, start: startRoom, stop, toast, state: room, stats: room.stats,
  connectWebSocketTransport, connectWebRtcTransport,
  dropConnection: () => dropConnection('test drop'), // a network drop, as the room sees one
};

init();
