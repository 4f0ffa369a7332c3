/*
 * The candidate's microphone and camera: getUserMedia, the AudioContext with the PCM worklet
 * (/static/pcm-worklet.js: 20 ms PCM16 chunks, also the level meter), and JPEG frames of the
 * camera preview. Audio and frames go to room.transport only while room.acceptingMedia and
 * when the transport does not carry the tracks itself (WebRTC); the audio goes through the
 * PCM ring room.pcm (audio-buffer.js), which keeps it while the room reconnects.
 */

import { $ } from '../shared/dom.js';
import { toast } from '../shared/toast.js';
import { room } from './state.js';
import { showLevel } from './topbar.js';

const PCM_WORKLET_URL = '/static/pcm-worklet.js';
const VIDEO_INTERVAL_MS = 200;
const VIDEO_MAX_WIDTH = 640;
const JPEG_QUALITY = 0.7;

/** Mic and camera; mic only (with a toast) when the camera is unavailable. */
export async function getMedia() {
  const audio = { channelCount: 1, echoCancellation: true, noiseSuppression: true };
  const video = { width: 640, height: 480, frameRate: 15 };
  try {
    return await navigator.mediaDevices.getUserMedia({ audio, video });
  } catch (err) {
    console.warn('room: camera unavailable, continuing with audio only', err);
    const stream = await navigator.mediaDevices.getUserMedia({ audio });
    const blocked = err && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
    toast('camera', blocked
      ? 'Camera access was blocked, so the interview goes on with your microphone only: eye contact and posture are not measured.'
      : 'We could not open your camera, so the interview goes on with your microphone only.', 'error', 10000);
    return stream;
  }
}

/** An AudioContext at 8..48 kHz (the protocol's range). */
export function createAudioContext() {
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

/** Load the PCM worklet into `ctx` and make sure it runs. */
export async function loadPcmWorklet(ctx) {
  await ctx.audioWorklet.addModule(PCM_WORKLET_URL);
  if (ctx.state !== 'running') await ctx.resume();
}

export async function startAudioCapture() {
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
    const t = room.transport;
    if (!room.capturing || !room.pcm || !t || t.carriesMediaTracks) return;
    if (room.micMuted) new Uint8Array(data.pcm).fill(0);
    // kept in the ring (also while reconnecting), then sent from there
    const gone = room.pcm.push(data.pcm);
    if (gone > 0 && room.phase === 'live') {
      room.stats.audioDropped++;
      if (!warned) {
        warned = true;
        toast('network', 'Your connection is too slow; some audio was dropped.', 'error');
      }
    }
    pumpAudio();
  };
}

/** Send the ring's unsent PCM over the socket (while the server takes audio). */
export function pumpAudio() {
  const t = room.transport;
  if (!room.acceptingMedia || !room.pcm || !t || t.carriesMediaTracks) return;
  room.pcm.pump((pcm) => {
    if (!t.sendAudio(pcm)) return false;
    room.stats.audioChunks++;
    room.stats.audioBytes += pcm.byteLength;
    return true;
  });
  room.stats.audioLostBytes = room.pcm.lostSamples * 2;
}

/** Ask the worklet for its partly filled chunk and wait until it has been posted. */
export function flushAudio(timeoutMs = 500) {
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

export function startVideoCapture() {
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

/** Stop every capture: worklet, audio graph, tracks, AudioContext, preview. */
export function stopCapture() {
  if (room.worklet) room.worklet.port.onmessage = null;
  room.nodes.forEach((n) => { try { n.disconnect(); } catch { /* already */ } });
  room.nodes = [];
  room.worklet = null;
  if (room.stream) room.stream.getTracks().forEach((t) => t.stop());
  if (room.audioContext && room.audioContext.state !== 'closed') room.audioContext.close().catch(() => {});
  $('preview').srcObject = null;
  $('preview-box').hidden = true;
}
