/*
 * The replay's transcript (#transcript): the utterances word by word, the questions and the
 * evaluations in time order; the word being played is `.active`, its utterance `.current`,
 * and the latest question and evaluation `.current`. Clicking a word or a time seeks there.
 */

import { createDispatcher } from '../shared/dispatch.js';
import { $, node } from '../shared/dom.js';
import { EVENT } from '../shared/event-kinds.js';
import { formatClock, num } from '../shared/format.js';
import { questionTitle } from '../shared/questions.js';
import { applyScore } from '../shared/score-scale.js';
import { seek } from './player.js';
import { lastAtOrBefore, state } from './state.js';

const WORD_TAIL_S = 0.15; // a word stays active this long after its end (short gaps)
const UTTERANCE_TAIL_S = 0.4;

function seekButton(t) {
  const b = node('button', 'seek-time', formatClock(t));
  b.type = 'button';
  b.dataset.seek = String(t);
  b.title = `Play from ${formatClock(t)}`;
  return b;
}

function addUtterance(e, entries) {
  const words = Array.isArray(e.words) ? e.words : [];
  const start = num(e.start) ?? num(words[0]?.start) ?? e.t;
  const end = Math.max(num(e.end) ?? start, num(words[words.length - 1]?.end) ?? start);
  const el = node('div', 'utterance');
  el.dataset.start = String(start);
  el.dataset.end = String(end);
  el.dataset.utterance = String(e.utterance);
  const text = node('p', 'utt-text');
  const utt = { start, end, el, mark: null };
  if (words.length) {
    words.forEach((w, i) => {
      const span = node('span', 'word', String(w.word).trim());
      const ws = num(w.start) ?? start;
      const we = Math.max(ws, num(w.end) ?? ws);
      span.dataset.start = String(ws);
      span.dataset.end = String(we);
      if (i) text.append(' ');
      text.append(span);
      state.words.push({ start: ws, end: we, el: span, utt });
    });
  } else {
    text.textContent = e.text || '';
  }
  el.append(seekButton(start), text);
  state.utterances.push(utt);
  entries.push({ t: start, el });
}

function addQuestion(e, entries) {
  const el = node('div', 'item item-question');
  const body = node('div');
  body.append(node('div', 'item-kind', questionTitle(e)), node('p', 'item-text', e.text || ''));
  el.append(seekButton(e.t), body);
  state.items.push({ t: e.t, kind: 'question', el, text: e.text || '' });
  entries.push({ t: e.t, el });
}

function addEvaluation(e, entries) {
  const el = node('div', 'item item-evaluation');
  const body = node('div');
  const head = node('div', 'item-kind', 'Evaluation');
  if (num(e.score) != null) {
    const score = node('span', 'item-score score', `${Math.round(e.score)}/100`);
    const band = applyScore(score, e.score);
    score.append(node('span', 'band-word', ` ${band.word}`));
    head.append(score);
  }
  body.append(head);
  if (e.feedback) body.append(node('p', 'item-text', e.feedback));
  if (e.question) body.append(node('p', 'item-meta', `On: ${e.question}`));
  el.append(seekButton(e.t), body);
  state.items.push({ t: e.t, kind: 'evaluation', el, text: `score ${e.score ?? '—'}` });
  entries.push({ t: e.t, el });
}

const dispatch = createDispatcher({
  [EVENT.TRANSCRIPT_FINAL]: addUtterance,
  [EVENT.QUESTION]: addQuestion,
  [EVENT.EVALUATION]: addEvaluation,
});

export function buildTranscript(events) {
  const box = $('transcript');
  box.replaceChildren();
  const entries = [];
  for (const e of events) dispatch(e, entries);
  entries.sort((a, b) => a.t - b.t);
  for (const entry of entries) box.append(entry.el);
  if (!entries.length) box.append(node('p', 'transcript-empty', 'Nothing was said.'));
  state.words.sort((a, b) => a.start - b.start);
  state.utterances.sort((a, b) => a.start - b.start);
  state.items.sort((a, b) => a.t - b.t);

  box.addEventListener('click', (ev) => {
    const target = ev.target.closest('[data-seek], .word');
    if (!target) return;
    seek(Number(target.dataset.seek ?? target.dataset.start), true);
  });
}

function wordAt(t) {
  const i = lastAtOrBefore(state.words, t, (w) => w.start);
  if (i < 0) return null;
  const w = state.words[i];
  if (t < w.end + WORD_TAIL_S) return w;
  const next = state.words[i + 1];
  return next && next.utt === w.utt && t < next.start ? w : null; // a pause inside a sentence
}

function utteranceAt(t) {
  const i = lastAtOrBefore(state.utterances, t, (u) => u.start);
  if (i < 0) return null;
  const u = state.utterances[i];
  return t <= u.end + UTTERANCE_TAIL_S ? u : null;
}

function scrollIntoBox(el) {
  if (!$('follow').checked) return;
  const box = $('transcript');
  const r = el.getBoundingClientRect();
  const b = box.getBoundingClientRect();
  if (r.top >= b.top + 24 && r.bottom <= b.bottom - 24) return;
  const top = box.scrollTop + (r.top - b.top) - box.clientHeight / 3;
  box.scrollTo({ top: Math.max(0, top), behavior: 'smooth' });
}

export function syncTranscript(t) {
  const word = wordAt(t);
  if (word !== state.activeWord) {
    state.activeWord?.el.classList.remove('active');
    word?.el.classList.add('active');
    state.activeWord = word;
  }
  const utt = utteranceAt(t) || word?.utt || null;
  if (utt !== state.currentUtt) {
    if (state.currentUtt) {
      state.currentUtt.el.classList.remove('current');
      state.currentUtt.mark?.classList.remove('current');
    }
    if (utt) {
      utt.el.classList.add('current');
      utt.mark?.classList.add('current');
    }
    state.currentUtt = utt;
  }
  if (utt) {
    for (const w of utt.el.querySelectorAll('.word')) {
      w.classList.toggle('spoken', Number(w.dataset.start) <= t);
    }
  }
  // the latest question and evaluation at or before t
  const current = new Set();
  for (const kind of ['question', 'evaluation']) {
    const list = state.items.filter((it) => it.kind === kind);
    const i = lastAtOrBefore(list, t, (it) => it.t);
    if (i >= 0) current.add(list[i]);
  }
  for (const it of state.items) it.el.classList.toggle('current', current.has(it));
  const focus = word?.el || (utt ? utt.el : null);
  if (focus && focus !== state.lastScrolled) {
    state.lastScrolled = focus;
    scrollIntoBox(focus);
  }
  const q = [...current].find((it) => it.kind === 'question');
  $('time-label').textContent = q ? q.text : '';
}
