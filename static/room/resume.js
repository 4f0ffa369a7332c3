/*
 * What the room knows before Start, before it asks for the camera or the microphone: a page
 * (a new one, or one reloaded mid-interview) checks its link with one cheap call,
 * GET /api/interviews/{id}/check?token=... (docs/protocol.md):
 *
 *   pending                  the start card as it is
 *   live                     "Your interview is in progress" and "Resume interview" (and, when
 *                            another tab holds it, that resuming moves it here); the
 *                            transcript, the current question and the gauges are drawn again
 *                            from the stored events
 *   ended                    "This interview has ended" and, when this link may see it, the
 *                            report link instead of the button (no camera or microphone)
 *   403 invalid, 404 unknown the link is not valid / the interview is not found
 *   429                      the server is busy: it checks again after Retry-After
 *
 * The stored events come from GET /api/interviews/{id}/events (the same events the socket
 * would replay with ?after=0), drawn quietly: no question read aloud, no toasts, no old
 * `state`. The socket then connects with ?after= the last of them, so that the
 * `state: ready` it gets is its own (an after=0 replay holds every earlier socket's `ready`
 * too, and the page could not tell which one to answer with `start`).
 */

import { $ } from '../shared/dom.js';
import { interviewApi } from '../shared/location.js';
import { ENDED_TEXT, ENDINGS, RECRUITERS_TEXT, reportLink } from './ending.js';
import { room, setPhase } from './state.js';
import { setStatus } from './topbar.js';

const PAGE_SIZE = 1000;

let loading = null; // the promise of the last load: true when the room may start
let firstCard = null; // the start card's own words, put back once a busy server lets us in

function startCard(title, text, hint) {
  $('start-title').textContent = title;
  $('start-text').textContent = text;
  $('start-hint').textContent = hint || '';
  $('start-hint').hidden = !hint;
}

/** The start card when the room cannot start: the interview has ended or the link is bad. */
function closedCard(title, text, statusText, { report = false, problem = false } = {}) {
  setPhase('ended');
  startCard(title, text);
  $('start-button').hidden = true;
  $('start-card').classList.toggle('is-problem', problem);
  if (report && !$('report-link')) $('start-button').after(reportLink());
  setStatus(problem ? 'closed' : 'stopped', statusText);
}

/** The server is busy (429 on the check): say so, and check again after `seconds`. */
function busyCard(seconds, handleEvent) {
  if (!firstCard) {
    firstCard = ['start-title', 'start-text', 'start-hint'].map((id) => $(id).textContent);
  }
  const wait = Math.max(1, Math.min(600, seconds || 10));
  startCard('The server is busy', `Too many people are connecting right now. We will try again in ${wait} s.`,
    'Your camera and microphone are not used until then.');
  $('start-card').classList.add('is-problem');
  setStatus('reconnecting', 'Server busy');
  return new Promise((resolve) => {
    setTimeout(() => {
      $('start-card').classList.remove('is-problem');
      resolve(load(handleEvent));
    }, wait * 1000);
  });
}

/** Draw the stored events again (quietly), from the last seq the page has. */
async function replay(handleEvent) {
  let after = room.lastSeq;
  for (;;) {
    const r = await fetch(interviewApi(room.interviewId, `/events?after=${after}&limit=${PAGE_SIZE}`, room.token));
    if (!r.ok) throw new Error(`events: HTTP ${r.status}`);
    const page = await r.json();
    for (const event of page.events || []) {
      handleEvent(event, { replay: true });
      room.replayed++;
    }
    if (!page.more || !(page.next_after > after)) return;
    after = page.next_after;
  }
}

async function load(handleEvent) {
  let r;
  try {
    r = await fetch(interviewApi(room.interviewId, '/check', room.token), { cache: 'no-store' });
  } catch (err) {
    console.debug('room: could not check the link', err);
    return false;
  }
  if (r.status === 429) return busyCard(Number(r.headers.get('Retry-After')), handleEvent);
  const body = await r.json().catch(() => null);
  const state = body && body.state;
  if (r.status === 404 || state === 'unknown') {
    const e = ENDINGS.unknown;
    closedCard(e.title, e.text, e.status, { problem: true });
    return false;
  }
  if (r.status === 403 || r.status === 401 || state === 'invalid') {
    const e = ENDINGS.invalid;
    closedCard(e.title, e.text, e.status, { problem: true });
    return false;
  }
  if (!r.ok || !state) {
    console.debug('room: could not check the link', r.status);
    return false;
  }
  room.interviewStatus = state === 'ended' ? body.status : state;
  if (state === 'ended') {
    const text = ENDED_TEXT[body.status] || ENDED_TEXT.completed;
    closedCard('This interview has ended', body.report_url ? text : `${text} ${RECRUITERS_TEXT}`,
      'Interview ended', { report: Boolean(body.report_url) });
    return false;
  }
  if (state !== 'live') {
    if (firstCard) startCard(...firstCard);
    setStatus('idle');
    return true;
  }
  startCard('Your interview is in progress',
    body.open_elsewhere
      ? 'It is open in another tab or on another device. Resume here to carry on on this page; '
        + 'the other one stops. Your transcript and the current question are kept.'
      : 'It was interrupted: the page was reloaded or the connection dropped. Resume to carry on '
        + 'where you left off; your transcript and the current question are kept.',
    'Your browser may ask again for the microphone and camera.');
  $('start-button').textContent = 'Resume interview';
  setStatus('idle', 'Paused');
  try {
    await replay(handleEvent);
  } catch (err) {
    console.debug('room: could not read the interview so far', err);
    return false;
  }
  return true;
}

/** Read the interview (at page load); resolves true when the room may start. */
export function loadInterview(handleEvent) {
  loading = load(handleEvent);
  return loading;
}

/** Before Start: true once the interview was read (read again if the last try failed). */
export async function interviewLoaded(handleEvent) {
  if (room.phase === 'ended') return false;
  if (loading && (await loading)) return true;
  if (room.phase === 'ended') return false;
  return loadInterview(handleEvent);
}
