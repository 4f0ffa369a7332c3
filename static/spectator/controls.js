/*
 * The signed-in recruiter's controls (?access_token=... in the URL or 'access_token' in
 * localStorage), sent on the spectator socket:
 *   {"type": "ask", "text": "..."}                     the "Ask" box
 *   {"type": "approve", "id": ..., "text": "..."}     a staff.follow_up_pending card, edited
 *   {"type": "reject", "id": ...}                      its "Skip" button
 * and the `error` events: an error without `seq` is the reply to something this page sent
 * (the decision may not have been taken: it can be retried); a session error is toasted
 * while fresh.
 */

import { $, node } from '../shared/dom.js';
import { toast } from '../shared/toast.js';
import { send } from './connection.js';
import { spectator } from './state.js';

const FRESH_S = 15;              // a session error younger than this is toasted
const RESOLVED_CARD_MS = 8000;   // an approved/skipped card goes away after this

const offline = () => toast('offline', 'Not connected — try again in a moment.', 'error');

export function initControls() {
  $('controls').hidden = !spectator.accessToken;
  $('ask-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('ask-text');
    const text = input.value.trim();
    if (!text) return;
    if (send({ type: 'ask', text })) {
      spectator.lastAsk = text; // put back in the box if the server refuses it
      input.value = '';
    } else {
      offline();
    }
  });
}

export function disableAsk() {
  $('ask-text').disabled = true;
  $('ask-button').disabled = true;
}

// -- follow-up approvals ------------------------------------------------------------------------

export function onFollowUpPending(event) {
  if (!spectator.accessToken || spectator.session === 'ended' || event.id == null) return;
  const id = String(event.id);
  if (spectator.approvals.has(id)) return;
  const card = node('article', 'approval');
  card.dataset.id = id;
  card.dataset.index = String(event.index ?? '');
  card.setAttribute('aria-label', 'Suggested follow-up question');
  const label = node('label', 'approval-label',
    Number.isInteger(event.index) ? `Suggested follow-up to question ${event.index + 1}` : 'Suggested follow-up');
  const area = node('textarea', 'approval-text');
  area.id = `approval-${id.replace(/[^\w-]/g, '_')}`;
  area.rows = 2;
  area.value = String(event.text || '');
  label.htmlFor = area.id;
  const actions = node('div', 'approval-actions');
  const approve = node('button', 'btn btn-primary btn-small', 'Approve');
  approve.type = 'button';
  const skip = node('button', 'btn btn-ghost btn-small', 'Skip');
  skip.type = 'button';
  const note = node('span', 'approval-note');
  note.setAttribute('role', 'status');
  actions.append(note, skip, approve);
  card.append(label, area, actions);
  const decide = (message, text) => {
    if (!send(message)) {
      offline();
      return;
    }
    card.classList.add('is-sent');
    area.disabled = approve.disabled = skip.disabled = true;
    note.textContent = text;
    card.dataset.timer = String(setTimeout(() => removeApproval(id), RESOLVED_CARD_MS));
  };
  approve.addEventListener('click', () => {
    const text = area.value.trim();
    if (!text) {
      area.focus();
      return;
    }
    decide({ type: 'approve', id: event.id, text }, 'Approved');
  });
  skip.addEventListener('click', () => decide({ type: 'reject', id: event.id }, 'Skipped'));
  spectator.approvals.set(id, card);
  $('approvals').append(card);
}

export function onFollowUpResolved(event) {
  if (event.id != null) removeApproval(String(event.id));
}

/** A follow-up of question `index` was asked (approved elsewhere, or by the flow). */
export function followUpAsked(index) {
  for (const [id, card] of spectator.approvals) {
    if (card.dataset.index === String(index)) removeApproval(id);
  }
}

function removeApproval(id) {
  const card = spectator.approvals.get(id);
  if (!card) return;
  clearTimeout(Number(card.dataset.timer));
  spectator.approvals.delete(id);
  card.remove();
}

export function removeAllApprovals() {
  for (const id of [...spectator.approvals.keys()]) removeApproval(id);
}

/** An error reply after a decision: the decision may not have been taken, so allow a retry. */
function reopenSentApprovals() {
  for (const card of spectator.approvals.values()) {
    if (!card.classList.contains('is-sent')) continue;
    clearTimeout(Number(card.dataset.timer));
    card.classList.remove('is-sent');
    card.querySelectorAll('textarea, button').forEach((el) => { el.disabled = false; });
    card.querySelector('.approval-note').textContent = '';
  }
}

// -- errors -------------------------------------------------------------------------------------

export function onError(event) {
  const code = String(event.code || 'error');
  if (typeof event.seq !== 'number') {
    // a reply to something this page sent (e.g. read_only, or a refused ask/approve)
    reopenSentApprovals();
    const input = $('ask-text');
    if (spectator.lastAsk && !input.value && !input.disabled) input.value = spectator.lastAsk;
    spectator.lastAsk = '';
    toast(code, String(event.message || ''), 'error');
    return;
  }
  const age = typeof event.ts === 'number' ? Date.now() / 1000 - event.ts : 0;
  if (age < FRESH_S) toast(code, String(event.message || ''), 'error'); // not old history
}
