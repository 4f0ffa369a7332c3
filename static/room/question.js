/*
 * The room's question card: the current question (read aloud if the candidate wants), the
 * "Next question" button, and the evaluation toasts.
 *
 * Turn-taking: "Next question" ends the answer now ({"type":"next"}); the server also ends it
 * after a long pause. Then `answer.completed`, `evaluation`, the next `question` (a follow-up
 * comes as a `question` with is_follow_up: true), and after the last one
 * `interview.completed`.
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
  const box = $('question');
  box.hidden = false;
  if (replay) return;
  replayAnimation(box, 'is-new');
  if ($('speak-toggle').checked) speak(text);
}

export function onAnswerCompleted() {
  nextButton().disabled = true;
  $('question-label').textContent = 'Evaluating your answer…';
}

export function onEvaluation(event) {
  const label = event.is_follow_up ? 'follow-up' : `answer ${Number(event.index) + 1}`;
  toast(`${label}: ${Math.round(Number(event.score) || 0)}/100`, String(event.feedback || ''), 'info', 12000);
}

function nextButton() {
  let b = $('question-next');
  if (!b) {
    b = node('button', 'btn btn-primary btn-small', 'Next question');
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
  const release = () => { room.micMuted = false; clearTimeout(guard); };
  const guard = setTimeout(release, 30000);
  u.onstart = () => { room.micMuted = true; };
  u.onend = release;
  u.onerror = release;
  synth.speak(u);
}

export function stopSpeaking() {
  if (canSpeak) window.speechSynthesis.cancel();
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
