/*
 * "Take your time": after a thinking phrase ("let me think") or an unfinished sentence the
 * server waits longer before it ends the answer, and says so with `answer.waiting`. A calm
 * status line in the question card (not a toast); it goes when the candidate speaks again (a
 * transcript event), the answer ends or the next question comes. "Next question" still ends
 * the answer at any time.
 */

import { $ } from '../shared/dom.js';

export function onAnswerWaiting() {
  const line = $('question-waiting');
  if (line) line.hidden = false;
}

export function hideWaiting() {
  const line = $('question-waiting');
  if (line) line.hidden = true;
}

/** `handler`, after hiding the line: for the events that end the wait. */
export function endsWaiting(handler) {
  return (event, context) => {
    hideWaiting();
    handler(event, context);
  };
}
