/*
 * The kinds of event the server emits on the interview's event stream (the `type` of every
 * event on the candidate and spectator sockets and in GET /api/interviews/{id}/events).
 *
 * This is the one list the pages use: route events with createDispatcher() (dispatch.js),
 * which refuses a handler for a kind that is not here. Keep the block below one entry per line
 * (`  NAME: 'wire.name',`): a Python test parses it and compares it with the server's list.
 * Socket replies (`pong`, `ack`) are not events: see socket.js.
 */

export const EVENT = Object.freeze({
  STATE: 'state',
  TRANSCRIPT_PARTIAL: 'transcript.partial',
  TRANSCRIPT_FINAL: 'transcript.final',
  METRICS: 'metrics',
  QUESTION: 'question',
  ANSWER_COMPLETED: 'answer.completed',
  EVALUATION: 'evaluation',
  INTERVIEW_COMPLETED: 'interview.completed',
  ERROR: 'error',
  STAFF_QUESTION_QUEUED: 'staff.question_queued',
  STAFF_FOLLOW_UP_PENDING: 'staff.follow_up_pending',
  STAFF_FOLLOW_UP_APPROVED: 'staff.follow_up_approved',
  STAFF_FOLLOW_UP_REJECTED: 'staff.follow_up_rejected',
  STAFF_FOLLOW_UP_EXPIRED: 'staff.follow_up_expired',
});
