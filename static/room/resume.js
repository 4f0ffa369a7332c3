/*
 * What the room knows before Start: a page (a new one, or one reloaded mid-interview) reads
 * its interview's status with one cheap call, GET /api/interviews/{id}?token=...
 *
 *   pending                              the start card as it is
 *   live                                 "Your interview is in progress" and "Resume
 *                                        interview"; the transcript, the current question and
 *                                        the gauges are drawn again from the stored events
 *   completed, abandoned, interrupted    "This interview has ended" and the report link
 *                                        instead of the button (no camera or microphone)
 *   404 / 403                            the link is not valid
 *
 * The stored events come from GET /api/interviews/{id}/events (the same events the socket
 * would replay with ?after=0), drawn quietly: no question read aloud, no toasts, no old
 * `state`. The socket then connects with ?after= the last of them, so that the
 * `state: ready` it gets is its own (an after=0 replay holds every earlier socket's `ready`
 * too, and the page could not tell which one to answer with `start`).
 */

import { $ } from '../shared/dom.js';
import { interviewApi } from '../shared/location.js';
import { ENDED_TEXT, ENDINGS, reportLink } from './ending.js';
import { room, setPhase } from './state.js';
import { setStatus } from './topbar.js';

const ENDED = new Set(['completed', 'abandoned', 'interrupted']);
const PAGE_SIZE = 1000;

let loading = null; // the promise of the last load: true when the room may start

function startCard(title, text, hint) {
  $('start-title').textContent = title;
  $('start-text').textContent = text;
  $('start-hint').textContent = hint || '';
  $('start-hint').hidden = !hint;
}

/** The start card when the room cannot start: the interview has ended or the link is bad. */
function closedCard(title, text, statusText, withReport) {
  setPhase('ended');
  startCard(title, text);
  $('start-button').hidden = true;
  if (withReport && !$('report-link')) $('start-button').after(reportLink());
  setStatus(withReport ? 'stopped' : 'closed', statusText);
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
    r = await fetch(interviewApi(room.interviewId, '', room.token), { cache: 'no-store' });
  } catch (err) {
    console.debug('room: could not read the interview', err);
    return false;
  }
  if (r.status === 404 || r.status === 403 || r.status === 401) {
    closedCard(ENDINGS.invalid.title, ENDINGS.invalid.text, ENDINGS.invalid.status, false);
    return false;
  }
  const body = r.ok ? await r.json().catch(() => null) : null;
  if (!body) {
    console.debug('room: could not read the interview', r.status);
    return false;
  }
  room.interviewStatus = body.status;
  if (ENDED.has(body.status)) {
    closedCard('This interview has ended', ENDED_TEXT[body.status], 'Interview ended', true);
    return false;
  }
  if (body.status !== 'live') return true;
  startCard('Your interview is in progress',
    'It was interrupted: the page was reloaded or the connection dropped. Resume to carry on '
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
