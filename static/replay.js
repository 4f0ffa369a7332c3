// Replay of a recorded interview: the recording, a seekable timeline, and the transcript,
// questions, evaluations and metric charts kept in sync with the playback position.
//
// The recording's media time is the session clock, so an event's `t` (and a word's
// `start`/`end`) is directly a `currentTime` of the player.

import { formatClock } from './shared/format.js';
import { spoke } from './shared/metrics.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const WORD_TAIL_S = 0.15; // a word stays active this long after its end (short gaps)
const UTTERANCE_TAIL_S = 0.4;

const $ = (id) => document.getElementById(id);

const interviewId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
const token = new URLSearchParams(location.search).get('token') || '';
const apiBase = `/api/interviews/${encodeURIComponent(interviewId)}`;
const withToken = (path) => `${apiBase}${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;

const state = {
  events: [],
  words: [], // {start, end, el, utt}
  utterances: [], // {start, end, el, mark}
  items: [], // questions and evaluations: {t, kind, el}
  charts: [], // {series, cursor, dot, value, x, y, fmt}
  duration: 0,
  eventsEnd: 0,
  hasMedia: false,
  t: 0, // the position when there is no recording
  activeWord: null,
  currentUtt: null,
  currentItems: new Set(),
  raf: 0,
};

// Exposed for debugging and tests.
window.replay = state;

function setStatus(kind, text) {
  const el = $('status');
  el.dataset.state = kind;
  el.textContent = text;
}

function make(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text != null) el.textContent = text;
  return el;
}

function svg(name, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

// -- loading ---------------------------------------------------------------------------------

async function apiError(response) {
  try {
    const body = await response.json();
    if (body && body.error) return `${body.error.message} (${response.status})`;
  } catch { /* not JSON */ }
  return `HTTP ${response.status}`;
}

async function loadEvents() {
  const events = [];
  let after = 0;
  for (let page = 0; page < 10000; page++) {
    const r = await fetch(withToken(`/events?after=${after}&limit=1000`));
    if (!r.ok) throw new Error(await apiError(r));
    const body = await r.json();
    events.push(...body.events);
    if (!body.more || body.next_after === after) break;
    after = body.next_after;
  }
  return events;
}

async function probeRecording() {
  const url = withToken('/recording');
  const r = await fetch(url, { method: 'HEAD' });
  if (r.status === 404) return null;
  if (!r.ok) throw new Error(`recording: HTTP ${r.status}`);
  return { url, type: r.headers.get('content-type') || '' };
}

// -- event classification --------------------------------------------------------------------

const isQuestion = (e) => e.type === 'question';
const isEvaluation = (e) => e.type === 'evaluation';

// -- transcript ------------------------------------------------------------------------------

function seekButton(t) {
  const b = make('button', 'seek-time', formatClock(t));
  b.type = 'button';
  b.dataset.seek = String(t);
  b.title = `Play from ${formatClock(t)}`;
  return b;
}

function buildTranscript(events) {
  const box = $('transcript');
  box.replaceChildren();
  const entries = [];
  for (const e of events) {
    if (e.type === 'transcript.final') {
      const words = Array.isArray(e.words) ? e.words : [];
      const start = num(e.start) ?? num(words[0]?.start) ?? e.t;
      const end = Math.max(num(e.end) ?? start, num(words[words.length - 1]?.end) ?? start);
      const el = make('div', 'utterance');
      el.dataset.start = String(start);
      el.dataset.end = String(end);
      el.dataset.utterance = String(e.utterance);
      const text = make('p', 'utt-text');
      const utt = { start, end, el, mark: null };
      if (words.length) {
        words.forEach((w, i) => {
          const span = make('span', 'word', String(w.word).trim());
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
    } else if (isQuestion(e)) {
      const el = make('div', 'item item-question');
      const body = make('div');
      const n = num(e.index);
      const label = e.is_follow_up ? 'Follow-up question'
        : n != null ? `Question ${n + 1}${e.total ? ` of ${e.total}` : ''}` : 'Question';
      body.append(make('div', 'item-kind', label), make('p', 'item-text', e.text || ''));
      el.append(seekButton(e.t), body);
      state.items.push({ t: e.t, kind: 'question', el, text: e.text || '' });
      entries.push({ t: e.t, el });
    } else if (isEvaluation(e)) {
      const el = make('div', 'item item-evaluation');
      const body = make('div');
      const head = make('div', 'item-kind', 'Evaluation');
      if (num(e.score) != null) head.append(make('span', 'item-score', `${Math.round(e.score)}/100`));
      body.append(head);
      if (e.feedback) body.append(make('p', 'item-text', e.feedback));
      if (e.question) body.append(make('p', 'item-meta', `On: ${e.question}`));
      el.append(seekButton(e.t), body);
      state.items.push({ t: e.t, kind: 'evaluation', el, text: `score ${e.score ?? '—'}` });
      entries.push({ t: e.t, el });
    }
  }
  entries.sort((a, b) => a.t - b.t);
  for (const entry of entries) box.append(entry.el);
  if (!entries.length) box.append(make('p', 'transcript-empty', 'Nothing was said.'));
  state.words.sort((a, b) => a.start - b.start);
  state.utterances.sort((a, b) => a.start - b.start);
  state.items.sort((a, b) => a.t - b.t);

  box.addEventListener('click', (ev) => {
    const target = ev.target.closest('[data-seek], .word');
    if (!target) return;
    seek(Number(target.dataset.seek ?? target.dataset.start), true);
  });
}

/** The index of the last entry of `list` (sorted by `key`) with key <= t, or -1. */
function lastAtOrBefore(list, t, key) {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]) <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
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

function syncTranscript(t) {
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

// -- timeline ----------------------------------------------------------------------------------

function pct(t) {
  return `${(100 * Math.max(0, Math.min(1, t / (state.duration || 1)))).toFixed(3)}%`;
}

function buildTimeline() {
  const marks = document.querySelector('.timeline-marks');
  marks.replaceChildren();
  for (const u of state.utterances) {
    const m = make('div', 'mark mark-utterance');
    m.style.left = pct(u.start);
    m.style.width = `calc(${pct(u.end)} - ${pct(u.start)})`;
    m.title = `${formatClock(u.start)} ${u.el.querySelector('.utt-text').textContent.slice(0, 80)}`;
    if (u === state.currentUtt) m.classList.add('current');
    u.mark = m;
    marks.append(m);
  }
  for (const it of state.items) {
    const m = make('div', `mark mark-${it.kind}`);
    m.style.left = pct(it.t);
    m.title = `${formatClock(it.t)} ${it.kind}: ${it.text}`;
    marks.append(m);
  }
  for (const span of document.querySelectorAll('.legend [data-kind]')) {
    span.hidden = !state.items.some((it) => it.kind === span.dataset.kind);
  }
  $('time-total').textContent = formatClock(state.duration);
  $('timeline').setAttribute('aria-valuemax', String(Math.round(state.duration)));
}

function timelineTime(ev) {
  const r = $('timeline').getBoundingClientRect();
  const x = Math.max(0, Math.min(r.width, ev.clientX - r.left));
  return (x / (r.width || 1)) * state.duration;
}

function wireTimeline() {
  const bar = $('timeline');
  const hover = bar.querySelector('.timeline-hover');
  let dragging = false;
  bar.addEventListener('pointerdown', (ev) => {
    dragging = true;
    bar.setPointerCapture(ev.pointerId);
    seek(timelineTime(ev));
  });
  bar.addEventListener('pointermove', (ev) => {
    const t = timelineTime(ev);
    hover.hidden = false;
    hover.style.left = pct(t);
    hover.textContent = formatClock(t);
    if (dragging) seek(t);
  });
  const end = () => { dragging = false; };
  bar.addEventListener('pointerup', end);
  bar.addEventListener('pointercancel', end);
  bar.addEventListener('pointerleave', () => { hover.hidden = true; });
  bar.addEventListener('keydown', (ev) => {
    const step = { ArrowLeft: -5, ArrowRight: 5, PageDown: -30, PageUp: 30 }[ev.key];
    if (step) { ev.preventDefault(); seek(currentTime() + step); }
    if (ev.key === 'Home') { ev.preventDefault(); seek(0); }
    if (ev.key === 'End') { ev.preventDefault(); seek(state.duration); }
    if (ev.key === ' ' && state.hasMedia) {
      ev.preventDefault();
      const p = $('player');
      if (p.paused) p.play(); else p.pause();
    }
  });
}

function syncTimeline(t) {
  const bar = $('timeline');
  bar.querySelector('.timeline-playhead').style.left = pct(t);
  bar.querySelector('.timeline-progress').style.width = pct(t);
  bar.setAttribute('aria-valuenow', String(Math.round(t)));
  bar.setAttribute('aria-valuetext', formatClock(t));
  $('time-current').textContent = formatClock(t);
}

// -- charts --------------------------------------------------------------------------------------

const CHARTS = [
  // pace means something once words were said (before that the server reports 0)
  { key: 'wpm', title: 'Words per minute', color: '#3451d1',
    pick: (e) => (spoke(e) ? num(e.wpm) : null),
    min: 0, fmt: (v) => `${Math.round(v)} wpm` },
  { key: 'eye_contact', title: 'Eye contact', color: '#c47c06',
    pick: (e) => (num(e.eye_contact) == null ? null : 100 * e.eye_contact),
    min: 0, max: 100, fmt: (v) => `${Math.round(v)}%` },
  { key: 'confidence', title: 'Confidence', color: '#23884a',
    pick: (e) => num(e.confidence && typeof e.confidence === 'object' ? e.confidence.score : e.confidence),
    min: 0, max: 100, fmt: (v) => `${Math.round(v)}/100` },
];

function buildCharts(events) {
  const metrics = events.filter((e) => e.type === 'metrics');
  state.chartSpecs = CHARTS.map((spec) => ({
    ...spec,
    points: metrics.map((e) => [e.t, spec.pick(e)]).filter(([, v]) => v != null),
  }));
  renderCharts();
  if (typeof ResizeObserver === 'function') {
    let width = $('charts').clientWidth;
    new ResizeObserver(() => {
      if (Math.abs($('charts').clientWidth - width) < 4) return;
      width = $('charts').clientWidth;
      renderCharts();
    }).observe($('charts'));
  }
}

function renderCharts() {
  const box = $('charts');
  box.replaceChildren();
  state.charts = [];
  const width = Math.max(240, box.clientWidth || 480);
  const height = 84;
  const pad = { left: 34, right: 8, top: 6, bottom: 16 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  for (const spec of state.chartSpecs) {
    const wrap = make('div', 'chart');
    wrap.dataset.metric = spec.key;
    const head = make('div', 'chart-head');
    const value = make('span', 'chart-value', '—');
    head.append(make('span', null, spec.title), value);
    wrap.append(head);
    box.append(wrap);
    if (!spec.points.length) {
      wrap.append(make('p', 'chart-empty', 'No data in this interview.'));
      continue;
    }
    const ys = spec.points.map((p) => p[1]);
    const yMin = spec.min ?? Math.min(...ys);
    let yMax = spec.max ?? Math.max(...ys) * 1.1;
    if (yMax <= yMin) yMax = yMin + 1;
    const x = (t) => pad.left + (Math.max(0, Math.min(state.duration, t)) / (state.duration || 1)) * w;
    const y = (v) => pad.top + h - ((Math.max(yMin, Math.min(yMax, v)) - yMin) / (yMax - yMin)) * h;
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
      'aria-label': `${spec.title} over time` }, wrap);
    for (const v of [yMin, (yMin + yMax) / 2, yMax]) {
      svg('line', { x1: pad.left, x2: pad.left + w, y1: y(v), y2: y(v), class: 'grid' }, root);
      svg('text', { x: pad.left - 5, y: y(v) + 3, 'text-anchor': 'end', class: 'tick' }, root)
        .textContent = String(Math.round(v));
    }
    for (const t of [0, state.duration / 2, state.duration]) {
      svg('text', { x: x(t), y: height - 3, 'text-anchor': t ? (t === state.duration ? 'end' : 'middle') : 'start', class: 'tick' }, root)
        .textContent = formatClock(t);
    }
    // a step line: a metrics value holds until the next one
    let d = '';
    spec.points.forEach(([t, v], i) => {
      d += i ? `H${x(t).toFixed(1)}V${y(v).toFixed(1)}` : `M${x(t).toFixed(1)},${y(v).toFixed(1)}`;
    });
    const last = spec.points[spec.points.length - 1];
    d += `H${x(Math.max(last[0], state.eventsEnd)).toFixed(1)}`;
    svg('path', { d: `${d}V${pad.top + h}H${x(spec.points[0][0]).toFixed(1)}Z`, class: 'area', fill: spec.color }, root);
    svg('path', { d, class: 'line', stroke: spec.color }, root);
    const cursor = svg('line', { x1: pad.left, x2: pad.left, y1: pad.top, y2: pad.top + h, class: 'cursor' }, root);
    const dot = svg('circle', { r: 4, cx: pad.left, cy: pad.top + h, class: 'cursor-dot', fill: spec.color }, root);
    wrap.addEventListener('click', (ev) => {
      const r = root.getBoundingClientRect();
      const px = ((ev.clientX - r.left) / r.width) * width;
      seek(((px - pad.left) / w) * state.duration);
    });
    state.charts.push({ spec, cursor, dot, value, x, y });
  }
  syncCharts(currentTime());
}

function syncCharts(t) {
  for (const c of state.charts) {
    const px = c.x(t).toFixed(1);
    c.cursor.setAttribute('x1', px);
    c.cursor.setAttribute('x2', px);
    const i = lastAtOrBefore(c.spec.points, t, (p) => p[0]);
    if (i >= 0) {
      const v = c.spec.points[i][1];
      c.dot.setAttribute('cx', px);
      c.dot.setAttribute('cy', c.y(v).toFixed(1));
      c.dot.style.display = '';
      c.value.textContent = c.spec.fmt(v);
    } else {
      c.dot.style.display = 'none';
      c.value.textContent = '—';
    }
  }
}

// -- playback --------------------------------------------------------------------------------------

function currentTime() {
  return state.hasMedia ? $('player').currentTime || 0 : state.t;
}

function seek(t, play = false) {
  if (!Number.isFinite(t)) return;
  t = Math.max(0, Math.min(state.duration || t, t));
  if (state.hasMedia) {
    const player = $('player');
    player.currentTime = t;
    if (play && player.paused) player.play().catch(() => {});
  } else {
    state.t = t;
  }
  update();
}

function update() {
  const t = currentTime();
  syncTimeline(t);
  syncTranscript(t);
  syncCharts(t);
}

function loop() {
  update();
  state.raf = $('player').paused ? 0 : requestAnimationFrame(loop);
}

function updateDuration() {
  const d = $('player').duration;
  const media = state.hasMedia && Number.isFinite(d) ? d : 0;
  const duration = Math.max(media, state.eventsEnd, 1);
  if (Math.abs(duration - state.duration) < 0.01) return;
  state.duration = duration;
  buildTimeline();
  renderCharts();
  update();
}

function wirePlayer() {
  const player = $('player');
  for (const type of ['timeupdate', 'seeking', 'seeked', 'pause', 'ended']) {
    player.addEventListener(type, update);
  }
  player.addEventListener('play', () => {
    if (!state.raf) state.raf = requestAnimationFrame(loop);
  });
  for (const type of ['loadedmetadata', 'durationchange']) {
    player.addEventListener(type, updateDuration);
  }
  player.addEventListener('error', () => {
    setStatus('error', 'The recording could not be played');
  });
}

// -- start -------------------------------------------------------------------------------------------

async function main() {
  if (!interviewId || !token) {
    setStatus('error', 'Open this page with ?token=… (the candidate or spectator token)');
    return;
  }
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
  const lastWord = events.filter((e) => e.type === 'transcript.final')
    .flatMap((e) => e.words || []).reduce((m, w) => Math.max(m, num(w.end) ?? 0), 0);
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

  const finals = events.filter((e) => e.type === 'transcript.final').length;
  const questions = state.items.filter((it) => it.kind === 'question').length;
  $('subtitle').textContent = [
    `${finals} utterance${finals === 1 ? '' : 's'}`,
    `${state.words.length} words`,
    questions ? `${questions} question${questions === 1 ? '' : 's'}` : null,
    recording ? (recording.type.startsWith('audio/') ? 'audio recording' : 'video recording')
      : 'no recording',
  ].filter(Boolean).join(' · ');
  setStatus('ready', 'Ready');
  document.body.dataset.ready = '1';
}

main();
