/*
 * Non-trickle WebRTC signalling with the server's aiortc peer: make the offer, wait until
 * every ICE candidate is in it, POST it as JSON {sdp, type} and apply the answer.
 * Used by the room (sends the candidate's tracks) and the spectator (receives the camera).
 */

import { errorMessage } from './location.js';

/** Resolves when ICE gathering is complete, or after `timeoutMs` (the candidates gathered
 * so far are then in localDescription). */
export function waitForIceGathering(pc, timeoutMs) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => { if (pc.iceGatheringState === 'complete') done(); };
    const timer = setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/** POST an offer; the server's answer {sdp, type: 'answer'}, or an Error with its message. */
export async function postOffer(url, offer, { headers = {}, timeoutMs = 10000 } = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ sdp: offer.sdp, type: offer.type }),
      signal: abort.signal,
    });
    const body = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`WebRTC offer refused (${r.status}): ${errorMessage(body, r.statusText)}`);
    if (!body || typeof body.sdp !== 'string' || body.type !== 'answer') {
      throw new Error('WebRTC offer: the server sent no answer');
    }
    return body;
  } finally {
    clearTimeout(timer);
  }
}

/** Offer the transceivers already on `pc` to `url` and apply the answer. */
export async function negotiate(pc, url, { headers = {}, gatherMs = 5000, timeoutMs = 10000 } = {}) {
  await pc.setLocalDescription(await pc.createOffer());
  await waitForIceGathering(pc, gatherMs); // non-trickle: every candidate in the offer
  const answer = await postOffer(url, pc.localDescription, { headers, timeoutMs });
  await pc.setRemoteDescription(answer);
}
