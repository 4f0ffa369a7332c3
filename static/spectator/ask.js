/*
 * The recruiter's "Ask" box: {"type": "ask", "text"} on the spectator socket, and what became
 * of it in #ask-status (an aria-live line under the box):
 *   sent          "Sending…"; the text stays in the box until the server answers
 *   ack           the box clears: "Queued - will be asked after the current answer"
 *   error reply   the refusal in plain words (error colour), the text stays in the box
 *   asked         the `question` with the ack's id arrives: the status clears
 * `staff.question_queued` events (a colleague's question, or this page's before a reload)
 * count as queued too, until their `question` comes or the interview ends.
 */

import { $ } from '../shared/dom.js';
import { send } from './connection.js';
import { spectator } from './state.js';

const REPLY_TIMEOUT_MS = 8000; // no ack or error by then: say so, allow a retry
const QUEUED_TEXT = 'Queued - will be asked after the current answer';

/** What a refused `ask` means, in plain words (by the reply's `code`). */
const REFUSED = {
  finished: 'The interview has ended, so your question was not sent.',
  not_live: "The interview isn't live right now (the candidate hasn't started, or has left). "
    + 'Your question was not sent.',
  queue_full: 'Five questions are already waiting to be asked. Send yours after one of them is asked.',
  bad_text: 'A question needs 1 to 500 characters.',
  no_plan: 'This is a free practice session: it takes no questions from recruiters.',
  read_only: 'This link can only watch. Sign in as a recruiter of this interview to ask questions.',
  forbidden: "You can watch, but only this interview's recruiters can ask questions.",
  too_many: "You're sending too fast. Wait a moment, then try again.",
  rate_limited: "You're sending too fast. Wait a moment, then try again.",
};

function setAskStatus(text, tone = 'info') {
  const el = $('ask-status');
  el.textContent = text;
  el.dataset.tone = tone;
  el.hidden = !text;
}

function busy(on) {
  $('ask-button').disabled = on || $('ask-text').disabled;
  $('ask-form').setAttribute('aria-busy', on ? 'true' : 'false');
}

export function initAsk() {
  $('ask-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('ask-text');
    const text = input.value.trim();
    if (!text || spectator.asking || input.disabled) return;
    if (!send({ type: 'ask', text })) {
      setAskStatus("Not connected, so your question wasn't sent. Try again in a moment.", 'error');
      return;
    }
    const timer = setTimeout(() => {
      spectator.asking = null;
      busy(false);
      setAskStatus('No answer from the server yet. Your question may not be queued: try again.', 'error');
    }, REPLY_TIMEOUT_MS);
    spectator.asking = { text, timer };
    busy(true);
    setAskStatus('Sending…');
  });
  $('ask-text').addEventListener('input', () => {
    if ($('ask-status').dataset.tone === 'error') setAskStatus(queuedText());
  });
}

function queuedText() {
  const n = spectator.queued.size;
  if (!n) return '';
  return n === 1 ? QUEUED_TEXT : `${n} questions queued - asked one after the other, after the current answer`;
}

/** The server's `ack` of this page's `ask`: {id, position}. */
export function onAskAck(reply) {
  const asking = spectator.asking;
  spectator.asking = null;
  if (asking) clearTimeout(asking.timer);
  busy(false);
  const input = $('ask-text');
  if (asking && input.value.trim() === asking.text) input.value = '';
  if (reply.id != null) spectator.queued.set(String(reply.id), asking ? asking.text : '');
  setAskStatus(queuedText() || QUEUED_TEXT);
}

/** An `error` reply to this page's `ask`: said in plain words; the text stays in the box. */
export function onAskRefused(reply) {
  const asking = spectator.asking;
  spectator.asking = null;
  if (asking) clearTimeout(asking.timer);
  busy(false);
  const input = $('ask-text');
  if (asking && !input.value.trim() && !input.disabled) input.value = asking.text;
  const code = String(reply.code || '');
  setAskStatus(REFUSED[code] || 'The server refused the question. Try again in a moment.', 'error');
  if (!REFUSED[code]) console.warn('spectator: ask refused', reply);
}

/** Whether an error reply is the answer to an `ask` in flight. */
export const askWaiting = () => spectator.asking != null;

/** `staff.question_queued`: a recruiter's question waits for its turn. */
export function onQuestionQueued(event) {
  if (event.id == null || spectator.session === 'ended') return;
  spectator.queued.set(String(event.id), String(event.text || ''));
  if ($('ask-status').dataset.tone !== 'error' && !spectator.asking) setAskStatus(queuedText());
}

/** A `question`: a queued recruiter question is asked now. */
export function questionAsked(event) {
  const id = event.question_id == null ? null : String(event.question_id);
  if (id == null || !spectator.queued.delete(id)) return;
  if ($('ask-status').dataset.tone !== 'error' && !spectator.asking) setAskStatus(queuedText());
}

/** The interview ended: nothing more can be asked. */
export function disableAsk() {
  const left = spectator.queued.size;
  spectator.queued.clear();
  if (spectator.asking) clearTimeout(spectator.asking.timer);
  spectator.asking = null;
  $('ask-text').disabled = true;
  busy(false);
  $('ask-button').disabled = true;
  setAskStatus(left ? 'The interview ended before the queued question was asked.' : '');
}
