/*
 * The room's state: one object, read and changed by the room's modules, and exposed as
 * window.room.state for tests and debugging.
 */

import { pathId, queryParam } from '../shared/location.js';

export const room = {
  interviewId: pathId('room'),
  token: queryParam('token'),
  phase: 'idle', // idle | starting | live | reconnecting | stopping | ended
  interviewStatus: null, // GET /api/interviews/{id}: pending | live | completed | ...
  serverState: null,
  transport: null,
  connection: 'closed', // connecting | open | reconnecting | closed (connection.js)
  connects: 0, // sockets that got their `state: ready`
  reconnects: 0, // drops the room came back from (or tried to)
  lastClose: null, // {code, reason} of the last socket lost (for debugging only)
  graceMs: 60000, // how long the server waits for a dropped candidate (RESUME_GRACE_S)
  readyAudioS: 0, // `audio_s` of the newest `state: ready`
  replayed: 0, // stored events drawn again after a reload
  pcm: null, // the microphone's PCM ring (audio-buffer.js), WebSocket media only
  capturing: false, // PCM goes into the ring: from the first `listening` to Stop
  stream: null,
  audioContext: null,
  nodes: [],
  worklet: null,
  acceptingMedia: false, // send audio/video only between `listening` and Stop
  micMuted: false, // while a question is read aloud, silence is sent instead of the mic
  lastSeq: 0,
  lastMetrics: null,
  startRetries: 0,
  startedAt: 0,
  timers: [],
  stopWaiters: [],
  stats: {
    // audioResentBytes: sent from the ring after a reconnect (kept while away, or sent again);
    // audioLostBytes: gone from the ring before the server had them
    audioChunks: 0, audioBytes: 0, audioDropped: 0, audioResentBytes: 0, audioLostBytes: 0,
    videoFrames: 0, videoBytes: 0, videoSkipped: 0, events: 0,
  },
};

export function setPhase(phase) {
  room.phase = phase;
  document.body.dataset.phase = phase;
}

/** Wake whoever waits in stop() for the server's `stopped` (or the connection's end). */
export function releaseStopWaiters() {
  const waiters = room.stopWaiters.splice(0);
  waiters.forEach((resolve) => resolve());
}

/** 'auto' | 'websocket' | 'webrtc' | another registered name: ?transport= or
 * window.roomTransport (see transports.js). */
export function chosenTransport() {
  return String(queryParam('transport') || window.roomTransport || 'auto').toLowerCase();
}
