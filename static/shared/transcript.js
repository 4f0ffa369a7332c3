/*
 * The live transcript shared by the room and the spectator page (ids #transcript,
 * #transcript-scroll, #partial, #transcript-empty), and transcript text (the replay too).
 *
 * A `transcript.partial` event shows the utterance being spoken in #partial; its
 * `transcript.final` replaces it with a line <li class="line"> in #transcript. A late partial
 * of an utterance already final is dropped.
 */

import { $, node } from './dom.js';
import { formatClock } from './format.js';

const FILLER_RE = /\b(u+m+|u+h+|uhm|e+r+m?|a+h+|h+m+|m+h+m+|mm+)\b/gi;

/** Append `text` to `parent` as text nodes, filler sounds wrapped in <mark class="filler">
 * (no innerHTML: transcripts are untrusted). */
export function renderText(parent, text) {
  let last = 0;
  for (const m of text.matchAll(FILLER_RE)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    parent.append(node('mark', 'filler', m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

/** <time class="line-time"> of a session time in seconds. */
export function timeNode(seconds) {
  const time = node('time', 'line-time', formatClock(seconds));
  time.dateTime = `PT${Math.max(0, Number(seconds) || 0).toFixed(1)}S`;
  return time;
}

/** The line of a final transcript: <li class="line"><time/><span class="line-text"/></li>. */
export function finalLine(event, text) {
  const li = node('li', 'line');
  li.dataset.utterance = String(event.utterance);
  li.dataset.seq = String(event.seq ?? '');
  const span = node('span', 'line-text');
  renderText(span, text);
  li.append(timeNode(event.start ?? event.t), span);
  return li;
}

/**
 * Which partial is shown: partial(event) -> true when it is now the one to show;
 * final(event) -> its trimmed text ('' when it was noise), clearing the partial it replaces.
 */
export function createLiveTranscript() {
  const finalized = new Set();
  const live = {
    partial: null, // {utterance, text}
    partialEvent(event) {
      if (finalized.has(event.utterance)) return false; // late partial of a final utterance
      const text = String(event.text || '').trim();
      if (!text) return false;
      live.partial = { utterance: event.utterance, text };
      return true;
    },
    finalEvent(event) {
      const utt = event.utterance;
      finalized.add(utt);
      const p = live.partial;
      if (p && (p.utterance === utt || (typeof utt === 'number' && p.utterance < utt))) live.partial = null;
      return String(event.text || '').trim();
    },
  };
  return live;
}

/** Show `partial` ({utterance, text}) in #partial, or hide it (null). */
export function renderPartial(partial) {
  const el = $('partial');
  if (!partial) {
    if (!el.hidden || el.textContent) {
      el.hidden = true;
      el.textContent = '';
      delete el.dataset.utterance;
    }
    return;
  }
  el.textContent = partial.text;
  el.dataset.utterance = String(partial.utterance);
  el.hidden = false;
  $('transcript-empty').hidden = true;
}

/** Append lines (an element or a fragment) to #transcript. */
export function appendLines(lines) {
  $('transcript').append(lines);
  $('transcript-empty').hidden = true;
}

/** True when #transcript-scroll is scrolled to (near) its end. */
export function nearBottom() {
  const box = $('transcript-scroll');
  return box.scrollHeight - box.scrollTop - box.clientHeight < 48;
}

export function stickToBottom() {
  const box = $('transcript-scroll');
  box.scrollTop = box.scrollHeight;
}
