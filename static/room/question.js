/*
 * The room's question card: the current question (read aloud if the candidate wants), the
 * "Next question" button, "Type your answer" (a written answer, {"type":"answer.text"}), and
 * after each answer a neutral "Answer received" - or, in a practice interview, coaching.
 *
 * Turn-taking: "Next question" ends the answer now ({"type":"next"}); the server also ends it
 * after a long pause. Then `answer.completed`, in practice an `evaluation` (the server sends a
 * recruiter-run interview's candidate none), the next `question` (a follow-up comes as a
 * `question` with is_follow_up: true), and after the last one `interview.completed`.
 */

import { $, node, replayAnimation } from '../shared/dom.js';
import { questionTitle } from '../shared/questions.js';
import { toast } from '../shared/toast.js';
import { room } from './state.js';

const SPEAK_KEY = 'room.speakQuestions';
const canSpeak = 'speechSynthesis' in window && 'SpeechSynthesisUtterance' in window;

/** A `question` event; `replay` (a reloaded page drawing it again): not read aloud. */
export function onQuestion(event, { replay = false } = {}) {
  const text = String(event.text || '').trim();
  if (!text) return;
  $('question-text').textContent = text;
  $('question-label').textContent = questionTitle(event);
  nextButton().disabled = false;
  typeButton().disabled = false;
  closeTyping();
  const box = $('question');
  box.hidden = false;
  if (replay) return;
  replayAnimation(box, 'is-new');
  if ($('speak-toggle').checked) speak(text);
}

export function onAnswerCompleted() {
  nextButton().disabled = true;
  typeButton().disabled = true;
  closeTyping();
  $('question-label').textContent = 'Answer received';
}

/** Practice only: coaching on the answer under the question card, phrased as advice, with
 * where the score came from; it stays until the next answer's coaching. */
export function onEvaluation(event) {
  const label = event.is_follow_up ? 'Follow-up' : `Answer ${Number(event.index) + 1}`;
  const score = event.score != null ? ` · ${Math.round(Number(event.score) || 0)}/100` : '';
  let box = $('coaching');
  if (!box) {
    box = node('section', 'coaching');
    box.id = 'coaching';
    box.setAttribute('aria-live', 'polite');
    box.setAttribute('aria-label', 'Coaching on your last answer');
    $('question').after(box);
  }
  const tips = node('ul', 'coaching-tips');
  for (const tip of (event.coaching || []).slice(0, 3)) tips.append(node('li', null, String(tip)));
  const how = node('p', 'coaching-source', `Practice feedback, ${event.method || event.source || 'offline'}.`);
  if (event.formula) how.title = String(event.formula);
  box.replaceChildren(node('h2', 'coaching-title', `${label}${score}`), tips, how);
  box.hidden = false;
  replayAnimation(box, 'is-new');
}

// -- a written answer -------------------------------------------------------------------------

function typeButton() {
  let b = $('question-type');
  if (!b) {
    b = node('button', 'btn btn-ghost btn-small', 'Type your answer');
    b.type = 'button';
    b.id = 'question-type';
    b.setAttribute('aria-expanded', 'false');
    b.setAttribute('aria-controls', 'typed-answer');
    b.addEventListener('click', () => (typingForm().hidden ? openTyping() : closeTyping()));
    $('question').append(b);
  }
  return b;
}

function typingForm() {
  let form = $('typed-answer');
  if (!form) {
    form = node('form', 'typed-answer');
    form.id = 'typed-answer';
    form.hidden = true;
    const label = node('label', null, 'Your answer');
    label.htmlFor = 'typed-answer-text';
    const area = node('textarea');
    area.id = 'typed-answer-text';
    area.maxLength = 5000;
    area.rows = 5;
    area.required = true;
    const count = node('span', 'typed-answer-count', '0 / 5000');
    count.id = 'typed-answer-count';
    count.setAttribute('aria-live', 'polite');
    area.addEventListener('input', () => { count.textContent = `${area.value.length} / 5000`; });
    const send = node('button', 'btn btn-primary btn-small', 'Send answer');
    send.type = 'submit';
    form.append(label, area, count, send);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = area.value.trim();
      const t = room.transport;
      if (!text) { area.focus(); return; }
      if (room.phase === 'live' && t && typeof t.send === 'function' && t.send({ type: 'answer.text', text })) {
        area.value = '';
        count.textContent = '0 / 5000';
        closeTyping();
        typeButton().disabled = true;
        nextButton().disabled = true;
      } else {
        toast('Not sent', 'The connection is not ready; your text is kept, try again in a moment.', 'error');
      }
    });
    $('question').append(form);
  }
  return form;
}

function openTyping() {
  typingForm().hidden = false;
  typeButton().setAttribute('aria-expanded', 'true');
  $('typed-answer-text').focus();
}

function closeTyping() {
  const form = $('typed-answer');
  if (form) form.hidden = true;
  if ($('question-type')) typeButton().setAttribute('aria-expanded', 'false');
}

function nextButton() {
  let b = $('question-next');
  if (!b) {
    b = node('button', 'btn btn-ghost btn-small', 'Next question');
    b.type = 'button';
    b.id = 'question-next';
    b.title = 'I have finished my answer';
    b.addEventListener('click', () => {
      const t = room.transport;
      if (room.phase === 'live' && t && typeof t.send === 'function' && t.send({ type: 'next' })) b.disabled = true;
    });
    $('question').append(b);
  }
  return b;
}

// -- reading questions aloud ----------------------------------------------------------------

function speak(text) {
  if (!canSpeak || !text) return;
  const synth = window.speechSynthesis;
  synth.cancel();
  const u = new SpeechSynthesisUtterance(text);
  u.lang = 'en-US';
  const voice = synth.getVoices().find((v) => v.lang === 'en-US' && v.localService) ||
    synth.getVoices().find((v) => (v.lang || '').startsWith('en'));
  if (voice) u.voice = voice;
  // Send silence while the question plays so the candidate's mic doesn't transcribe it.
  // the question's text stays on the card as its caption; a line says it is being read
  const release = () => { room.micMuted = false; clearTimeout(guard); $('question-speaking').hidden = true; };
  const guard = setTimeout(release, 30000);
  u.onstart = () => { room.micMuted = true; $('question-speaking').hidden = false; };
  u.onend = release;
  u.onerror = release;
  synth.speak(u);
}

export function stopSpeaking() {
  if (canSpeak) window.speechSynthesis.cancel();
  $('question-speaking').hidden = true;
}

/** The "Read questions aloud" switch (remembered) and the "Repeat" button. */
export function initSpeech() {
  const toggle = $('speak-toggle');
  if (!canSpeak) {
    $('speak-toggle-label').hidden = true;
    $('question-repeat').hidden = true;
  } else {
    const saved = localStorage.getItem(SPEAK_KEY);
    if (saved != null) toggle.checked = saved === '1';
    toggle.addEventListener('change', () => {
      localStorage.setItem(SPEAK_KEY, toggle.checked ? '1' : '0');
      if (!toggle.checked) window.speechSynthesis.cancel();
    });
  }
  $('question-repeat').addEventListener('click', () => speak($('question-text').textContent));
}
