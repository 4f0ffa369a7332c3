/*
 * The signed-in recruiter's controls (?access_token=... in the URL or 'access_token' in
 * localStorage), sent on the spectator socket:
 *   {"type": "ask", "text": "..."}                     the "Ask" box (ask.js)
 *   {"type": "approve", "id": ..., "text": "..."}     a staff.follow_up_pending card, edited
 *   {"type": "reject", "id": ...}                      its "Skip" button (approvals.js)
 * The server answers each on this socket only, without `seq`: an `ack` or an `error` with the
 * `action` it answers (onReply routes them): a refusal is said under the Ask box or on the
 * card it refuses (a toast only when it is neither's). A session `error` event (with `seq`) is
 * toasted while fresh.
 */

import { $ } from '../shared/dom.js';
import { toast } from '../shared/toast.js';
import { askWaiting, initAsk, onAskAck, onAskRefused } from './ask.js';
import { onApprovalAck, onApprovalRefused } from './approvals.js';
import { spectator } from './state.js';

export { disableAsk, onQuestionQueued, questionAsked } from './ask.js';
export {
  followUpAsked, onFollowUpPending, onFollowUpResolved, removeAllApprovals,
} from './approvals.js';

const FRESH_S = 15; // a session error younger than this is toasted

export function initControls() {
  $('controls').hidden = !spectator.accessToken;
  initAsk();
}

/** A reply of the server to something this page sent: an `ack`, or an `error` without seq. */
export function onReply(reply) {
  const action = reply.action;
  if (reply.type === 'ack') {
    if (action === 'ask') onAskAck(reply);
    else if (action === 'approve' || action === 'reject') onApprovalAck(reply);
    return;
  }
  if (reply.type !== 'error') return;
  console.warn('spectator: refused', reply);
  // said where it happened: under the Ask box, or on the follow-up's card
  if (action === 'ask' || (action == null && askWaiting())) onAskRefused(reply);
  else if (!onApprovalRefused(reply)) {
    toast(String(reply.code || 'error'), String(reply.message || ''), 'error');
  }
}

/** A session `error` event (with `seq`): toasted while fresh, not when it is old history. */
export function onError(event) {
  if (typeof event.seq !== 'number') {
    onReply(event);
    return;
  }
  const age = typeof event.ts === 'number' ? Date.now() / 1000 - event.ts : 0;
  if (age < FRESH_S) toast(String(event.code || 'error'), String(event.message || ''), 'error');
}
