/*
 * Choosing and opening the room's transport.
 *
 *   window.roomTransport  = 'auto' | 'websocket' | 'webrtc'   (default 'auto';
 *                           the query parameter ?transport=... overrides it)
 *   window.roomTransports = { name: factory }                 (registry; 'websocket' and
 *                                                              'webrtc' built in)
 *
 * A transport factory is `async (options) => transport`, where options are
 *   { interviewId, token, sampleRate, stream, onEvent, onClose, after, autoBegin, openTimeoutMs }
 * and must call `onEvent(event)` (events.js's handleEvent) for every server event and
 * `onClose({code, reason})` once when the connection ends. `after` (a number or a function)
 * is the last seq the room has seen (the socket's ?after=). The room passes autoBegin: false
 * and calls begin() itself once the socket's `state: ready` has come (connection.js). The
 * returned transport object:
 *   name                 string
 *   carriesMediaTracks   true if it sends `stream`'s tracks itself (e.g. WebRTC); then the
 *                        room does not send the PCM worklet's audio / JPEG frames over it
 *   ready                a promise of this socket's `state: ready` event (null: closed first)
 *   open                 false once its socket has closed
 *   begin()              ask the server to start listening ({"type":"start",...} on WS)
 *   end()                ask the server to flush and stop ({"type":"stop"})
 *   send(msg) -> bool    send a JSON control message, e.g. {"type":"next"} (turn-taking)
 *   sendAudio(ArrayBuffer pcm16le) -> bool       (only if !carriesMediaTracks)
 *   canSendVideo() -> bool; sendVideo(ArrayBuffer jpeg) -> bool
 *   close()
 * 'auto' tries 'webrtc' first when one is registered and RTCPeerConnection exists, and falls
 * back to 'websocket' (see transport-webrtc.js). #transport shows which one is used.
 */

import { chosenTransport } from './state.js';
import { connectWebRtcTransport } from './transport-webrtc.js';
import { connectWebSocketTransport } from './transport-websocket.js';

if (!window.roomTransport) window.roomTransport = 'auto';
window.roomTransports = Object.assign(window.roomTransports || {}, {
  websocket: connectWebSocketTransport,
  webrtc: connectWebRtcTransport,
});

/** The first transport of the chosen order that connects. */
export async function openTransport(options) {
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

export { connectWebRtcTransport, connectWebSocketTransport };
