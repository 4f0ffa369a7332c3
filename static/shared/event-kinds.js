// The kinds of event the server emits (the `type` of every event on the
// candidate and spectator sockets and in GET /api/interviews/{id}/events).
// Generated from server/events/kinds.py by `python -m server.events.kinds`:
// do not edit, regenerate. Route events with createDispatcher() (dispatch.js),
// which refuses a handler for a kind that is not here. Socket replies (`pong`,
// `ack`) are not events.
export const EVENT = Object.freeze({
  STATE: 'state',
  ERROR: 'error',
  TRANSCRIPT_PARTIAL: 'transcript.partial',
  TRANSCRIPT_FINAL: 'transcript.final',
  METRICS: 'metrics',
  QUESTION: 'question',
  ANSWER_WAITING: 'answer.waiting',
  ANSWER_COMPLETED: 'answer.completed',
  EVALUATION: 'evaluation',
  INTERVIEW_COMPLETED: 'interview.completed',
  CANDIDATE_DISCONNECTED: 'candidate.disconnected',
  CANDIDATE_RECONNECTED: 'candidate.reconnected',
  QUALITY: 'quality',
  STAFF_QUESTION_QUEUED: 'staff.question_queued',
  STAFF_FOLLOW_UP_PENDING: 'staff.follow_up_pending',
  STAFF_FOLLOW_UP_APPROVED: 'staff.follow_up_approved',
  STAFF_FOLLOW_UP_REJECTED: 'staff.follow_up_rejected',
  STAFF_FOLLOW_UP_EXPIRED: 'staff.follow_up_expired',
});
