/*
 * WebSocket helpers: the URL of a server socket, JSON text frames, the back-off between
 * reconnects, and a socket that reconnects by itself (the spectator page's).
 *
 * Socket replies are not events: `pong` answers {"type": "ping"}, `ack` a recruiter command
 * (the events a command causes come as events). Pages drop them before dispatching events.
 */

export const REPLY = Object.freeze({ PONG: 'pong', ACK: 'ack' });

/** True for a socket reply (not an event of event-kinds.js). */
export const isReply = (message) => message.type === REPLY.PONG || message.type === REPLY.ACK;

/** ws(s)://this-host{path}?k=v&... (null / undefined values are left out). */
export function socketUrl(path, params = {}) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const query = Object.entries(params)
    .filter(([, v]) => v != null)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `${scheme}://${location.host}${path}${query ? `?${query}` : ''}`;
}

/** The object of a JSON text frame; null for a binary or malformed frame. */
export function parseMessage(data, label = 'socket') {
  if (typeof data !== 'string') return null;
  try {
    const message = JSON.parse(data);
    return message && typeof message === 'object' ? message : null;
  } catch {
    console.warn(`${label}: non-JSON text frame`, data);
    return null;
  }
}

/** The wait before reconnect attempt `attempt` (0, 1, 2...): `minMs` doubling up to `maxMs`,
 * with ±25 % jitter (clients that lost the same server do not come back all at once). */
export function backoffDelay(attempt, minMs, maxMs) {
  const base = Math.min(maxMs, minMs * 2 ** attempt);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/**
 * A socket that re-opens itself (new `url()` each time) with exponential backoff and jitter
 * after a drop, a 1013 (too slow), or silence longer than `silenceMs`; it pings every
 * `pingMs`. A close code for which isFatal(code) is true (default 44xx: bad id or token) is
 * final. Callbacks:
 *   onMessage(object)        every JSON text frame (replies included)
 *   onOpen()                 each time a socket opens
 *   onClose(code, reason)    each time one closes (before the reconnect or onFatal)
 *   onFatal(code, reason)    a final close
 *   onStatus(state, text)    'connecting' | 'reconnecting' | 'open' | 'closed', and a text
 * Returns {connect(), send(message) -> bool, drop(reason)}; drop() forgets the current socket
 * at once (no close handshake) and reconnects.
 */
export function createReconnectingSocket({
  url, onMessage, onOpen = () => {}, onClose = () => {}, onFatal = () => {}, onStatus = () => {},
  label = 'socket', pingMs = 20000, silenceMs = 45000, backoffMinMs = 500, backoffMaxMs = 15000,
  stableMs = 5000, isFatal = (code) => code >= 4400 && code < 4500,
}) {
  let ws = null;
  let opens = 0;
  let attempt = 0;        // failed attempts since the last stable socket
  let retryTimer = 0;
  let openedAt = 0;
  let lastFrameAt = 0;
  let fatal = false;

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = 0;
    if (fatal) return;
    onStatus(opens ? 'reconnecting' : 'connecting', opens ? 'Reconnecting…' : 'Connecting…');
    let socket;
    try {
      socket = new WebSocket(url());
    } catch (err) {
      console.warn(`${label}: cannot open the socket`, err);
      scheduleReconnect();
      return;
    }
    ws = socket;
    socket.onopen = () => {
      opens++;
      openedAt = lastFrameAt = performance.now();
      onStatus('open', 'Connected');
      onOpen();
    };
    socket.onmessage = (msg) => {
      lastFrameAt = performance.now();
      const message = parseMessage(msg.data, label);
      if (message) onMessage(message);
    };
    socket.onclose = (e) => {
      if (ws !== socket) return;
      ws = null;
      onClose(e.code, e.reason);
      if (isFatal(e.code)) {
        fatal = true;
        onStatus('closed', 'Disconnected');
        onFatal(e.code, e.reason);
        return;
      }
      if (openedAt && performance.now() - openedAt > stableMs) attempt = 0;
      openedAt = 0;
      scheduleReconnect(e.code);
    };
  }

  function scheduleReconnect(code) {
    if (fatal || retryTimer) return;
    const delay = backoffDelay(attempt, backoffMinMs, backoffMaxMs);
    attempt++;
    const why = code === 1013 ? 'Catching up' : navigator.onLine === false ? 'Offline' : 'Connection lost';
    onStatus('reconnecting', `${why} — retrying in ${Math.max(1, Math.round(delay / 1000))} s`);
    retryTimer = setTimeout(connect, delay);
  }

  function drop(reason) {
    const socket = ws;
    ws = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try { socket.close(4000, reason); } catch { /* already closed */ }
    }
    scheduleReconnect();
  }

  function send(message) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  setInterval(() => {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (performance.now() - lastFrameAt > silenceMs) {
      drop('silent');
      return;
    }
    send({ type: 'ping' });
  }, pingMs);

  window.addEventListener('online', () => {
    if (fatal || (ws && ws.readyState <= WebSocket.OPEN)) return;
    attempt = 0;
    connect();
  });
  window.addEventListener('offline', () => {
    if (!ws) onStatus('reconnecting', 'Offline — waiting for the network');
  });

  return { connect, send, drop };
}
