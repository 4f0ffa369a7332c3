/*
 * The microphone's PCM on its way to the server over the WebSocket, kept so that a resumed
 * session loses nothing said while the connection was down (media/resumable.py does the same
 * in Python).
 *
 * Every 20-ms chunk is pushed here, then sent from here: `sent` is how far the current socket
 * got. While the room is reconnecting the chunks pile up (the last RING_SECONDS; older ones
 * are dropped). The page's first `state: ready` gives the anchor: the session's audio clock,
 * in samples, when this page began (`audio_s` of that event). Each later `ready` says how much
 * the session took (`audio_s` again): `rewind()` moves `sent` back to there, so the audio the
 * server did not get is sent again after `start`.
 */

// What is kept: sent at once after a reconnect, it stays within the burst the server admits
// above real time (15 s, docs/protocol.md "Real time").
const RING_SECONDS = 10;

/** A PCM16 ring at `rate` Hz. */
export function createPcmRing(rate, seconds = RING_SECONDS) {
  const limit = Math.round(rate * seconds);
  let chunks = []; // {start, pcm: Int16Array}, oldest first; `start` counts samples
  let captured = 0; // samples pushed since this page began
  let sent = 0; // samples handed to the socket (below oldest(): lost, counted by pump)
  let anchor = null; // the session's clock (samples) at captured = 0

  const oldest = () => (chunks.length ? chunks[0].start : captured);

  const ring = {
    rate,
    lostSamples: 0, // gone from the ring before the server had them
    get captured() { return captured; },
    get sent() { return sent; },

    /** Keep one chunk (an ArrayBuffer of PCM16LE), dropping what is older than the ring's
     * length; returns how many unsent samples are gone now. */
    push(buffer) {
      const pcm = new Int16Array(buffer);
      chunks.push({ start: captured, pcm });
      captured += pcm.length;
      while (captured - (chunks[0].start + chunks[0].pcm.length) >= limit) chunks.shift();
      return Math.max(0, oldest() - sent);
    },

    /** Hand every unsent sample to `send(ArrayBuffer) -> bool`, oldest first, until it
     * refuses one; returns the chunks sent. */
    pump(send) {
      if (sent < oldest()) {
        ring.lostSamples += oldest() - sent;
        sent = oldest();
      }
      let n = 0;
      for (const { start, pcm } of chunks) {
        const end = start + pcm.length;
        if (end <= sent) continue;
        const piece = sent > start ? pcm.slice(sent - start) : pcm; // a slice has its own buffer
        if (!send(piece.buffer)) break;
        sent = end;
        n++;
      }
      return n;
    },

    /** A socket's `state: ready` said the session has `audioS` seconds of audio: what it
     * did not take goes with the next pump(). Returns, in samples, {resend: sent before and
     * sent again, lost: sent before and no longer in the ring, pending: all the next pump()
     * sends}. The first call (and the first after reset()) only sets the anchor. */
    rewind(audioS) {
      const server = Math.round((Number(audioS) || 0) * rate);
      if (anchor === null) {
        anchor = server - sent; // what was sent before is in
        return { resend: 0, lost: 0, pending: captured - Math.max(sent, oldest()) };
      }
      const target = Math.max(0, Math.min(server - anchor, sent));
      const resend = Math.max(0, sent - Math.max(target, oldest()));
      const lost = Math.max(0, Math.min(sent, oldest()) - target);
      sent = target;
      return { resend, lost, pending: captured - Math.max(sent, oldest()) };
    },

    /** The audio went another way (WebRTC tracks): forget the chunks and the anchor. */
    reset() {
      chunks = [];
      sent = captured;
      anchor = null;
    },
  };
  return ring;
}
