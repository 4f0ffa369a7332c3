/*
 * The candidate's camera, relayed by the server over WebRTC (POST
 * /api/interviews/{id}/spectate/webrtc; a capped number of viewers): the "Watch camera" button.
 *
 * What goes wrong is said in plain words in #camera-status (the refused offer's status, no
 * video track, ICE failing, a lost connection); the details go to the console only.
 */

import { $ } from '../shared/dom.js';
import { interviewApi } from '../shared/location.js';
import { waitForIceGathering } from '../shared/webrtc.js';
import { spectator } from './state.js';

const GATHER_TIMEOUT_MS = 3000;
const OFFER_TIMEOUT_MS = 10000;
const TRACK_TIMEOUT_MS = 10000; // connected, but no video by then: none is coming

const UNAVAILABLE = "The candidate's camera isn't available right now.";
const TEXT = {
  no_video: `${UNAVAILABLE} It shows here once the candidate's video reaches the server.`,
  busy: 'Too many people are watching the camera right now. Try again in a minute.',
  forbidden: "You don't have access to this interview's camera.",
  gone: 'This interview could not be found.',
  network: "Couldn't reach the server. Check your connection and try again.",
  connect: `${UNAVAILABLE} The video connection couldn't be set up; try again.`,
  lost: 'The camera connection was lost.',
  unsupported: "This browser can't play the live camera.",
  failed: UNAVAILABLE,
};

/** A failure with its plain-words `kind` (TEXT); `detail` is for the console. */
class CameraError extends Error {
  constructor(kind, detail) {
    super(detail);
    this.kind = kind;
  }
}

function showStatus(kind, text) {
  const el = $('camera-status');
  el.textContent = text;
  el.dataset.tone = kind === 'info' ? 'info' : 'error';
  el.dataset.kind = kind;
  el.hidden = !text;
}

/** The kind of failure of an offer refused with HTTP `status` (and the body's `code`). */
function refusal(status, code) {
  if (status === 409 || code === 'no_video') return 'no_video';
  if (status === 503 || status === 429 || code === 'too_many_viewers') return 'busy';
  if (status === 401 || status === 403) return 'forbidden';
  if (status === 404) return 'gone';
  return 'failed';
}

async function postOffer(url, offer, headers) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), OFFER_TIMEOUT_MS);
  let r;
  try {
    r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ sdp: offer.sdp, type: offer.type }),
      signal: abort.signal,
    });
  } catch (err) {
    throw new CameraError('network', `offer not sent: ${err}`);
  } finally {
    clearTimeout(timer);
  }
  const body = await r.json().catch(() => null);
  if (!r.ok) {
    const code = body && typeof body === 'object' ? (body.error && body.error.code) || body.code : '';
    throw new CameraError(refusal(r.status, code), `offer refused: ${r.status} ${JSON.stringify(body)}`);
  }
  if (!body || typeof body.sdp !== 'string' || body.type !== 'answer') {
    throw new CameraError('connect', `no answer in the reply: ${JSON.stringify(body)}`);
  }
  return body;
}

let current = null; // the RTCPeerConnection being watched

function reset(kind, detail) {
  const pc = current;
  current = null;
  if (pc) pc.close();
  const video = $('live-video');
  video.hidden = true;
  video.srcObject = null;
  const button = $('video-button');
  button.hidden = false;
  button.disabled = false;
  button.textContent = 'Try again';
  if (detail) console.warn(`spectator camera: ${kind}:`, detail);
  showStatus(kind, TEXT[kind] || TEXT.failed);
}

async function watchCamera() {
  const button = $('video-button');
  const video = $('live-video');
  if (!window.RTCPeerConnection) {
    showStatus('unsupported', TEXT.unsupported);
    return;
  }
  button.disabled = true;
  showStatus('info', 'Connecting to the camera…');
  const pc = new RTCPeerConnection();
  current = pc;
  let gotTrack = false;
  let trackTimer = 0;
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (e) => {
    if (current !== pc) return;
    gotTrack = true;
    clearTimeout(trackTimer);
    video.srcObject = e.streams[0] || new MediaStream([e.track]);
    video.hidden = false;
    button.hidden = true;
    showStatus('info', '');
  };
  pc.onconnectionstatechange = () => {
    if (current !== pc) return;
    const state = pc.connectionState;
    if (state === 'failed') reset(gotTrack ? 'lost' : 'connect', `connection ${state}`);
    else if (state === 'closed' && gotTrack) reset('lost', 'connection closed');
  };
  try {
    const headers = spectator.accessToken ? { Authorization: `Bearer ${spectator.accessToken}` } : {};
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await waitForIceGathering(pc, GATHER_TIMEOUT_MS); // non-trickle: every candidate in it
    } catch (err) {
      throw new CameraError('connect', `offer not made: ${err}`);
    }
    const answer = await postOffer(
      interviewApi(spectator.interviewId, '/spectate/webrtc', spectator.token), pc.localDescription, headers);
    try {
      await pc.setRemoteDescription(answer);
    } catch (err) {
      throw new CameraError('connect', `answer not applied: ${err}`);
    }
    trackTimer = setTimeout(() => {
      if (current === pc && !gotTrack) reset('no_video', 'no video track arrived');
    }, TRACK_TIMEOUT_MS);
  } catch (err) {
    if (current !== pc) return;
    reset(err instanceof CameraError ? err.kind : 'failed', err);
  }
}

export function initCamera() {
  $('video-button').addEventListener('click', watchCamera);
}
