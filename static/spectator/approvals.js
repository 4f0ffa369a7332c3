/*
 * Follow-ups waiting for the recruiter's approval: a card per `staff.follow_up_pending`
 * (editable text, Approve, Skip) with the time left before the server skips it by itself
 * ("Auto-skip in 17 s", and a bar). The server skips it `timeout_s` after the event's `ts`
 * (its Unix time); this page's clock is set against the server's by the freshest event seen
 * (spectator.skewMs). The card goes when the follow-up is approved, skipped or expired
 * (`staff.follow_up_approved` / `_rejected` / `_expired`, or its `question`).
 * Keyboard: Ctrl+Enter (or Cmd+Enter) in the text approves it.
 */

import { $, node } from '../shared/dom.js';
import { send } from './connection.js';
import { spectator } from './state.js';

const TICK_MS = 250;
const STALE_GRACE_MS = 5000;  // past its deadline and not resolved: drop the card after this
const DONE_CARD_MS = 1500;    // an acknowledged decision stays this long ("Approved")
const ANNOUNCE_LEFT_S = 5;    // said once to screen readers ("5 seconds left")

let ticker = 0;

/** Say `text` once in the approvals' live region. */
function announce(text) {
  const el = $('approvals-live');
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 50);
}

/** This page's clock (ms) of the server's Unix time `ts` (seconds). */
const localTime = (ts) => ts * 1000 + (spectator.skewMs ?? 0);

export function onFollowUpPending(event) {
  if (!spectator.accessToken || spectator.session === 'ended' || event.id == null) return;
  const id = String(event.id);
  if (spectator.approvals.has(id)) return;
  const timeoutMs = Math.max(0, Number(event.timeout_s) || 0) * 1000;
  const shown = Date.now();
  const deadline = timeoutMs
    ? (typeof event.ts === 'number' ? localTime(event.ts) : shown) + timeoutMs
    : 0;
  if (deadline && deadline + STALE_GRACE_MS < shown) return; // long over (old history)

  const card = node('article', 'approval');
  card.dataset.id = id;
  card.dataset.index = String(event.index ?? '');
  card.setAttribute('aria-labelledby', `approval-${cssId(id)}-label`);
  const label = node('label', 'approval-label',
    Number.isInteger(event.index) ? `Suggested follow-up to question ${event.index + 1}` : 'Suggested follow-up');
  label.id = `approval-${cssId(id)}-label`;
  const area = node('textarea', 'approval-text');
  area.id = `approval-${cssId(id)}`;
  area.rows = 2;
  area.maxLength = 500;
  area.value = String(event.text || '');
  label.htmlFor = area.id;
  const countdown = node('p', 'approval-countdown');
  const bar = node('span', 'approval-bar');
  bar.setAttribute('aria-hidden', 'true');
  const fill = node('span', 'approval-bar-fill');
  bar.append(fill);
  const left = node('span', 'approval-left');
  countdown.append(left, bar);
  const actions = node('div', 'approval-actions');
  const approve = node('button', 'btn btn-primary btn-small', 'Approve');
  approve.type = 'button';
  const skip = node('button', 'btn btn-ghost btn-small', 'Skip');
  skip.type = 'button';
  const note = node('span', 'approval-note');
  actions.append(note, skip, approve);
  card.append(label, area, countdown, actions);

  const state = { card, area, approve, skip, note, left, fill, deadline, timeoutMs, sent: null, said: false };
  card.approval = state;
  const decide = (message, doing) => {
    if (state.sent) return;
    if (!send(message)) {
      setNote(state, "Not connected, so nothing was sent. Try again in a moment.", 'error');
      return;
    }
    state.sent = message.type;
    state.hadFocus = card.contains(document.activeElement); // disabling drops the focus
    card.classList.add('is-sent');
    area.disabled = approve.disabled = skip.disabled = true;
    setNote(state, doing);
  };
  approve.addEventListener('click', () => {
    const text = area.value.trim();
    if (!text) {
      setNote(state, 'Write the question to ask, or skip it.', 'error');
      area.focus();
      return;
    }
    decide({ type: 'approve', id: event.id, text }, 'Approving…');
  });
  skip.addEventListener('click', () => decide({ type: 'reject', id: event.id }, 'Skipping…'));
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      approve.click();
    }
  });
  spectator.approvals.set(id, card);
  $('approvals').append(card);
  const secs = deadline ? Math.max(0, Math.ceil((deadline - shown) / 1000)) : 0;
  announce(`A suggested follow-up is waiting for your approval${secs ? `; it is skipped in ${secs} seconds` : ''}.`);
  tick();
  if (!ticker) ticker = setInterval(tick, TICK_MS);
}

const cssId = (id) => id.replace(/[^\w-]/g, '_');

function setNote(state, text, tone = 'info') {
  state.note.textContent = text;
  state.note.dataset.tone = tone;
}

/** Redraw every card's time left; drop cards long past their deadline. */
function tick() {
  const now = Date.now();
  for (const [id, card] of spectator.approvals) {
    const s = card.approval;
    if (!s || !s.deadline) {
      if (s) s.left.textContent = '';
      continue;
    }
    const leftMs = s.deadline - now;
    if (leftMs < -STALE_GRACE_MS) {
      removeApproval(id);
      continue;
    }
    const secs = Math.max(0, Math.ceil(leftMs / 1000));
    const text = s.sent ? '' : secs > 0 ? `Auto-skip in ${secs} s` : 'Skipping it now…';
    if (s.left.textContent !== text) s.left.textContent = text;
    s.fill.style.transform = `scaleX(${Math.max(0, Math.min(1, leftMs / s.timeoutMs)).toFixed(3)})`;
    s.card.dataset.left = String(secs);
    s.card.classList.toggle('is-urgent', secs <= ANNOUNCE_LEFT_S && !s.sent);
    if (!s.said && !s.sent && secs > 0 && secs <= ANNOUNCE_LEFT_S) {
      s.said = true;
      announce(`${secs} seconds left to approve the suggested follow-up.`);
    }
  }
  if (!spectator.approvals.size && ticker) {
    clearInterval(ticker);
    ticker = 0;
  }
}

const RESOLVED_TEXT = {
  approved: 'Follow-up approved: it is asked now.',
  rejected: 'Follow-up skipped.',
  replaced: 'Follow-up dropped: your own question goes first.',
  timeout: 'Follow-up skipped: no decision in time.',
  ended: 'Follow-up dropped: the interview ended.',
};

/** `staff.follow_up_approved` / `_rejected` / `_expired`: the card goes. */
export function onFollowUpResolved(event) {
  if (event.id == null) return;
  const id = String(event.id);
  if (!spectator.approvals.has(id)) return;
  const outcome = event.type.endsWith('approved') ? 'approved' : event.reason || 'rejected';
  removeApproval(id);
  if (RESOLVED_TEXT[outcome]) announce(RESOLVED_TEXT[outcome]);
}

/** The `ack` of an approve / reject: said on the card, which then goes. */
export function onApprovalAck(reply) {
  const card = spectator.approvals.get(String(reply.id));
  if (!card || !card.approval) return;
  setNote(card.approval, reply.action === 'approve' ? 'Approved' : 'Skipped');
  setTimeout(() => removeApproval(String(reply.id)), DONE_CARD_MS);
}

/** What a refused approve / reject means, in plain words. */
const REFUSED = {
  not_pending: 'Already decided (approved, skipped, or skipped when its time ran out).',
  unknown_follow_up: 'This follow-up is no longer waiting for approval.',
  bad_text: 'The question needs 1 to 500 characters.',
  finished: 'The interview has ended.',
  not_live: "The interview isn't live right now.",
  read_only: 'This link can only watch. Sign in as a recruiter of this interview to decide.',
  forbidden: "Only this interview's recruiters can approve or skip follow-ups.",
};

/** An error reply to an approve / reject (of card `reply.id`, or every sent card): said on
 * the card, whose buttons work again (the decision may not have been taken). False when no
 * card was waiting for it. */
export function onApprovalRefused(reply) {
  const ids = reply.id != null ? [String(reply.id)] : [...spectator.approvals.keys()];
  let said = false;
  for (const id of ids) {
    const card = spectator.approvals.get(id);
    const s = card && card.approval;
    if (!s || !s.sent) continue;
    said = true;
    s.sent = null;
    card.classList.remove('is-sent');
    s.area.disabled = s.approve.disabled = s.skip.disabled = false;
    const code = String(reply.code || '');
    setNote(s, REFUSED[code] || 'Not done: the server refused it. Try again.', 'error');
    if (code === 'not_pending' || code === 'unknown_follow_up' || code === 'finished') {
      s.area.disabled = s.approve.disabled = s.skip.disabled = true;
      setTimeout(() => removeApproval(id), DONE_CARD_MS * 2);
    }
  }
  return said;
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
  const active = document.activeElement;
  const hadFocus = card.contains(active)
    || (card.approval && card.approval.hadFocus && (!active || active === document.body));
  spectator.approvals.delete(id);
  card.remove();
  if (hadFocus && !$('ask-text').disabled) $('ask-text').focus(); // focus is not lost to <body>
}

export function removeAllApprovals() {
  for (const id of [...spectator.approvals.keys()]) removeApproval(id);
}
