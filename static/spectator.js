/*
 * The recruiter's live view of an interview (served at /spectate/{id}?token=SPECTATOR_TOKEN).
 *
 * One WebSocket: /ws/interviews/{id}/spectate?token=...&after=SEQ[&access_token=...]. The
 * server sends the session's past events (catch-up), then its live events, each once and in
 * `seq` order. Both go through the same path: receive() drops any seq <= lastSeq, queues the
 * event, and flush() renders the whole queue in one animation frame (one DOM append for the
 * timeline, the gauges once with the newest metrics, the charts at most once a second).
 *
 * The socket is re-opened with after=lastSeq on 1013 (too slow), a network drop, or silence
 * longer than SILENCE_MS, with exponential backoff; 44xx closes (bad id or token) are final.
 *
 * Signed-in recruiters (?access_token=... in the URL or 'access_token' in localStorage) get the
 * controls, which send on the same socket:
 *   {"type": "ask", "text": "..."}                     the "Ask" box
 *   {"type": "approve", "id": ..., "text": "..."}     a staff.follow_up_pending card, edited
 *   {"type": "reject", "id": ...}                      its "Skip" button
 * and every page sends {"type": "ping"} every 20 s. An `error` reply is shown as a toast.
 *
 * window.spectator exposes the state (lastSeq, connects, finals, ...) for tests and debugging;
 * window.spectator.dropConnection() simulates a network drop.
 */

import { formatClock, num } from './shared/format.js';
import { createMetricGauges, showMetrics } from './shared/gauges.js';
import { confidenceScore, eyeShare, spoke } from './shared/metrics.js';
import { renderText } from './shared/transcript.js';

const PING_MS = 20000;
const SILENCE_MS = 45000;       // no frame (not even a pong) for this long: the socket is dead
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
const STABLE_MS = 5000;          // a socket open this long resets the backoff
const CHART_MAX_POINTS = 150;    // drawn points per chart, however long the session
const CHART_REDRAW_MS = 1000;
const FRESH_S = 15;              // a session error younger than this is toasted
const RESOLVED_CARD_MS = 8000;   // an approved/skipped card goes away after this
const TOKEN_KEY = 'access_token';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

function storedAccessToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

const spectator = {
  interviewId: decodeURIComponent((location.pathname.match(/\/spectate\/([^/?#]+)/) || [])[1] || ''),
  token: params.get('token') || '',
  accessToken: params.get('access_token') || storedAccessToken(),
  ws: null,
  lastSeq: 0,
  connects: 0,
  attempt: 0,
  retryTimer: 0,
  openedAt: 0,
  lastFrameAt: 0,
  fatal: false,
  queue: [],
  flushPending: false,
  session: 'waiting', // waiting | live | ended
  clockT: 0,          // newest session time seen (seconds)
  clockAt: 0,         // performance.now() when clockT was seen
  finals: 0,          // rendered final lines
  finalized: new Set(),
  partial: null,      // {utterance, text}
  question: null,     // newest question event
  evalCards: new Map(), // turn -> card element
  approvals: new Map(), // follow-up id -> card element
  lastAsk: '',
  series: { pace: [], eye: [], confidence: [] },
  chartsDirty: false,
  chartTimer: 0,
  chartDrawnAt: 0,
  closes: [],         // close codes seen (newest last)
  stats: { received: 0, duplicates: 0, byType: {} },
};
window.spectator = spectator;

// ------------------------------------------------------------------------------------------
// Connection

function wsUrl() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  let url = `${scheme}://${location.host}/ws/interviews/${encodeURIComponent(spectator.interviewId)}` +
    `/spectate?token=${encodeURIComponent(spectator.token)}&after=${spectator.lastSeq}`;
  if (spectator.accessToken) url += `&access_token=${encodeURIComponent(spectator.accessToken)}`;
  return url;
}

const CLOSE_TEXT = {
  4403: 'This spectator link is not valid (invalid token).',
  4404: 'This interview does not exist.',
};

function setStatus(state, text) {
  const el = $('status');
  el.dataset.state = state;
  el.textContent = text;
}

function connect() {
  clearTimeout(spectator.retryTimer);
  spectator.retryTimer = 0;
  if (spectator.fatal) return;
  setStatus(spectator.connects ? 'reconnecting' : 'connecting',
    spectator.connects ? 'Reconnecting…' : 'Connecting…');
  let ws;
  try {
    ws = new WebSocket(wsUrl());
  } catch (err) {
    console.warn('spectator: cannot open the socket', err);
    scheduleReconnect();
    return;
  }
  spectator.ws = ws;
  ws.onopen = () => {
    spectator.connects++;
    spectator.openedAt = performance.now();
    spectator.lastFrameAt = performance.now();
    setStatus('open', 'Connected');
  };
  ws.onmessage = (msg) => {
    spectator.lastFrameAt = performance.now();
    if (typeof msg.data !== 'string') return;
    let event;
    try {
      event = JSON.parse(msg.data);
    } catch {
      console.warn('spectator: non-JSON frame', msg.data);
      return;
    }
    receive(event);
  };
  ws.onclose = (e) => {
    if (spectator.ws !== ws) return;
    spectator.ws = null;
    spectator.closes.push(e.code);
    if (e.code >= 4400 && e.code < 4500) {
      spectator.fatal = true;
      const text = CLOSE_TEXT[e.code] || e.reason || `Closed (${e.code}).`;
      setStatus('closed', 'Disconnected');
      toast(`closed ${e.code}`, text, 'error', 0);
      return;
    }
    if (spectator.openedAt && performance.now() - spectator.openedAt > STABLE_MS) spectator.attempt = 0;
    spectator.openedAt = 0;
    scheduleReconnect(e.code);
  };
}

function scheduleReconnect(code) {
  if (spectator.fatal || spectator.retryTimer) return;
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** spectator.attempt);
  const delay = Math.round(base * (0.75 + Math.random() * 0.5));
  spectator.attempt++;
  const why = code === 1013 ? 'Catching up' : navigator.onLine === false ? 'Offline' : 'Connection lost';
  setStatus('reconnecting', `${why} — retrying in ${Math.max(1, Math.round(delay / 1000))} s`);
  spectator.retryTimer = setTimeout(connect, delay);
}

/** Forget a socket that is dead or unwanted (no close handshake wait) and reconnect. */
function abandon(reason) {
  const ws = spectator.ws;
  spectator.ws = null;
  if (ws) {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(4000, reason); } catch { /* already closed */ }
  }
  scheduleReconnect();
}

spectator.dropConnection = () => abandon('test drop');

function send(message) {
  const ws = spectator.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(message));
  return true;
}

setInterval(() => {
  const ws = spectator.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (performance.now() - spectator.lastFrameAt > SILENCE_MS) {
    abandon('silent');
    return;
  }
  send({ type: 'ping' });
}, PING_MS);

window.addEventListener('online', () => {
  if (spectator.fatal || (spectator.ws && spectator.ws.readyState <= WebSocket.OPEN)) return;
  spectator.attempt = 0;
  connect();
});
window.addEventListener('offline', () => {
  if (!spectator.ws) setStatus('reconnecting', 'Offline — waiting for the network');
});

// ------------------------------------------------------------------------------------------
// Events: one path for catch-up and live

function receive(event) {
  if (!event || typeof event !== 'object') return;
  spectator.stats.received++;
  if (typeof event.seq === 'number') {
    if (event.seq <= spectator.lastSeq) {
      spectator.stats.duplicates++;
      return;
    }
    spectator.lastSeq = event.seq;
  }
  if (event.type === 'pong') return;
  spectator.queue.push(event);
  scheduleFlush();
}
spectator.handle = receive;

function scheduleFlush() {
  if (spectator.flushPending) return;
  spectator.flushPending = true;
  requestAnimationFrame(flush);
  setTimeout(flush, 250); // a background tab gets no animation frames
}

function flush() {
  if (!spectator.flushPending) return;
  spectator.flushPending = false;
  const batch = spectator.queue;
  spectator.queue = [];
  if (!batch.length) return;
  const atBottom = nearBottom();
  const timeline = document.createDocumentFragment();
  let metrics = null;
  let question = null;
  for (const event of batch) {
    spectator.stats.byType[event.type] = (spectator.stats.byType[event.type] || 0) + 1;
    if (typeof event.t === 'number' && event.t >= spectator.clockT) {
      spectator.clockT = event.t;
      spectator.clockAt = performance.now();
    }
    if (spectator.session === 'waiting' && LIVE_TYPES.has(event.type)) setSession('live');
    try {
      switch (event.type) {
        case 'state': onState(event); break;
        case 'transcript.partial': onPartial(event); break;
        case 'transcript.final': onFinal(event, timeline); break;
        case 'metrics': metrics = event; addPoints(event); break;
        case 'question':
        case 'follow_up': // the room accepts this alias of a follow-up question too
          question = event; onQuestion(event, timeline); break;
        case 'answer.completed': onAnswerCompleted(event, timeline); break;
        case 'evaluation': onEvaluation(event, timeline); break;
        case 'interview.completed': onCompleted(event); break;
        case 'staff.follow_up_pending': onFollowUpPending(event); break;
        case 'error': onError(event); break;
        default:
          if (event.type && event.type.startsWith('staff.follow_up_')) onFollowUpResolved(event);
      }
    } catch (err) {
      console.error('spectator: could not render', event, err);
    }
  }
  if (timeline.childNodes.length) {
    $('transcript').append(timeline);
    $('transcript-empty').hidden = true;
  }
  renderPartial();
  if (question) showQuestion(question);
  if (metrics) showMetrics(gauges, metrics);
  renderClock();
  if (spectator.chartsDirty) scheduleCharts();
  if (atBottom) stickToBottom();
}

// -- session state and clock -------------------------------------------------------------

const LIVE_TYPES = new Set(['transcript.partial', 'transcript.final', 'metrics', 'question', 'follow_up']);
const SESSION_TEXT = { waiting: 'Waiting for the candidate', live: 'Live', ended: 'Ended' };

function setSession(session) {
  if (spectator.session === session || spectator.session === 'ended') return;
  spectator.session = session;
  document.body.dataset.session = session;
  const el = $('session-state');
  el.dataset.state = session;
  el.textContent = SESSION_TEXT[session];
  if (session === 'ended') {
    $('ended').hidden = false;
    if (!$('ended-text').textContent) $('ended-text').textContent = 'The candidate has left the interview.';
    $('question-label').textContent = 'Last question';
    for (const id of [...spectator.approvals.keys()]) removeApproval(id);
    $('ask-text').disabled = true;
    $('ask-button').disabled = true;
  }
}

function onState(event) {
  if (event.state === 'listening') setSession('live');
  else if (event.state === 'stopped' || event.state === 'completed') setSession('ended');
  else if (event.state === 'ready' && spectator.session === 'waiting') {
    $('session-state').textContent = 'Candidate connected';
  }
}

function renderClock() {
  let t = spectator.clockT;
  // between events the clock runs on (at most a few seconds: the audio clock may stall)
  if (spectator.session === 'live' && spectator.clockAt) {
    t += Math.min(5, (performance.now() - spectator.clockAt) / 1000);
  }
  const text = formatClock(t);
  const el = $('elapsed');
  if (el.textContent !== text) el.textContent = text;
}
setInterval(renderClock, 1000);

// -- transcript timeline -------------------------------------------------------------------

function node(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text != null) el.textContent = text;
  return el;
}

function timeNode(seconds) {
  const time = node('time', 'line-time', formatClock(seconds));
  time.dateTime = `PT${Math.max(0, Number(seconds) || 0).toFixed(1)}S`;
  return time;
}

function nearBottom() {
  const box = $('transcript-scroll');
  return box.scrollHeight - box.scrollTop - box.clientHeight < 48;
}

function stickToBottom() {
  const box = $('transcript-scroll');
  box.scrollTop = box.scrollHeight;
}

function onPartial(event) {
  const utt = event.utterance;
  if (spectator.finalized.has(utt)) return; // a late partial of an utterance already final
  const text = String(event.text || '').trim();
  if (text) spectator.partial = { utterance: utt, text };
}

function onFinal(event, timeline) {
  const utt = event.utterance;
  spectator.finalized.add(utt);
  const p = spectator.partial;
  if (p && (p.utterance === utt || (typeof utt === 'number' && p.utterance < utt))) {
    spectator.partial = null;
  }
  const text = String(event.text || '').trim();
  if (!text) return; // the partial it replaces was noise
  const li = node('li', 'line');
  li.dataset.utterance = String(utt);
  li.dataset.seq = String(event.seq ?? '');
  const span = node('span', 'line-text');
  renderText(span, text);
  li.append(timeNode(event.start ?? event.t), span);
  timeline.append(li);
  spectator.finals++;
}

function renderPartial() {
  const el = $('partial');
  const p = spectator.partial;
  if (!p || spectator.session === 'ended') {
    if (!el.hidden) {
      el.hidden = true;
      el.textContent = '';
    }
    return;
  }
  el.textContent = p.text;
  el.dataset.utterance = String(p.utterance);
  el.hidden = false;
  $('transcript-empty').hidden = true;
}

function questionTitle(q) {
  const n = Number.isInteger(q.index) ? q.index + 1 : null;
  if (q.is_follow_up) return n ? `Follow-up to question ${n}` : 'Follow-up question';
  if (n == null) return 'Question';
  return q.total ? `Question ${n} of ${q.total}` : `Question ${n}`;
}

function onQuestion(event, timeline) {
  const text = String(event.text || '').trim();
  if (!text) return;
  spectator.lastAsk = '';
  const li = node('li', 'tl-question');
  li.dataset.seq = String(event.seq ?? '');
  const body = node('div', 'tl-body');
  body.append(node('span', 'tl-kicker', questionTitle(event)), node('p', 'tl-question-text', text));
  li.append(timeNode(event.t), body);
  timeline.append(li);
  // a pending follow-up of this question was asked (approved elsewhere, or by the flow)
  if (event.is_follow_up) {
    for (const [id, card] of spectator.approvals) {
      if (card.dataset.index === String(event.index)) removeApproval(id);
    }
  }
}

function showQuestion(event) {
  spectator.question = event;
  $('question-label').textContent = spectator.session === 'ended' ? 'Last question' : questionTitle(event);
  $('question-text').textContent = String(event.text || '').trim();
  const box = $('question');
  box.classList.add('has-question');
  box.classList.remove('is-new');
  void box.offsetWidth; // restart the highlight animation
  box.classList.add('is-new');
}

function scoreTone(score) {
  return score >= 70 ? 'ok' : score >= 50 ? 'warn' : 'bad';
}

function evalCard(event, timeline) {
  const key = String(event.turn ?? event.index ?? '');
  let card = spectator.evalCards.get(key);
  if (!card) {
    card = node('li', 'tl-card tl-eval is-pending');
    spectator.evalCards.set(key, card);
    timeline.append(card);
  }
  return card;
}

function onAnswerCompleted(event, timeline) {
  const card = evalCard(event, timeline);
  if (!card.classList.contains('is-pending') || card.childNodes.length) return;
  card.dataset.seq = String(event.seq ?? '');
  const head = node('div', 'eval-head');
  head.append(node('span', 'score-badge', '…'),
    node('span', 'eval-title', `${questionTitle(event)} · evaluating the answer…`));
  card.append(timeNode(event.end ?? event.t), head);
}

function list(title, items, className) {
  const box = node('div', `eval-list ${className}`);
  box.append(node('h3', 'eval-list-title', title));
  const ul = node('ul');
  for (const item of items) ul.append(node('li', null, String(item)));
  box.append(ul);
  return box;
}

function onEvaluation(event, timeline) {
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
  head.append(badge, node('span', 'eval-title', `${questionTitle(event)} · evaluation`));
  const body = node('div', 'tl-body');
  body.append(head);
  if (event.feedback) body.append(node('p', 'eval-feedback', String(event.feedback)));
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

function onCompleted(event) {
  setSession('ended');
  const parts = [];
  if (event.final_score != null) parts.push(`Final score ${Math.round(Number(event.final_score))}/100`);
  if (event.performance_level) parts.push(String(event.performance_level));
  if (event.questions_total) {
    parts.push(`${event.questions_answered ?? 0} of ${event.questions_total} questions answered`);
  }
  const text = $('ended-text');
  text.replaceChildren(parts.join(' · ') || 'The interview is complete.');
  if (event.report_url) {
    const a = node('a', 'ended-link', 'Open the report');
    const url = new URL(event.report_url, location.origin);
    if (spectator.token) url.searchParams.set('token', spectator.token);
    a.href = url.pathname + url.search;
    text.append(' ', a);
  }
}

// -- gauges --------------------------------------------------------------------------------

let gauges = null;

// -- charts --------------------------------------------------------------------------------

const CHARTS = {
  pace: {
    id: 'chart-pace', title: 'Pace over the session, words per minute', unit: ' wpm',
    yMin: 0, band: { from: 120, to: 160 }, empty: 'No speech yet',
  },
  eye: {
    id: 'chart-eye', title: 'Eye contact over the session, percent', unit: '%',
    yMin: 0, yMax: 100, empty: 'No camera data yet',
  },
  confidence: {
    id: 'chart-confidence', title: 'Confidence score over the session', unit: '',
    yMin: 0, yMax: 100, empty: 'No score yet',
  },
};
const drawn = { pace: [], eye: [], confidence: [] }; // the arrays the charts draw (reused)
let charts = null; // charts.js, when it loads

function addPoints(m) {
  const t = num(m.t);
  if (t == null) return;
  const wpm = num(m.wpm);
  if (wpm != null && spoke(m)) spectator.series.pace.push([t, wpm]);
  if ('eye_contact' in m) {
    const eye = eyeShare(m.eye_contact);
    if (eye != null) spectator.series.eye.push([t, eye * 100]);
  }
  if ('confidence' in m) {
    const score = confidenceScore(m.confidence);
    if (score != null) spectator.series.confidence.push([t, score]);
  }
  spectator.chartsDirty = true;
}

/** At most `max` points: the mean of equal time buckets (cheap for thousands of points). */
function downsample(points, max, out) {
  out.length = 0;
  if (points.length <= max) {
    for (const p of points) out.push(p);
    return out;
  }
  const x0 = points[0][0];
  const span = points[points.length - 1][0] - x0 || 1;
  let bucket = -1, sx = 0, sy = 0, n = 0;
  for (const [x, y] of points) {
    const b = Math.min(max - 1, Math.floor(((x - x0) / span) * max));
    if (b !== bucket && n) {
      out.push([sx / n, sy / n]);
      sx = sy = n = 0;
    }
    bucket = b;
    sx += x; sy += y; n++;
  }
  if (n) out.push([sx / n, sy / n]);
  return out;
}

function scheduleCharts() {
  if (spectator.chartTimer) return;
  const wait = Math.max(0, CHART_REDRAW_MS - (performance.now() - spectator.chartDrawnAt));
  spectator.chartTimer = setTimeout(() => {
    spectator.chartTimer = 0;
    requestAnimationFrame(drawCharts);
  }, wait);
}

function drawCharts() {
  spectator.chartsDirty = false;
  spectator.chartDrawnAt = performance.now();
  for (const [name, spec] of Object.entries(CHARTS)) {
    const box = $(spec.id);
    const raw = spectator.series[name];
    const points = downsample(raw, CHART_MAX_POINTS, drawn[name]);
    box.dataset.points = String(raw.length);
    box.dataset.drawn = String(points.length);
    if (charts) {
      charts.lineChart(box, points, {
        title: spec.title, unit: spec.unit, yMin: spec.yMin, yMax: spec.yMax, band: spec.band,
        empty: spec.empty, height: 104,
      });
    } else {
      fallbackChart(box, points, spec);
    }
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A plain polyline, used only if charts.js cannot be loaded. */
function fallbackChart(box, points, spec) {
  box.replaceChildren();
  if (!points.length) {
    box.append(node('p', 'chart-empty', spec.empty));
    return;
  }
  const w = 300, h = 90;
  const x0 = points[0][0], x1 = points[points.length - 1][0] || x0 + 1;
  const ys = points.map((p) => p[1]);
  const yMin = spec.yMin ?? Math.min(...ys);
  const yMax = spec.yMax ?? Math.max(yMin + 1, ...ys) * 1.1;
  const sx = (x) => ((x - x0) / (x1 - x0 || 1)) * w;
  const sy = (y) => h - ((y - yMin) / (yMax - yMin || 1)) * h;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('class', 'chart-svg');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', spec.title);
  const line = document.createElementNS(SVG_NS, 'polyline');
  line.setAttribute('class', 'chart-line');
  line.setAttribute('points', points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '));
  svg.append(line);
  box.append(svg);
}

// -- recruiter controls --------------------------------------------------------------------

function initControls() {
  $('controls').hidden = !spectator.accessToken;
  $('ask-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('ask-text');
    const text = input.value.trim();
    if (!text) return;
    if (send({ type: 'ask', text })) {
      spectator.lastAsk = text; // put back in the box if the server refuses it
      input.value = '';
    } else {
      toast('offline', 'Not connected — try again in a moment.', 'error');
    }
  });
}

function onFollowUpPending(event) {
  if (!spectator.accessToken || spectator.session === 'ended' || event.id == null) return;
  const id = String(event.id);
  if (spectator.approvals.has(id)) return;
  const card = node('article', 'approval');
  card.dataset.id = id;
  card.dataset.index = String(event.index ?? '');
  card.setAttribute('aria-label', 'Suggested follow-up question');
  const label = node('label', 'approval-label',
    Number.isInteger(event.index) ? `Suggested follow-up to question ${event.index + 1}` : 'Suggested follow-up');
  const area = node('textarea', 'approval-text');
  area.id = `approval-${id.replace(/[^\w-]/g, '_')}`;
  area.rows = 2;
  area.value = String(event.text || '');
  label.htmlFor = area.id;
  const actions = node('div', 'approval-actions');
  const approve = node('button', 'btn btn-primary btn-small', 'Approve');
  approve.type = 'button';
  const skip = node('button', 'btn btn-ghost btn-small', 'Skip');
  skip.type = 'button';
  const note = node('span', 'approval-note');
  note.setAttribute('role', 'status');
  actions.append(note, skip, approve);
  card.append(label, area, actions);
  const decide = (message, text) => {
    if (!send(message)) {
      toast('offline', 'Not connected — try again in a moment.', 'error');
      return;
    }
    card.classList.add('is-sent');
    area.disabled = approve.disabled = skip.disabled = true;
    note.textContent = text;
    card.dataset.timer = String(setTimeout(() => removeApproval(id), RESOLVED_CARD_MS));
  };
  approve.addEventListener('click', () => {
    const text = area.value.trim();
    if (!text) {
      area.focus();
      return;
    }
    decide({ type: 'approve', id: event.id, text }, 'Approved');
  });
  skip.addEventListener('click', () => decide({ type: 'reject', id: event.id }, 'Skipped'));
  spectator.approvals.set(id, card);
  $('approvals').append(card);
}

function onFollowUpResolved(event) {
  if (event.id != null) removeApproval(String(event.id));
}

function removeApproval(id) {
  const card = spectator.approvals.get(id);
  if (!card) return;
  clearTimeout(Number(card.dataset.timer));
  spectator.approvals.delete(id);
  card.remove();
}

/** An error reply after a decision: the decision may not have been taken, so allow a retry. */
function reopenSentApprovals() {
  for (const card of spectator.approvals.values()) {
    if (!card.classList.contains('is-sent')) continue;
    clearTimeout(Number(card.dataset.timer));
    card.classList.remove('is-sent');
    card.querySelectorAll('textarea, button').forEach((el) => { el.disabled = false; });
    card.querySelector('.approval-note').textContent = '';
  }
}

// -- errors / toasts -----------------------------------------------------------------------

function onError(event) {
  const code = String(event.code || 'error');
  if (typeof event.seq !== 'number') {
    // a reply to something this page sent (e.g. read_only, or a refused ask/approve)
    reopenSentApprovals();
    const input = $('ask-text');
    if (spectator.lastAsk && !input.value && !input.disabled) input.value = spectator.lastAsk;
    spectator.lastAsk = '';
    toast(code, String(event.message || ''), 'error');
    return;
  }
  const age = typeof event.ts === 'number' ? Date.now() / 1000 - event.ts : 0;
  if (age < FRESH_S) toast(code, String(event.message || ''), 'error'); // not old history
}

function toast(code, message, kind = 'error', timeoutMs = 10000) {
  const box = $('toasts');
  for (const t of box.children) { // repeated identical toasts collapse into one with a counter
    if (t.dataset.code === code && t.dataset.message === message) {
      const n = Number(t.dataset.count || 1) + 1;
      t.dataset.count = String(n);
      t.querySelector('.toast-count').textContent = `×${n}`;
      clearTimeout(Number(t.dataset.timer));
      if (timeoutMs > 0) t.dataset.timer = String(setTimeout(() => t.remove(), timeoutMs));
      return t;
    }
  }
  while (box.children.length >= 4) box.firstElementChild.remove();
  const t = node('div', `toast toast-${kind}`);
  t.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  t.dataset.code = code;
  t.dataset.message = message;
  const close = node('button', 'toast-close', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Dismiss');
  close.addEventListener('click', () => t.remove());
  t.append(node('strong', 'toast-code', code), node('span', 'toast-message', message),
    node('span', 'toast-count'), close);
  box.append(t);
  if (timeoutMs > 0) t.dataset.timer = String(setTimeout(() => t.remove(), timeoutMs));
  return t;
}

// ------------------------------------------------------------------------------------------
// Start

function init() {
  $('interview-id').textContent = spectator.interviewId;
  document.title = `Live interview ${spectator.interviewId}`;
  gauges = createMetricGauges();
  initControls();
  drawCharts();
  if (!spectator.interviewId || (!spectator.token && !spectator.accessToken)) {
    spectator.fatal = true;
    setStatus('closed', 'No access');
    toast('link', 'This page needs ?token=SPECTATOR_TOKEN (or a signed-in recruiter).', 'error', 0);
    return;
  }
  connect();
  import('./shared/charts.js')
    .then((mod) => {
      if (typeof mod.lineChart !== 'function') return;
      if (typeof mod.installChartCss === 'function') mod.installChartCss();
      charts = mod;
      drawCharts();
    })
    .catch((err) => console.warn('spectator: charts.js unavailable, using plain charts', err));
}

// -- the candidate's camera, relayed by the server over WebRTC (a capped number of viewers) --
async function watchCamera() {
  const button = document.getElementById('video-button');
  const video = document.getElementById('live-video');
  if (!window.RTCPeerConnection) {
    toast('video', 'This browser has no WebRTC.', 'error');
    return;
  }
  button.disabled = true;
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (e) => {
    video.srcObject = e.streams[0] || new MediaStream([e.track]);
    video.hidden = false;
    button.hidden = true;
  };
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') resolve();
      });
      setTimeout(resolve, 3000);
    });
    const query = spectator.token ? `?token=${encodeURIComponent(spectator.token)}` : '';
    const headers = { 'Content-Type': 'application/json' };
    if (spectator.accessToken) headers.Authorization = `Bearer ${spectator.accessToken}`;
    const r = await fetch(`/api/interviews/${encodeURIComponent(spectator.interviewId)}` +
      `/spectate/webrtc${query}`, {
      method: 'POST', headers,
      body: JSON.stringify({ sdp: pc.localDescription.sdp, type: 'offer' }),
    });
    const body = await r.json();
    if (!r.ok) throw new Error((body.error && body.error.message) || `HTTP ${r.status}`);
    await pc.setRemoteDescription(body);
  } catch (err) {
    pc.close();
    button.disabled = false;
    toast('video', `Camera unavailable: ${err.message}`, 'error');
  }
}

document.getElementById('video-button').addEventListener('click', watchCamera);

init();
