/*
 * One path for catch-up and live events: receive() drops any seq <= lastSeq, hands socket
 * replies (`pong`, `ack`, an `error` without seq) to the controls at once, queues the event,
 * and flush() renders the whole queue in one animation frame (the timeline's new items placed
 * by session time, the gauges once with the newest metrics, the charts at most once a second).
 * Every event's `ts` (the server's Unix time) against its arrival sets spectator.skewMs, this
 * clock minus the server's (the smallest difference seen: the freshest event's).
 */

import { createDispatcher } from '../shared/dispatch.js';
import { EVENT } from '../shared/event-kinds.js';
import { createMetricGauges, showMetrics } from '../shared/gauges.js';
import { isReply } from '../shared/socket.js';
import { nearBottom, renderPartial, stickToBottom } from '../shared/transcript.js';
import { addPoints, scheduleCharts } from './charts.js';
import {
  onError, onFollowUpPending, onFollowUpResolved, onQuestionQueued, onReply,
} from './controls.js';
import { onCandidateAway, onCandidateBack, onCompleted, onQuality, onState, renderClock, setSession } from './session.js';
import { spectator } from './state.js';
import {
  onAnswerCompleted, onEvaluation, onFinal, onPartial, onQuestion, placeItems, shownPartial,
  showQuestion,
} from './timeline.js';

const LIVE_KINDS = new Set([
  EVENT.TRANSCRIPT_PARTIAL, EVENT.TRANSCRIPT_FINAL, EVENT.METRICS, EVENT.QUESTION,
]);

let gauges = null;

// A handler gets (event, batch): batch.timeline the new timeline items (placed after the batch),
// batch.metrics / batch.question the newest of the batch (shown once).
const dispatch = createDispatcher({
  [EVENT.STATE]: onState,
  [EVENT.TRANSCRIPT_PARTIAL]: onPartial,
  [EVENT.TRANSCRIPT_FINAL]: (e, batch) => onFinal(e, batch.timeline),
  [EVENT.METRICS]: (e, batch) => {
    batch.metrics = e;
    addPoints(e);
  },
  [EVENT.QUESTION]: (e, batch) => {
    batch.question = e;
    onQuestion(e, batch.timeline);
  },
  [EVENT.ANSWER_COMPLETED]: (e, batch) => onAnswerCompleted(e, batch.timeline),
  [EVENT.EVALUATION]: (e, batch) => onEvaluation(e, batch.timeline),
  [EVENT.INTERVIEW_COMPLETED]: onCompleted,
  [EVENT.CANDIDATE_DISCONNECTED]: onCandidateAway,
  [EVENT.CANDIDATE_RECONNECTED]: onCandidateBack,
  [EVENT.QUALITY]: onQuality,
  [EVENT.ERROR]: onError,
  [EVENT.STAFF_QUESTION_QUEUED]: onQuestionQueued,
  [EVENT.STAFF_FOLLOW_UP_PENDING]: onFollowUpPending,
  [EVENT.STAFF_FOLLOW_UP_APPROVED]: onFollowUpResolved,
  [EVENT.STAFF_FOLLOW_UP_REJECTED]: onFollowUpResolved,
  [EVENT.STAFF_FOLLOW_UP_EXPIRED]: onFollowUpResolved,
});

/** Draw the gauges (once the page is there). */
export function initFeed() {
  gauges = createMetricGauges();
}

/** Every message of the socket (and window.spectator.handle(event)). */
export function receive(event) {
  if (!event || typeof event !== 'object') return;
  spectator.stats.received++;
  if (typeof event.seq === 'number') {
    if (event.seq <= spectator.lastSeq) {
      spectator.stats.duplicates++;
      return;
    }
    spectator.lastSeq = event.seq;
  }
  if (typeof event.ts === 'number') {
    const skew = Date.now() - event.ts * 1000;
    if (spectator.skewMs == null || skew < spectator.skewMs) spectator.skewMs = skew;
  }
  if (isReply(event) || (event.type === EVENT.ERROR && typeof event.seq !== 'number')) {
    onReply(event); // not events: the answers to what this page sent
    return;
  }
  spectator.queue.push(event);
  scheduleFlush();
}

function scheduleFlush() {
  if (spectator.flushPending) return;
  spectator.flushPending = true;
  requestAnimationFrame(flush);
  setTimeout(flush, 250); // a background tab gets no animation frames
}

function flush() {
  if (!spectator.flushPending) return;
  spectator.flushPending = false;
  const events = spectator.queue;
  spectator.queue = [];
  if (!events.length) return;
  const atBottom = nearBottom();
  const batch = { timeline: [], metrics: null, question: null };
  for (const event of events) {
    spectator.stats.byType[event.type] = (spectator.stats.byType[event.type] || 0) + 1;
    if (typeof event.t === 'number' && event.t >= spectator.clockT) {
      spectator.clockT = event.t;
      spectator.clockAt = performance.now();
    }
    if (spectator.session === 'waiting' && LIVE_KINDS.has(event.type)) setSession('live');
    try {
      dispatch(event, batch);
    } catch (err) {
      console.error('spectator: could not render', event, err);
    }
  }
  if (batch.timeline.length) placeItems(batch.timeline);
  renderPartial(shownPartial());
  if (batch.question) showQuestion(batch.question);
  if (batch.metrics) showMetrics(gauges, batch.metrics);
  renderClock();
  if (spectator.chartsDirty) scheduleCharts();
  if (atBottom) stickToBottom();
}
