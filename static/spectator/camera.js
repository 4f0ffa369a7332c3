/*
 * The candidate's camera, relayed by the server over WebRTC (POST
 * /api/interviews/{id}/spectate/webrtc; a capped number of viewers): the "Watch camera" button.
 */

import { $ } from '../shared/dom.js';
import { interviewApi } from '../shared/location.js';
import { toast } from '../shared/toast.js';
import { negotiate } from '../shared/webrtc.js';
import { spectator } from './state.js';

const GATHER_TIMEOUT_MS = 3000;

async function watchCamera() {
  const button = $('video-button');
  const video = $('live-video');
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
    const headers = spectator.accessToken ? { Authorization: `Bearer ${spectator.accessToken}` } : {};
    await negotiate(pc, interviewApi(spectator.interviewId, '/spectate/webrtc', spectator.token),
      { headers, gatherMs: GATHER_TIMEOUT_MS });
  } catch (err) {
    pc.close();
    button.disabled = false;
    toast('video', `Camera unavailable: ${err.message}`, 'error');
  }
}

export function initCamera() {
  $('video-button').addEventListener('click', watchCamera);
}
