/*
 * The room's server events: the one entry point every transport calls (handleEvent), and
 * which module handles each kind. handleEvent(event, {replay: true}) draws a stored event
 * again after a reload (resume.js): only what is on the page (transcript, gauges, question),
 * quietly (no reading aloud, no toasts, no old `state`).
 */

import { onQuality } from './quality.js';
import { createDispatcher } from '../shared/dispatch.js';
import { EVENT } from '../shared/event-kinds.js';
import { createMetricGauges, showMetrics } from '../shared/gauges.js';
import { isReply } from '../shared/socket.js';
import { onFaceSeen } from './face.js';
import { onAnswerCompleted, onEvaluation, onQuestion } from './question.js';
import { onError, onInterviewCompleted, onState } from './session.js';
import { room } from './state.js';
import { onFinal, onPartial } from './transcript.js';
import { endsWaiting, onAnswerWaiting } from './waiting.js';

/** The kinds a replay draws; the others (old states, errors, evaluations) are left out. */
const REPLAYED = new Set([EVENT.TRANSCRIPT_PARTIAL, EVENT.TRANSCRIPT_FINAL, EVENT.METRICS,
  EVENT.QUESTION, EVENT.ANSWER_WAITING, EVENT.ANSWER_COMPLETED, EVENT.CANDIDATE_DISCONNECTED,
  EVENT.QUALITY]);

/** The room's handleEvent(event, context); it draws the gauges, so call it once the page is
 * there. */
export function createEventHandler() {
  const gauges = createMetricGauges();
  const dispatch = createDispatcher({
    [EVENT.STATE]: onState,
    // speech again, the end of the answer or a new question: no longer "Take your time"
    [EVENT.TRANSCRIPT_PARTIAL]: endsWaiting(onPartial),
    [EVENT.TRANSCRIPT_FINAL]: endsWaiting(onFinal),
    [EVENT.METRICS]: (m, context = {}) => {
      room.lastMetrics = m;
      showMetrics(gauges, m);
      if (!context.replay) onFaceSeen(m);
    },
    [EVENT.QUESTION]: endsWaiting(onQuestion),
    [EVENT.ANSWER_WAITING]: onAnswerWaiting,
    [EVENT.ANSWER_COMPLETED]: endsWaiting(onAnswerCompleted),
    [EVENT.EVALUATION]: onEvaluation,
    [EVENT.INTERVIEW_COMPLETED]: endsWaiting(onInterviewCompleted),
    [EVENT.ERROR]: onError,
    [EVENT.QUALITY]: onQuality,
    // how long the server waits for this candidate after a drop (connection.js)
    [EVENT.CANDIDATE_DISCONNECTED]: (e) => { if (e.grace_s > 0) room.graceMs = e.grace_s * 1000; },
  });

  return function handleEvent(event, context = {}) {
    if (!event || typeof event !== 'object') return;
    if (typeof event.seq === 'number') {
      if (event.seq <= room.lastSeq) return; // duplicate (e.g. after a transport fallback)
      room.lastSeq = event.seq;
    }
    room.stats.events++;
    if (isReply(event)) return; // `pong`: not an event
    if (context.replay && !REPLAYED.has(event.type)) return;
    if (!dispatch(event, context)) console.debug('room: unhandled event', event);
  };
}
