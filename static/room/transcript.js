/*
 * The room's live transcript: the utterance being spoken (#partial) and the final lines,
 * kept scrolled to the end while the candidate has not scrolled up.
 */

import {
  appendLines, createLiveTranscript, finalLine, nearBottom, renderPartial, stickToBottom,
} from '../shared/transcript.js';

const live = createLiveTranscript();

export function onPartial(event) {
  if (!live.partialEvent(event)) return;
  const atBottom = nearBottom();
  renderPartial(live.partial);
  if (atBottom) stickToBottom();
}

export function onFinal(event) {
  const atBottom = nearBottom();
  const text = live.finalEvent(event);
  renderPartial(live.partial);
  if (text) appendLines(finalLine(event, text));
  if (atBottom) stickToBottom();
}
