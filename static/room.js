/*
 * The candidate's live room (served at /room/{id}?token=CANDIDATE_TOKEN).
 *
 * Flow: "Start interview" (a user gesture, needed for audio) -> getUserMedia -> AudioContext
 * + PCM worklet -> open a transport -> server events go to handleEvent(event).
 *
 * ---------------------------------------------------------------------------------------
 * Transport hook
 *
 *   window.roomTransport  = 'auto' | 'websocket' | 'webrtc'   (default 'auto';
 *                           the query parameter ?transport=... overrides it)
 *   window.roomTransports = { name: factory }                 (registry; 'websocket' built in)
 *
 * A transport factory is `async (options) => transport`, where options are
 *   { interviewId, token, sampleRate, stream, onEvent, onClose }
 * and must call `onEvent(event)` (this file's handleEvent) for every server event and
 * `onClose({code, reason})` once when the connection ends. The returned transport object:
 *   name                 string
 *   carriesMediaTracks   true if it sends `stream`'s tracks itself (e.g. WebRTC); then this
 *                        page does not run the PCM worklet / JPEG capture for it
 *   begin()              ask the server to start listening ({"type":"start",...} on WS)
 *   end()                ask the server to flush and stop ({"type":"stop"})
 *   send(msg) -> bool    send a JSON control message, e.g. {"type":"next"} (turn-taking)
 *   sendAudio(ArrayBuffer pcm16le) -> bool       (only if !carriesMediaTracks)
 *   canSendVideo() -> bool; sendVideo(ArrayBuffer jpeg) -> bool
 *   close()
 * 'auto' tries 'webrtc' first when one is registered and RTCPeerConnection exists, and falls
 * back to 'websocket'. The built-in 'webrtc' transport (connectWebRtcTransport) sends the mic
 * and camera tracks to POST /api/interviews/{id}/webrtc (non-trickle offer/answer) and keeps
 * the candidate WebSocket for events and control only; in 'auto' mode any WebRTC failure
 * (offer refused, no connection within 8 s) falls back to media over that same socket.
 * window.roomIceServers (default []) sets the browser's ICE servers. #transport shows which.
 * ---------------------------------------------------------------------------------------
 */

import { formatClock } from './shared/format.js';
import { createMetricGauges, showMetrics } from './shared/gauges.js';
import { renderText } from './shared/transcript.js';

const KIND_AUDIO = 1;
const KIND_VIDEO = 2;
const MAX_MESSAGE_BYTES = 1 << 20;         // server closes with 1009 above this
const VIDEO_BUFFER_LIMIT = 256 * 1024;     // skip camera frames above this much unsent data
const AUDIO_BUFFER_LIMIT = 4 * 1024 * 1024; // drop audio (and warn) if the network stalls
const VIDEO_INTERVAL_MS = 200;
const VIDEO_MAX_WIDTH = 640;
const JPEG_QUALITY = 0.7;
const STOP_TIMEOUT_MS = 30000;
const START_RETRIES = 5;

if (!window.roomTransport) window.roomTransport = 'auto';
window.roomTransports = Object.assign(window.roomTransports || {}, {
  websocket: connectWebSocketTransport,
});

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------------------------------
// State

const room = {
  interviewId: decodeURIComponent((location.pathname.match(/\/room\/([^/?#]+)/) || [])[1] || ''),
  token: new URLSearchParams(location.search).get('token') || '',
  phase: 'idle', // idle | starting | live | stopping | ended
  serverState: null,
  transport: null,
  stream: null,
  audioContext: null,
  nodes: [],
  worklet: null,
  acceptingMedia: false, // send audio/video only between `listening` and Stop
  micMuted: false, // while a question is read aloud, silence is sent instead of the mic
  lastSeq: 0,
  finalized: new Set(),
  partialUtterance: null,
  lastMetrics: null,
  startRetries: 0,
  startedAt: 0,
  timers: [],
  stopWaiters: [],
  stats: { audioChunks: 0, audioBytes: 0, audioDropped: 0, videoFrames: 0, videoBytes: 0, videoSkipped: 0, events: 0 },
};

// ------------------------------------------------------------------------------------------
// Event handling: the one entry point every transport calls

export function handleEvent(event) {
  if (!event || typeof event !== 'object') return;
  if (typeof event.seq === 'number') {
    if (event.seq <= room.lastSeq) return; // duplicate (e.g. after a transport fallback)
    room.lastSeq = event.seq;
  }
  room.stats.events++;
  switch (event.type) {
    case 'state': onState(event); break;
    case 'transcript.partial': onPartial(event); break;
    case 'transcript.final': onFinal(event); break;
    case 'metrics': onMetrics(event); break;
    case 'question': onQuestion(event); break;
    case 'follow_up': onQuestion({ ...event, is_follow_up: true }); break;
    case 'answer.completed': onAnswerCompleted(event); break;
    case 'evaluation': onEvaluation(event); break;
    case 'interview.completed': onInterviewCompleted(event); break;
    case 'error': onError(event); break;
    case 'pong': break;
    default: console.debug('room: unhandled event', event);
  }
}

const STATE_TEXT = {
  idle: 'Not started',
  starting: 'Starting…',
  connecting: 'Connecting…',
  ready: 'Connected',
  listening: 'Listening',
  stopping: 'Finishing…',
  stopped: 'Interview ended',
  closed: 'Disconnected',
};

function setStatus(state, text) {
  const el = $('status');
  el.dataset.state = state;
  el.textContent = text || STATE_TEXT[state] || state;
}

function setPhase(phase) {
  room.phase = phase;
  document.body.dataset.phase = phase;
}

function onState(event) {
  room.serverState = event.state;
  if (event.state === 'listening') {
    room.startRetries = 0;
    if (room.phase === 'starting' || room.phase === 'live') {
      room.acceptingMedia = true;
      if (!room.startedAt) room.startedAt = performance.now();
      setPhase('live');
    }
  }
  if (event.state === 'stopped') {
    room.acceptingMedia = false;
    const waiters = room.stopWaiters.splice(0);
    waiters.forEach((resolve) => resolve());
    if (room.phase !== 'stopping' && room.phase !== 'ended') finish('Interview ended', 'The interview was stopped.');
  }
  if (room.phase === 'stopping' && event.state !== 'stopped') return; // keep "Finishing…"
  setStatus(event.state);
}

// -- transcript ----------------------------------------------------------------------------

function scrollState() {
  const box = $('transcript-scroll');
  return box.scrollHeight - box.scrollTop - box.clientHeight < 48;
}

function stickToBottom(wasAtBottom) {
  if (!wasAtBottom) return;
  const box = $('transcript-scroll');
  box.scrollTop = box.scrollHeight;
}

function onPartial(event) {
  const utt = event.utterance;
  if (room.finalized.has(utt)) return; // late partial of an utterance already final
  const text = String(event.text || '').trim();
  if (!text) return;
  const atBottom = scrollState();
  const el = $('partial');
  room.partialUtterance = utt;
  el.dataset.utterance = String(utt);
  el.textContent = text;
  el.hidden = false;
  $('transcript-empty').hidden = true;
  stickToBottom(atBottom);
}

function onFinal(event) {
  const utt = event.utterance;
  room.finalized.add(utt);
  const atBottom = scrollState();
  const partial = $('partial');
  if (room.partialUtterance === utt || room.partialUtterance == null ||
      (typeof utt === 'number' && room.partialUtterance < utt)) {
    partial.textContent = '';
    partial.hidden = true;
    delete partial.dataset.utterance;
    room.partialUtterance = null;
  }
  const text = String(event.text || '').trim();
  if (text) {
    const li = document.createElement('li');
    li.className = 'line';
    li.dataset.utterance = String(utt);
    const time = document.createElement('time');
    time.className = 'line-time';
    time.dateTime = `PT${Number(event.start || 0).toFixed(1)}S`;
    time.textContent = formatClock(event.start);
    const span = document.createElement('span');
    span.className = 'line-text';
    renderText(span, text);
    li.append(time, span);
    $('transcript').append(li);
    $('transcript-empty').hidden = true;
  }
  stickToBottom(atBottom);
}

// -- gauges --------------------------------------------------------------------------------

let gauges = null;

function onMetrics(m) {
  room.lastMetrics = m;
  showMetrics(gauges, m);
}

// -- questions -----------------------------------------------------------------------------

const SPEAK_KEY = 'room.speakQuestions';
const canSpeak = 'speechSynthesis' in window && 'SpeechSynthesisUtterance' in window;

function onQuestion(event) {
  const text = String(event.text || '').trim();
  if (!text) return;
  $('question-text').textContent = text;
  $('question-label').textContent = event.is_follow_up ? 'Follow-up question'
    : Number.isInteger(event.index) && event.total ? `Question ${event.index + 1} of ${event.total}` : 'Question';
  nextButton().disabled = false;
  const box = $('question');
  box.hidden = false;
  box.classList.remove('is-new');
  void box.offsetWidth; // restart the highlight animation
  box.classList.add('is-new');
  if ($('speak-toggle').checked) speak(text);
}

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

// Turn-taking: "Next question" ends the answer now ({"type":"next"}); the server also ends it
// after a long pause. Then `answer.completed`, `evaluation`, the next `question` (or a
// follow-up), and after the last one `interview.completed`.
function nextButton() {
  let b = $('question-next');
  if (!b) {
    b = document.createElement('button');
    b.type = 'button';
    b.id = 'question-next';
    b.className = 'btn btn-primary btn-small';
    b.textContent = 'Next question';
    b.title = 'I have finished my answer';
    b.addEventListener('click', () => {
      const t = room.transport;
      if (room.phase === 'live' && t && typeof t.send === 'function' && t.send({ type: 'next' })) b.disabled = true;
    });
    $('question').append(b);
  }
  return b;
}

function onAnswerCompleted() {
  nextButton().disabled = true;
  $('question-label').textContent = 'Evaluating your answer…';
}

function onEvaluation(event) {
  const label = event.is_follow_up ? 'follow-up' : `answer ${Number(event.index) + 1}`;
  toast(`${label}: ${Math.round(Number(event.score) || 0)}/100`, String(event.feedback || ''), 'info', 12000);
}

function onInterviewCompleted(event) {
  const showReport = () => {
    if ($('report-link')) return;
    if (event.final_score != null) {
      const p = document.createElement('p');
      p.id = 'report-summary';
      p.textContent = `Final score ${event.final_score}/100 (${event.performance_level}).`;
      $('ended').append(p);
    }
    const a = document.createElement('a');
    a.id = 'report-link';
    a.className = 'btn btn-primary';
    a.href = `/report/${encodeURIComponent(room.interviewId)}?token=${encodeURIComponent(room.token)}`;
    a.textContent = 'See your report';
    $('ended').append(a);
  };
  if (room.phase === 'live') stop().then(showReport);
  else showReport();
}

// -- errors / toasts -----------------------------------------------------------------------

function onError(event) {
  const code = event.code || 'error';
  toast(code, event.message || '', 'error');
  if ((code === 'overloaded' || code === 'bad_start') && room.phase === 'starting') {
    if (code === 'overloaded' && room.startRetries < START_RETRIES && room.transport) {
      room.startRetries++;
      setStatus('starting', `Server busy — retrying (${room.startRetries}/${START_RETRIES})…`);
      const t = setTimeout(() => room.phase === 'starting' && room.transport && room.transport.begin(), 3000);
      room.timers.push(t);
    } else {
      finish('Could not start', event.message || 'The server could not start the interview.');
    }
  }
}

export function toast(code, message, kind = 'error', timeoutMs = 10000) {
  const box = $('toasts');
  // Repeated identical toasts collapse into one with a counter.
  for (const t of box.children) {
    if (t.dataset.code === code && t.dataset.message === message) {
      const n = Number(t.dataset.count || 1) + 1;
      t.dataset.count = String(n);
      t.querySelector('.toast-count').textContent = `×${n}`;
      clearTimeout(Number(t.dataset.timer));
      t.dataset.timer = String(setTimeout(() => t.remove(), timeoutMs));
      return t;
    }
  }
  while (box.children.length >= 4) box.firstElementChild.remove();
  const t = document.createElement('div');
  t.className = `toast toast-${kind}`;
  t.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  t.dataset.code = code;
  t.dataset.message = message;
  const strong = document.createElement('strong');
  strong.className = 'toast-code';
  strong.textContent = code;
  const msg = document.createElement('span');
  msg.className = 'toast-message';
  msg.textContent = message;
  const count = document.createElement('span');
  count.className = 'toast-count';
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'toast-close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => t.remove());
  t.append(strong, msg, count, close);
  box.append(t);
  if (timeoutMs > 0) t.dataset.timer = String(setTimeout(() => t.remove(), timeoutMs));
  return t;
}

// ------------------------------------------------------------------------------------------
// WebSocket transport

export function connectWebSocketTransport({ interviewId, token, sampleRate, onEvent, onClose,
  autoBegin = true }) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/ws/interviews/${encodeURIComponent(interviewId)}` +
    `/candidate?token=${encodeURIComponent(token)}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    let opened = false;
    let closed = false;
    const open = () => ws.readyState === WebSocket.OPEN;
    const sendJson = (msg) => {
      if (!open()) return false;
      ws.send(JSON.stringify(msg));
      return true;
    };
    const sendFrame = (kind, payload) => {
      const bytes = new Uint8Array(1 + payload.byteLength);
      bytes[0] = kind;
      bytes.set(new Uint8Array(payload), 1);
      ws.send(bytes);
    };
    const transport = {
      name: 'websocket',
      carriesMediaTracks: false,
      begin: () => sendJson({ type: 'start', audio: { sample_rate: Math.round(sampleRate) } }),
      end: () => sendJson({ type: 'stop' }),
      ping: () => sendJson({ type: 'ping' }),
      send: (msg) => sendJson(msg),
      sendAudio(pcm) {
        if (!open() || ws.bufferedAmount > AUDIO_BUFFER_LIMIT) return false;
        sendFrame(KIND_AUDIO, pcm);
        return true;
      },
      canSendVideo: () => open() && ws.bufferedAmount <= VIDEO_BUFFER_LIMIT,
      sendVideo(jpeg) {
        if (!transport.canSendVideo() || jpeg.byteLength + 1 > MAX_MESSAGE_BYTES) return false;
        sendFrame(KIND_VIDEO, jpeg);
        return true;
      },
      get bufferedAmount() { return ws.bufferedAmount; },
      close(code = 1000, reason = 'bye') {
        if (ws.readyState === WebSocket.CONNECTING || open()) ws.close(code, reason);
      },
    };
    ws.addEventListener('open', () => {
      opened = true;
      if (autoBegin) transport.begin(); // not when media goes over WebRTC
      resolve(transport);
    });
    ws.addEventListener('message', (msg) => {
      if (typeof msg.data !== 'string') return;
      let event;
      try {
        event = JSON.parse(msg.data);
      } catch {
        console.warn('room: non-JSON text frame', msg.data);
        return;
      }
      onEvent(event);
    });
    ws.addEventListener('close', (e) => {
      if (closed) return;
      closed = true;
      if (!opened) reject(new Error(`could not connect (WebSocket closed with ${e.code})`));
      else onClose({ code: e.code, reason: e.reason, wasClean: e.wasClean });
    });
  });
}

// ------------------------------------------------------------------------------------------
// WebRTC transport: mic + camera as tracks to the server's aiortc peer; the candidate
// WebSocket still carries the events and `stop` (never `start` or media frames meanwhile).

const RTC_GATHER_TIMEOUT_MS = 5000;
const RTC_CONNECT_TIMEOUT_MS = 8000;
const RTC_POST_TIMEOUT_MS = 10000;
const RTC_STOP_DELAY_MS = 300; // let the last audio packets arrive before `stop`
const CAMERA_LIMITS = { width: { max: 640 }, height: { max: 480 }, frameRate: { max: 15 } };

function waitForIceGathering(pc, timeoutMs) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve(); // on timeout, the candidates gathered so far are in localDescription
    };
    const check = () => { if (pc.iceGatheringState === 'complete') done(); };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

function waitForConnection(pc, timeoutMs) {
  return new Promise((resolve, reject) => {
    const finish = (err) => {
      clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', check);
      if (err) reject(err); else resolve();
    };
    const check = () => {
      const state = pc.connectionState;
      if (state === 'connected') finish();
      else if (state === 'failed' || state === 'closed') finish(new Error(`WebRTC connection ${state}`));
    };
    const timer = setTimeout(
      () => finish(new Error(`WebRTC did not connect within ${timeoutMs / 1000} s`)), timeoutMs);
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

async function postOffer(interviewId, token, offer) {
  const url = `/api/interviews/${encodeURIComponent(interviewId)}/webrtc` +
    `?token=${encodeURIComponent(token)}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), RTC_POST_TIMEOUT_MS);
  try {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sdp: offer.sdp, type: offer.type }),
      signal: abort.signal,
    });
    const body = await r.json().catch(() => null);
    if (!r.ok) {
      const message = (body && body.error && body.error.message) || r.statusText;
      throw new Error(`WebRTC offer refused (${r.status}): ${message}`);
    }
    if (!body || typeof body.sdp !== 'string' || body.type !== 'answer') {
      throw new Error('WebRTC offer: the server sent no answer');
    }
    return body;
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `stream`'s tracks (camera capped at 640x480, 15 fps) and returns once connected. */
async function negotiateWebRtc({ interviewId, token, stream }) {
  const pc = new RTCPeerConnection({ iceServers: window.roomIceServers || [] });
  try {
    for (const track of stream.getTracks()) {
      if (track.kind === 'video') await track.applyConstraints(CAMERA_LIMITS).catch(() => {});
      const { sender } = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      if (track.kind === 'video') {
        const params = sender.getParameters();
        if (params.encodings && params.encodings.length) {
          params.encodings[0].maxFramerate = 15;
          await sender.setParameters(params).catch(() => {});
        }
      }
    }
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIceGathering(pc, RTC_GATHER_TIMEOUT_MS); // non-trickle: every candidate in
    const answer = await postOffer(interviewId, token, pc.localDescription);
    await pc.setRemoteDescription(answer);
    await waitForConnection(pc, RTC_CONNECT_TIMEOUT_MS);
    return pc;
  } catch (err) {
    pc.close();
    throw err;
  }
}

export async function connectWebRtcTransport(options) {
  if (!('RTCPeerConnection' in window)) throw new Error('this browser has no WebRTC');
  const fallback = chosenTransport() === 'auto';
  let pc = null;
  let closed = false;
  const onClose = (info) => {
    closed = true;
    if (pc) pc.close();
    options.onClose(info);
  };
  const ws = await connectWebSocketTransport({ ...options, onClose, autoBegin: false });
  try {
    pc = await negotiateWebRtc(options);
  } catch (err) {
    if (!fallback || closed) {
      ws.close(1000, 'WebRTC failed');
      throw err;
    }
    // 'auto': keep this socket (a second one would find the session closed) for the media
    console.warn('room: WebRTC failed, media goes over the WebSocket', err);
    ws.begin();
    return ws;
  }
  const transport = {
    name: 'webrtc',
    carriesMediaTracks: true,
    peer: pc,
    begin: () => true, // the server starts listening on the first audio packet
    end() {
      setTimeout(() => ws.end(), RTC_STOP_DELAY_MS);
      return true;
    },
    ping: () => ws.ping(),
    send: (msg) => ws.send(msg), // control messages ({"type":"next"}) go over the WebSocket
    // used only after a fallback to the WebSocket mid-session
    sendAudio: (pcm) => !transport.carriesMediaTracks && ws.sendAudio(pcm),
    canSendVideo: () => !transport.carriesMediaTracks && ws.canSendVideo(),
    sendVideo: (jpeg) => !transport.carriesMediaTracks && ws.sendVideo(jpeg),
    close(code = 1000, reason = 'bye') {
      pc.close();
      ws.close(code, reason);
    },
  };
  pc.addEventListener('connectionstatechange', () => {
    if (pc.connectionState !== 'failed' || closed || !transport.carriesMediaTracks) return;
    pc.close();
    if (room.phase === 'ended' || room.phase === 'stopping') return;
    // The server's clock counts 48 kHz Opus audio: the WebSocket PCM must match that rate.
    const listening = room.serverState === 'listening';
    if (listening && Math.round(options.sampleRate) !== 48000) {
      toast('webrtc', 'The media connection was lost.', 'error', 0);
      onClose({ code: 1006, reason: 'The media connection was lost.' });
      return;
    }
    toast('webrtc', 'The media connection was lost; continuing over the WebSocket.', 'info');
    transport.carriesMediaTracks = false;
    transport.name = 'websocket';
    if (!listening) ws.begin();
    showTransport(transport);
  });
  return transport;
}

window.roomTransports = Object.assign(window.roomTransports || {}, { webrtc: connectWebRtcTransport });

const TRANSPORT_TEXT = { webrtc: 'WebRTC', websocket: 'WebSocket' };

function showTransport(transport) {
  const el = $('transport');
  if (!el) return;
  el.textContent = transport ? TRANSPORT_TEXT[transport.name] || transport.name : '';
  el.dataset.transport = transport ? transport.name : '';
  el.hidden = !transport;
}

function chosenTransport() {
  const q = new URLSearchParams(location.search).get('transport');
  return String(q || window.roomTransport || 'auto').toLowerCase();
}

async function openTransport(options) {
  const registry = window.roomTransports || {};
  const choice = chosenTransport();
  const order = choice === 'auto'
    ? [...(registry.webrtc && 'RTCPeerConnection' in window ? ['webrtc'] : []), 'websocket']
    : [choice];
  let lastError = new Error('no transport');
  for (const name of order) {
    const factory = registry[name];
    if (typeof factory !== 'function') {
      lastError = new Error(`transport "${name}" is not available`);
      continue;
    }
    try {
      return await factory(options);
    } catch (err) {
      console.warn(`room: transport ${name} failed`, err);
      lastError = err;
    }
  }
  throw lastError;
}

const CLOSE_TEXT = {
  1006: 'The connection to the server was lost.',
  1009: 'A message was too large for the server.',
  1011: 'The server hit an internal error.',
  1013: 'The connection was too slow to keep up.',
  4403: 'This interview link is not valid (invalid token).',
  4404: 'This interview does not exist.',
  4409: 'This interview is already open in another tab or device.',
  4410: 'This interview has already ended.',
  4503: 'The server is busy. Please try again shortly.',
};

function onTransportClose({ code, reason }) {
  if (room.phase === 'ended') return;
  if (room.phase === 'stopping' && room.serverState === 'stopped') return;
  const text = CLOSE_TEXT[code] || reason || 'The connection closed.';
  toast(`closed ${code}`, text, 'error');
  const waiters = room.stopWaiters.splice(0);
  waiters.forEach((resolve) => resolve());
  finish(room.phase === 'stopping' ? 'Interview ended' : 'Disconnected', text, 'closed');
}

// ------------------------------------------------------------------------------------------
// Media

async function getMedia() {
  const audio = { channelCount: 1, echoCancellation: true, noiseSuppression: true };
  const video = { width: 640, height: 480, frameRate: 15 };
  try {
    return await navigator.mediaDevices.getUserMedia({ audio, video });
  } catch (err) {
    console.warn('room: camera unavailable, continuing with audio only', err);
    const stream = await navigator.mediaDevices.getUserMedia({ audio });
    toast('camera', 'Camera unavailable — continuing with audio only.', 'info', 6000);
    return stream;
  }
}

function createAudioContext() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  let ctx = new Ctx({ latencyHint: 'interactive' });
  if (ctx.sampleRate > 48000 || ctx.sampleRate < 8000) {
    ctx.close();
    ctx = new Ctx({ latencyHint: 'interactive', sampleRate: 48000 }); // protocol: 8000..48000
  }
  ctx.addEventListener('statechange', () => {
    if (ctx.state === 'suspended' && room.phase === 'live') ctx.resume().catch(() => {});
  });
  return ctx;
}

let meterFrame = 0;
let meterPeak = 0;

function showLevel(peak) {
  meterPeak = Math.max(meterPeak * 0.85, peak);
  if (meterFrame) return;
  meterFrame = requestAnimationFrame(() => {
    meterFrame = 0;
    const db = 20 * Math.log10(Math.max(meterPeak, 1e-4)); // -80..0
    const level = Math.max(0, Math.min(1, (db + 60) / 60));
    $('mic-level').style.transform = `scaleX(${level.toFixed(3)})`;
  });
}

async function startAudioCapture() {
  const ctx = room.audioContext;
  const source = ctx.createMediaStreamSource(room.stream);
  const node = new AudioWorkletNode(ctx, 'pcm16-writer', {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    channelCount: 1,
    channelCountMode: 'explicit',
    channelInterpretation: 'speakers',
    processorOptions: { chunkMs: 20 },
  });
  const mute = ctx.createGain();
  mute.gain.value = 0; // keeps the graph pulled without playing the mic back
  source.connect(node).connect(mute).connect(ctx.destination);
  room.nodes.push(source, node, mute);
  room.worklet = node;
  let warned = false;
  node.port.onmessage = ({ data }) => {
    if (!data || data.type !== 'pcm') return;
    showLevel(data.peak || 0);
    if (!room.acceptingMedia || !room.transport || room.transport.carriesMediaTracks) return;
    if (room.micMuted) new Uint8Array(data.pcm).fill(0);
    if (room.transport.sendAudio(data.pcm)) {
      room.stats.audioChunks++;
      room.stats.audioBytes += data.pcm.byteLength;
    } else {
      room.stats.audioDropped++;
      if (!warned && room.phase === 'live') {
        warned = true;
        toast('network', 'Your connection is too slow; some audio was dropped.', 'error');
      }
    }
  };
}

/** Ask the worklet for its partly filled chunk and wait until it has been posted. */
function flushAudio(timeoutMs = 500) {
  const node = room.worklet;
  if (!node) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    node.port.addEventListener('message', function onFlushed({ data }) {
      if (data && data.type === 'flushed') {
        node.port.removeEventListener('message', onFlushed);
        clearTimeout(timer);
        resolve();
      }
    });
    node.port.postMessage({ type: 'flush' });
  });
}

function startVideoCapture() {
  const video = $('preview');
  if (!room.stream.getVideoTracks().length) return;
  const canvas = document.createElement('canvas'); // offscreen: never attached to the DOM
  const ctx = canvas.getContext('2d', { alpha: false });
  let pending = false;
  const tick = () => {
    if (!room.acceptingMedia || !room.transport || room.transport.carriesMediaTracks) return;
    if (pending || !room.transport.canSendVideo()) {
      room.stats.videoSkipped++;
      return;
    }
    if (video.readyState < 2 || !video.videoWidth) return;
    const scale = Math.min(1, VIDEO_MAX_WIDTH / video.videoWidth);
    const w = Math.round(video.videoWidth * scale);
    const h = Math.round(video.videoHeight * scale);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    ctx.drawImage(video, 0, 0, w, h); // unmirrored: the mirror is only CSS on the preview
    pending = true;
    canvas.toBlob(async (blob) => {
      try {
        if (!blob || !room.acceptingMedia || !room.transport) return;
        const jpeg = await blob.arrayBuffer();
        if (room.transport.sendVideo(jpeg)) {
          room.stats.videoFrames++;
          room.stats.videoBytes += jpeg.byteLength;
        } else {
          room.stats.videoSkipped++;
        }
      } catch (err) {
        console.warn('room: camera frame failed', err);
      } finally {
        pending = false;
      }
    }, 'image/jpeg', JPEG_QUALITY);
  };
  room.timers.push(setInterval(tick, VIDEO_INTERVAL_MS));
}

// ------------------------------------------------------------------------------------------
// Start / stop

function problemWithBrowser() {
  if (!room.interviewId || !room.token) return 'This link is incomplete: it needs an interview id and a token.';
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return 'The microphone is only available on a secure page: open this link over HTTPS (or on localhost).';
  }
  if (!window.AudioWorkletNode) return 'This browser cannot stream audio. Please use a recent Chrome, Edge, Firefox or Safari.';
  return null;
}

export async function start() {
  if (room.phase !== 'idle') return;
  const problem = problemWithBrowser();
  if (problem) {
    $('start-hint').textContent = problem;
    $('start-hint').classList.add('is-error');
    return;
  }
  setPhase('starting');
  const button = $('start-button');
  button.disabled = true;
  button.textContent = 'Starting…';
  setStatus('starting', 'Waiting for microphone…');
  try {
    room.stream = await getMedia();
  } catch (err) {
    setPhase('idle');
    button.disabled = false;
    button.textContent = 'Start interview';
    setStatus('idle');
    const denied = err && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
    const text = denied
      ? 'Microphone access was blocked. Allow it in the browser’s address bar, then try again.'
      : `Could not open the microphone (${(err && err.message) || err}).`;
    $('start-hint').textContent = text;
    $('start-hint').classList.add('is-error');
    toast('microphone', text, 'error');
    return;
  }

  const preview = $('preview');
  if (room.stream.getVideoTracks().length) {
    preview.srcObject = room.stream;
    $('preview-box').hidden = false;
    preview.play().catch(() => {});
  }
  $('start-screen').hidden = true;
  $('stop-button').hidden = false;

  try {
    room.audioContext = createAudioContext();
    await room.audioContext.audioWorklet.addModule('/static/pcm-worklet.js');
    if (room.audioContext.state !== 'running') await room.audioContext.resume();
    setStatus('connecting');
    room.transport = await openTransport({
      interviewId: room.interviewId,
      token: room.token,
      sampleRate: room.audioContext.sampleRate,
      stream: room.stream,
      onEvent: handleEvent,
      onClose: onTransportClose,
    });
    showTransport(room.transport);
    // With WebRTC the worklet only drives the level meter; both captures send nothing while
    // the transport carries the tracks itself (and take over if it falls back mid-session).
    await startAudioCapture();
    startVideoCapture();
    room.timers.push(setInterval(updateElapsed, 1000));
  } catch (err) {
    console.error(err);
    toast('start', (err && err.message) || String(err), 'error', 0);
    finish('Could not start', (err && err.message) || String(err), 'closed');
  }
}

export async function stop() {
  if (room.phase !== 'live' && room.phase !== 'starting') return;
  setPhase('stopping');
  $('stop-button').disabled = true;
  setStatus('stopping');
  await flushAudio(); // the last partial chunk goes out before the stop message
  room.acceptingMedia = false;
  const stopped = new Promise((resolve) => room.stopWaiters.push(resolve));
  if (room.transport) room.transport.end();
  const timedOut = await Promise.race([
    stopped.then(() => false),
    new Promise((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS)),
  ]);
  if (room.phase === 'ended') return; // the connection closed meanwhile
  if (timedOut) toast('stop', 'The server did not confirm the end in time; closing anyway.', 'error');
  finish('Interview ended', 'Thank you. Your answers were saved — you can close this page.');
}

function teardown() {
  room.acceptingMedia = false;
  room.timers.forEach((t) => { clearInterval(t); clearTimeout(t); });
  room.timers = [];
  if (room.worklet) room.worklet.port.onmessage = null;
  room.nodes.forEach((n) => { try { n.disconnect(); } catch { /* already */ } });
  room.nodes = [];
  room.worklet = null;
  if (room.stream) room.stream.getTracks().forEach((t) => t.stop());
  if (room.audioContext && room.audioContext.state !== 'closed') room.audioContext.close().catch(() => {});
  if (room.transport) room.transport.close(1000, 'interview ended');
  if (canSpeak) window.speechSynthesis.cancel();
  $('preview').srcObject = null;
  $('preview-box').hidden = true;
  $('mic-level').style.transform = 'scaleX(0)';
}

function summary() {
  const m = room.lastMetrics;
  const parts = [];
  if (room.startedAt) parts.push(`Duration ${formatClock((performance.now() - room.startedAt) / 1000)}`);
  if (m && m.words) {
    parts.push(`${m.words} words`);
    if (m.wpm) parts.push(`${Math.round(m.wpm)} wpm`);
    const f = m.filler_count || 0;
    parts.push(`${f} filler${f === 1 ? '' : 's'}`);
  }
  return parts.join(' · ');
}

function finish(title, text, statusState = 'stopped') {
  if (room.phase === 'ended') return;
  updateElapsed();
  teardown();
  setPhase('ended');
  setStatus(statusState, statusState === 'stopped' ? 'Interview ended' : title);
  $('stop-button').hidden = true;
  $('start-screen').hidden = true;
  $('ended-title').textContent = title;
  const s = summary();
  $('ended-text').textContent = s ? `${text} ${s}.` : text;
  $('ended').hidden = false;
  $('question').hidden = true;
}

function updateElapsed() {
  if (!room.startedAt || room.phase === 'ended') return;
  $('elapsed').textContent = formatClock((performance.now() - room.startedAt) / 1000);
}

// ------------------------------------------------------------------------------------------
// Wiring

function init() {
  gauges = createMetricGauges();
  setStatus('idle');
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
  $('start-button').addEventListener('click', start);
  $('stop-button').addEventListener('click', stop);
  window.addEventListener('beforeunload', (e) => {
    if (room.phase === 'live' || room.phase === 'stopping') {
      e.preventDefault();
      e.returnValue = '';
    }
  });
  const problem = problemWithBrowser();
  if (problem) {
    $('start-hint').textContent = problem;
    $('start-hint').classList.add('is-error');
    $('start-button').disabled = true;
  }
  $('start-button').focus();
}

// A small debugging / testing / extension surface.
window.room = {
  handleEvent, start, stop, toast, state: room, stats: room.stats, connectWebSocketTransport,
  connectWebRtcTransport,
};

init();
