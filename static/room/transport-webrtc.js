/*
 * The 'webrtc' transport: mic + camera as tracks to the server's aiortc peer (POST
 * /api/interviews/{id}/webrtc, non-trickle offer/answer); the candidate WebSocket still
 * carries the events and `stop` (never `start` or media frames meanwhile).
 *
 * In 'auto' mode any WebRTC failure (offer refused, no connection within 8 s) falls back to
 * media over that same socket, and so does a media connection lost mid-session (when the
 * audio can go on at the same 48 kHz clock). window.roomIceServers (default []) sets the
 * browser's ICE servers.
 */

import { interviewApi } from '../shared/location.js';
import { toast } from '../shared/toast.js';
import { negotiate } from '../shared/webrtc.js';
import { chosenTransport, room } from './state.js';
import { showTransport } from './topbar.js';
import { connectWebSocketTransport } from './transport-websocket.js';

const RTC_GATHER_TIMEOUT_MS = 5000;
const RTC_CONNECT_TIMEOUT_MS = 8000;
const RTC_POST_TIMEOUT_MS = 10000;
const RTC_STOP_DELAY_MS = 300; // let the last audio packets arrive before `stop`
const CAMERA_LIMITS = { width: { max: 640 }, height: { max: 480 }, frameRate: { max: 15 } };

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
    await negotiate(pc, interviewApi(interviewId, '/webrtc', token),
      { gatherMs: RTC_GATHER_TIMEOUT_MS, timeoutMs: RTC_POST_TIMEOUT_MS });
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
    if (options.autoBegin !== false) ws.begin(); // else the room begins after `ready`
    return ws;
  }
  const transport = {
    name: 'webrtc',
    carriesMediaTracks: true,
    peer: pc,
    ready: ws.ready,
    get open() { return ws.open && !closed; },
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
      // reconnect: a new socket and a new offer (the room resumes the session)
      onClose({ code: 1006, reason: 'media connection lost' });
      ws.close(4000, 'media connection lost');
      return;
    }
    toast('connection', 'The media connection was lost; the interview goes on.', 'info');
    transport.carriesMediaTracks = false;
    transport.name = 'websocket';
    if (!listening) ws.begin();
    showTransport(transport);
  });
  return transport;
}
