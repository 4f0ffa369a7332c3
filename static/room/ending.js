/*
 * How the room ends: the end card (#ended) in plain words, the report link, and putting
 * everything away (captures, timers, the connection). Close codes and error texts never
 * reach the page: they go to console.debug (connection.js).
 */

import { $, node } from '../shared/dom.js';
import { formatClock, plural } from '../shared/format.js';
import { renderPartial } from '../shared/transcript.js';
import { stopCapture } from './capture.js';
import { closeConnection } from './connection.js';
import { stopSpeaking } from './question.js';
import { releaseStopWaiters, room, setPhase } from './state.js';
import { resetLevel, setStatus, updateElapsed } from './topbar.js';

/** The end of a connection the room cannot come back from (connection.js's `why`). */
export const ENDINGS = Object.freeze({
  ended: {
    title: 'This interview has ended',
    text: 'It cannot be continued. Thank you for your time.',
    status: 'Interview ended',
    report: true,
  },
  invalid: {
    title: 'This interview link is not valid',
    text: 'Check that you opened the whole link you were sent, or ask for a new one.',
    status: 'Link not valid',
    problem: true,
  },
  unknown: {
    title: 'We cannot find this interview',
    text: 'The link may be mistyped, or the interview was deleted. Ask the person who sent it '
      + 'for a new link.',
    status: 'Interview not found',
    problem: true,
  },
  replaced: {
    title: 'This interview was opened in another tab or window',
    text: 'It goes on there. You can close this page.',
    status: 'Opened elsewhere',
  },
  too_many: {
    title: 'Too many interviews are running from your network',
    text: 'Close the other interviews, wait a moment, then reload this page.',
    status: 'Not connected',
    reload: true,
    problem: true,
  },
  closed: {
    title: 'The connection was closed',
    text: 'Reload the page to go on with the interview.',
    status: 'Disconnected',
    reload: true,
    problem: true,
  },
  lost: {
    title: 'We could not reconnect',
    text: 'The connection was down for too long. Check your internet connection, then reload '
      + 'the page: if the interview is still open, it goes on where you left it.',
    status: 'Disconnected',
    reload: true,
    problem: true,
  },
});

/** An ended interview whose report is the recruiters' (no report link for this link). */
export const RECRUITERS_TEXT = 'Your answers went to the recruiters, who will be in touch.';

/** What the page says of an interview that has ended, by its status. */
export const ENDED_TEXT = Object.freeze({
  completed: 'Thank you. Your answers were saved.',
  abandoned: 'It ended when the connection stayed down. Your answers up to then were saved.',
  interrupted: 'It was interrupted by a problem on our side. Your answers up to then were saved.',
});

export const reportUrl = () =>
  `/report/${encodeURIComponent(room.interviewId)}?token=${encodeURIComponent(room.token)}`;

/** <a id="report-link">: the candidate's report. */
export function reportLink() {
  const a = node('a', 'btn btn-primary', 'See your report');
  a.id = 'report-link';
  a.href = reportUrl();
  return a;
}

function reloadButton() {
  const b = node('button', 'btn btn-primary', 'Reload the page');
  b.type = 'button';
  b.id = 'reload-button';
  b.addEventListener('click', () => location.reload());
  return b;
}

/** End the room with one of ENDINGS. */
export function endWith(why) {
  const ending = ENDINGS[why] || ENDINGS.closed;
  releaseStopWaiters();
  finish(ending.title, ending.text, 'closed', { ...ending, summary: false });
}

function teardown() {
  room.acceptingMedia = false;
  room.capturing = false;
  room.timers.forEach((t) => { clearInterval(t); clearTimeout(t); });
  room.timers = [];
  stopCapture();
  closeConnection(1000, 'interview ended');
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

/** The end card; `status` (the pill's text), `report` (a report link), `reload` (a button),
 * `problem` (marked as one), `summary` (false: no duration and word counts). */
export function finish(title, text, statusState = 'stopped',
  { status, report, reload, problem = false, summary: withSummary = true } = {}) {
  if (room.phase === 'ended') return;
  updateElapsed();
  teardown();
  setPhase('ended');
  setStatus(statusState, status || (statusState === 'stopped' ? 'Interview ended' : title));
  $('stop-button').hidden = true;
  $('start-screen').hidden = true;
  $('connection-banner').hidden = true;
  $('ended-title').textContent = title;
  const s = withSummary ? summary() : '';
  $('ended-text').textContent = s ? `${text} ${s}.` : text;
  $('ended').classList.toggle('is-problem', problem);
  if (report && !$('report-link')) $('ended').append(reportLink());
  if (reload) $('ended').append(reloadButton());
  $('ended').hidden = false;
  $('question').hidden = true;
  renderPartial(null); // an utterance this page will not see the end of
}
