/*
 * The 'websocket' transport: events, control messages and the media all over the candidate
 * socket /ws/interviews/{id}/candidate?token=...
 *
 * `after` (a number, or a function read when the socket opens) is the last `seq` the page has
 * seen (`openTimeoutMs`: how long the socket may take to open, 0 = as long as it takes): the server first sends the session's events after it, then `state: ready` (the
 * transport's `ready` promise resolves with that event; with null if the socket closes first).
 *
 * Media frames are binary: one kind byte (1 = PCM16LE audio at `sampleRate`, 2 = a JPEG
 * camera frame), then the payload. Control messages are JSON text: {"type": "start",
 * "audio": {"sample_rate"}}, {"type": "stop"}, {"type": "next"}, {"type": "ping"}.
 * The transport object is described in transports.js.
 */

import { parseMessage, socketUrl } from '../shared/socket.js';

const KIND_AUDIO = 1;
const KIND_VIDEO = 2;
const MAX_MESSAGE_BYTES = 1 << 20;         // server closes with 1009 above this
const VIDEO_BUFFER_LIMIT = 256 * 1024;     // skip camera frames above this much unsent data
const AUDIO_BUFFER_LIMIT = 4 * 1024 * 1024; // drop audio (and warn) if the network stalls

/** Resolves with the transport once the socket is open (it then sends `start` unless
 * autoBegin is false); rejects if the socket closes before opening. */
export function connectWebSocketTransport({ interviewId, token, sampleRate, onEvent, onClose,
  autoBegin = true, after = 0, openTimeoutMs = 0 }) {
  const seq = typeof after === 'function' ? after() : after;
  const url = socketUrl(`/ws/interviews/${encodeURIComponent(interviewId)}/candidate`,
    { token, after: Math.max(0, Number(seq) || 0) });
  let settleReady;
  const ready = new Promise((resolve) => { settleReady = resolve; });
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    let opened = false;
    let closed = false;
    const open = () => ws.readyState === WebSocket.OPEN;
    if (openTimeoutMs > 0) { // no answer in time: give the socket up before it opens
      setTimeout(() => { if (!opened) ws.close(4000, 'open timeout'); }, openTimeoutMs);
    }
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
      get open() { return open(); },
      ready,
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
      const message = parseMessage(msg.data, 'room');
      if (!message) return;
      onEvent(message);
      if (message.type === 'state' && message.state === 'ready') settleReady(message);
    });
    ws.addEventListener('close', (e) => {
      if (closed) return;
      closed = true;
      settleReady(null);
      if (!opened) reject(new Error(`could not connect (WebSocket closed with ${e.code})`));
      else onClose({ code: e.code, reason: e.reason, wasClean: e.wasClean });
    });
  });
}
