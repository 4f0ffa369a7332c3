/*
 * The candidate's live room (served at /room/{id}?token=CANDIDATE_TOKEN): the entry of
 * room.html. The modules, in room/:
 *   state.js                the room's state (window.room.state)
 *   session.js              start / stop / the end card; `state`, `error`, `interview.completed`
 *   events.js               handleEvent: every server event, routed by kind
 *   transports.js           choosing a transport (window.roomTransport, window.roomTransports)
 *   transport-websocket.js  events + media over the candidate WebSocket
 *   transport-webrtc.js     media as WebRTC tracks, events over the WebSocket
 *   capture.js              microphone, PCM worklet, camera frames
 *   question.js             the question card, "Next question", reading aloud, evaluations
 *   transcript.js           the live transcript
 *   topbar.js               status, elapsed time, transport badge, mic meter
 * and the pages' shared modules in shared/ (gauges, transcript, toasts, event kinds...).
 */

import { $ } from './shared/dom.js';
import { toast } from './shared/toast.js';
import { createEventHandler } from './room/events.js';
import { initSpeech } from './room/question.js';
import { problemWithBrowser, showStartProblem, start, stop } from './room/session.js';
import { room } from './room/state.js';
import { setStatus } from './room/topbar.js';
import { connectWebRtcTransport, connectWebSocketTransport } from './room/transports.js';

const handleEvent = createEventHandler();
const startRoom = () => start(handleEvent);

function init() {
  setStatus('idle');
  initSpeech();
  $('start-button').addEventListener('click', startRoom);
  $('stop-button').addEventListener('click', stop);
  window.addEventListener('beforeunload', (e) => {
    if (room.phase === 'live' || room.phase === 'stopping') {
      e.preventDefault();
      e.returnValue = '';
    }
  });
  const problem = problemWithBrowser();
  if (problem) {
    showStartProblem(problem);
    $('start-button').disabled = true;
  }
  $('start-button').focus();
}

// A small debugging / testing / extension surface.
window.room = {
  handleEvent, start: startRoom, stop, toast, state: room, stats: room.stats,
  connectWebSocketTransport, connectWebRtcTransport,
};

init();
