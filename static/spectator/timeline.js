/*
 * The spectator's timeline (#transcript): final lines, questions, and a card per answer
 * (pending while it is evaluated, then its score, feedback, strengths and improvements);
 * plus the utterance being spoken and the current question.
 *
 * The items are in session-time order, whatever order they arrive in: each has data-t, the
 * session time it shows (a final: its utterance's start; a question: its `t`; an answer card:
 * the answer's end), and is placed after every item with a time <= its own. (A final comes
 * after the ASR has run: the final of words spoken before a question can arrive after it.)
 */

import { $, node, replayAnimation } from '../shared/dom.js';
import { num, scoreTone } from '../shared/format.js';
import { questionTitle } from '../shared/questions.js';
import { createLiveTranscript, finalLine, timeNode } from '../shared/transcript.js';
import { followUpAsked, questionAsked } from './controls.js';
import { spectator } from './state.js';

/** The title of a question on this page: a follow-up says which question it follows. */
const titleOf = (q) => ((q.source ?? q.question_source) === 'recruiter'
  ? "Recruiter's question" : questionTitle(q, { numberFollowUps: true }));
const live = createLiveTranscript();

export function onPartial(event) {
  live.partialEvent(event);
}

export function onFinal(event, timeline) {
  const text = live.finalEvent(event);
  if (!text) return; // the partial it replaces was noise
  timeline.push(at(finalLine(event, text), event.start ?? event.t));
  spectator.finals++;
}

/** `li` with its session time (data-t; -1 when it has none: first). */
function at(li, t) {
  const n = num(t);
  li.dataset.t = String(n == null ? -1 : n);
  return li;
}

const timeOf = (el) => Number(el.dataset.t ?? -1);

/** Put a batch's new items into #transcript by session time (stable: equal times keep their
 * arrival order). In order (the usual case) they are appended at once. */
export function placeItems(items) {
  const list = $('transcript');
  const sorted = items.map((el, i) => [timeOf(el), i, el]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const last = list.lastElementChild;
  if (!last || timeOf(last) <= sorted[0][0]) {
    const frag = document.createDocumentFragment();
    for (const [, , el] of sorted) frag.append(el);
    list.append(frag);
  } else {
    for (const [t, , el] of sorted) {
      let after = list.lastElementChild;
      while (after && timeOf(after) > t) after = after.previousElementSibling;
      if (after) after.after(el);
      else list.prepend(el);
    }
  }
  $('transcript-empty').hidden = true;
}

/** The partial to show (none once the session has ended). */
export const shownPartial = () => (spectator.session === 'ended' ? null : live.partial);

export function onQuestion(event, timeline) {
  const text = String(event.text || '').trim();
  if (!text) return;
  const li = node('li', 'tl-question');
  li.dataset.seq = String(event.seq ?? '');
  const body = node('div', 'tl-body');
  body.append(node('span', 'tl-kicker', titleOf(event)), node('p', 'tl-question-text', text));
  li.append(timeNode(event.t), body);
  timeline.push(at(li, event.t));
  if (event.is_follow_up) followUpAsked(event.index);
  questionAsked(event);
}

/** #question: the newest question of a batch. */
export function showQuestion(event) {
  spectator.question = event;
  $('question-label').textContent = spectator.session === 'ended' ? 'Last question' : titleOf(event);
  $('question-text').textContent = String(event.text || '').trim();
  const box = $('question');
  box.classList.add('has-question');
  replayAnimation(box, 'is-new');
}

// -- answer cards -----------------------------------------------------------------------------

function evalCard(event, timeline) {
  const key = String(event.turn ?? event.index ?? '');
  let card = spectator.evalCards.get(key);
  if (!card) {
    card = at(node('li', 'tl-card tl-eval is-pending'), event.end ?? event.t);
    spectator.evalCards.set(key, card);
    timeline.push(card);
  }
  return card;
}

export function onAnswerCompleted(event, timeline) {
  const card = evalCard(event, timeline);
  if (!card.classList.contains('is-pending') || card.childNodes.length) return;
  card.dataset.seq = String(event.seq ?? '');
  const head = node('div', 'eval-head');
  head.append(node('span', 'score-badge', '…'),
    node('span', 'eval-title', `${titleOf(event)} · evaluating the answer…`));
  card.append(timeNode(event.end ?? event.t), head);
}

function list(heading, items, className) {
  const box = node('div', `eval-list ${className}`);
  box.append(node('h3', 'eval-list-title', heading));
  const ul = node('ul');
  for (const item of items) ul.append(node('li', null, String(item)));
  box.append(ul);
  return box;
}

export function onEvaluation(event, timeline) {
  const card = evalCard(event, timeline);
  const t = card.querySelector('time');
  card.replaceChildren();
  card.classList.remove('is-pending');
  const score = Number(event.score);
  const known = event.score != null && Number.isFinite(score);
  const badge = node('span', 'score-badge', known ? String(Math.round(score)) : '—');
  badge.dataset.tone = known ? scoreTone(score) : 'neutral';
  badge.setAttribute('aria-label', known ? `Score ${Math.round(score)} of 100` : 'No score');
  const head = node('div', 'eval-head');
  head.append(badge, node('span', 'eval-title', `${titleOf(event)} · evaluation`));
  const body = node('div', 'tl-body');
  body.append(head);
  if (event.method || event.source) {
    const how = node('p', 'eval-source', `From: ${event.method || event.source}`);
    if (event.formula) how.title = String(event.formula);
    body.append(how);
  }
  if (event.feedback) body.append(node('p', 'eval-feedback', String(event.feedback)));
  const contradicted = Array.isArray(event.points_contradicted) ? event.points_contradicted.filter(Boolean) : [];
  const misconceptions = Array.isArray(event.misconceptions) ? event.misconceptions.filter(Boolean) : [];
  if (contradicted.length || misconceptions.length) {
    body.append(list('Contradicted or wrong', [...contradicted, ...misconceptions], 'eval-wrong'));
  }
  const strengths = Array.isArray(event.strengths) ? event.strengths.filter(Boolean) : [];
  const improvements = Array.isArray(event.improvements) ? event.improvements.filter(Boolean) : [];
  if (strengths.length || improvements.length) {
    const lists = node('div', 'eval-lists');
    if (strengths.length) lists.append(list('Strengths', strengths, 'eval-strengths'));
    if (improvements.length) lists.append(list('To improve', improvements, 'eval-improvements'));
    body.append(lists);
  }
  card.append(t || timeNode(event.t), body);
}
