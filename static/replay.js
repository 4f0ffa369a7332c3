/*
 * Replay of a recorded interview (served at /replay/{id}?token=CANDIDATE_OR_SPECTATOR_TOKEN):
 * the entry of replay.html. The recording, a seekable timeline, and the transcript,
 * questions, evaluations and metric charts kept in sync with the playback position. The
 * recording's media time is the session clock, so an event's `t` (and a word's
 * `start`/`end`) is directly a `currentTime` of the player. The modules, in replay/:
 *   state.js       the page's state (window.replay)
 *   api.js         loading the events and probing the recording
 *   player.js      the playback position, seek(), the views that follow it
 *   transcript.js  the word-by-word transcript, questions and evaluations
 *   timeline.js    the seekable timeline with its marks
 *   charts.js      the metric charts with their cursor
 */

import { $, setStatus } from './shared/dom.js';
import { queryParam } from './shared/location.js';
import { EVENT } from './shared/event-kinds.js';
import { num, plural } from './shared/format.js';
import { loadEvents, probeRecording } from './replay/api.js';
import { buildCharts, renderCharts, syncCharts } from './replay/charts.js';
import { addView, seek, update, wirePlayer } from './replay/player.js';
import { interviewId, state, token } from './replay/state.js';
import { buildTimeline, syncTimeline, wireTimeline } from './replay/timeline.js';
import { buildTranscript, syncTranscript } from './replay/transcript.js';

window.replay = state;

addView({ layout: buildTimeline, sync: syncTimeline });
addView({ sync: syncTranscript });
addView({ layout: renderCharts, sync: syncCharts });

async function main() {
  if (!interviewId || !token) {
    setStatus('error', 'Open this page with ?token=… (the candidate or spectator token)');
    return;
  }
  $('report-link').href = `/report/${encodeURIComponent(interviewId)}?token=${encodeURIComponent(token)}`;
  wirePlayer();
  wireTimeline();
  let events;
  let recording;
  try {
    [events, recording] = await Promise.all([loadEvents(), probeRecording()]);
  } catch (err) {
    setStatus('error', `Could not load the interview: ${err.message}`);
    document.body.dataset.ready = 'error';
    return;
  }
  state.events = events;
  const finals = events.filter((e) => e.type === EVENT.TRANSCRIPT_FINAL);
  const lastWord = finals.flatMap((e) => e.words || []).reduce((m, w) => Math.max(m, num(w.end) ?? 0), 0);
  state.eventsEnd = Math.max(lastWord, ...events.map((e) => num(e.t) ?? 0), 0);
  state.duration = Math.max(state.eventsEnd, 1);

  const card = $('player-card');
  if (recording) {
    state.hasMedia = true;
    card.classList.toggle('audio-only', recording.type.startsWith('audio/'));
    $('player').src = recording.url;
  } else {
    card.classList.add('no-recording');
    $('no-recording').hidden = false;
  }
  buildTranscript(events);
  buildTimeline();
  buildCharts(events);
  update();
  seekToStart(recording);

  const questions = state.items.filter((it) => it.kind === 'question').length;
  $('subtitle').textContent = [
    plural(finals.length, 'utterance'),
    `${state.words.length} words`,
    questions ? plural(questions, 'question') : null,
    recording ? (recording.type.startsWith('audio/') ? 'audio recording' : 'video recording')
      : 'no recording',
  ].filter(Boolean).join(' · ');
  setStatus('ready', 'Ready');
  document.body.dataset.ready = '1';
}

/** Honour ?t=SECONDS (a link from the report): seek there once the recording can. */
function seekToStart(recording) {
  const t = Number(queryParam('t'));
  if (!queryParam('t') || !Number.isFinite(t) || t < 0) return;
  state.startAt = t;
  const player = $('player');
  if (recording && player.readyState < 1) {
    player.addEventListener('loadedmetadata', () => seek(t), { once: true });
  } else {
    seek(t);
  }
}

main();
