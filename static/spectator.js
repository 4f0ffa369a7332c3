/*
 * The recruiter's live view of an interview (served at /spectate/{id}?token=SPECTATOR_TOKEN):
 * the entry of spectator.html. The modules, in spectator/:
 *   state.js       the page's state (window.spectator)
 *   connection.js  the spectator WebSocket (catch-up, live, reconnect with after=lastSeq)
 *   feed.js        receive(): every event, deduplicated, queued, rendered a frame at a time
 *   session.js     waiting / live / ended, the session clock, the end card
 *   timeline.js    the transcript timeline: lines, questions, answer and evaluation cards
 *   charts.js      the "Over the session" charts
 *   controls.js    the recruiter's ask box and follow-up approvals; error replies
 *   camera.js      the candidate's camera over WebRTC
 * and the pages' shared modules in shared/ (gauges, transcript, toasts, event kinds...).
 *
 * Every page sends {"type": "ping"} every 20 s. window.spectator exposes the state (lastSeq,
 * connects, finals, ...) for tests and debugging; window.spectator.handle(event) feeds an
 * event; window.spectator.dropConnection() simulates a network drop.
 */

import { $, setStatus } from './shared/dom.js';
import { toast } from './shared/toast.js';
import { initCamera } from './spectator/camera.js';
import { drawCharts, loadCharts } from './spectator/charts.js';
import { dropConnection, openConnection } from './spectator/connection.js';
import { initControls } from './spectator/controls.js';
import { initFeed, receive } from './spectator/feed.js';
import { renderClock } from './spectator/session.js';
import { spectator } from './spectator/state.js';

window.spectator = Object.assign(spectator, { handle: receive, dropConnection });

function init() {
  $('interview-id').textContent = spectator.interviewId;
  document.title = `Live interview ${spectator.interviewId}`;
  initFeed();
  initControls();
  initCamera();
  drawCharts();
  setInterval(renderClock, 1000);
  if (!spectator.interviewId || (!spectator.token && !spectator.accessToken)) {
    setStatus('closed', 'No access');
    toast('link', 'This page needs ?token=SPECTATOR_TOKEN (or a signed-in recruiter).', 'error', 0);
    return;
  }
  openConnection(receive);
  loadCharts();
}

init();
