/*
 * The room's connection to its interview, kept alive. connect() opens a transport
 * (transports.js) with ?after= the last seq the page has seen; once that socket's
 * `state: ready` has come, hooks.onReady(transport, ready) begins (the server sends the
 * missed events first, so that `ready` is always the socket's own).
 *
 * A socket that closes while the interview goes on is a drop: the session waits
 * RESUME_GRACE_S for the candidate (docs/protocol.md), so the room reconnects by itself,
 * 0.5 s doubling to 5 s, until the grace period is over (hooks.onGiveUp). Close codes:
 *
 *   1000 (no `stop` sent), 1001, 1005, 1006, 1011, 1012 restart,   reconnect
 *   1013 too slow, 4409 `elsewhere`
 *   4503 busy `retry=N`                                            reconnect after N s
 *   4403 bad link or origin, 4404 unknown, 4409 `replaced`,        final: hooks.onFatal(why)
 *   4410 ended, 4429 too many, anything else
 *
 * No frame for SILENCE_MS (the room pings every PING_MS) or the browser going offline count
 * as a drop; coming back online retries at once.
 */

import { backoffDelay } from '../shared/socket.js';
import { room } from './state.js';
import { openTransport } from './transports.js';

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 5000;
const PING_MS = 5000;
const SILENCE_MS = 15000;
const OPEN_TIMEOUT_MS = 8000; // a socket that takes longer to open is given up
const RETRY_CODES = new Set([1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 4000, 4503]);

/** What a close means: {retry: true, waitMs} or {retry: false, why}, `why` being 'ended',
 * 'invalid', 'replaced', 'too_many' or 'closed'. */
export function closeOutcome(code, reason = '') {
  const word = String(reason || '').trim().split(/\s+/)[0].toLowerCase();
  if (code === 4409) return word === 'elsewhere' ? { retry: true, waitMs: 0 } : { retry: false, why: 'replaced' };
  if (code === 4503) {
    const wait = /retry=(\d+)/.exec(reason || '');
    return { retry: true, waitMs: wait ? Number(wait[1]) * 1000 : 0 };
  }
  if (RETRY_CODES.has(code)) return { retry: true, waitMs: 0 };
  if (code === 4410) return { retry: false, why: 'ended' };
  if (code === 4403 || code === 4404) return { retry: false, why: 'invalid' };
  if (code === 4429) return { retry: false, why: 'too_many' };
  return { retry: false, why: 'closed' };
}

let hooks = null; // {onEvent, onReady, onLost, onBusy, onFatal, onGiveUp}
let current = null; // the connection being opened or open: {transport, closes, lost, heardAt}
let outage = null; // {since, attempt, timer} from a drop until a socket is ready again

/** Set the hooks, once; also watches the network and the socket's silence. */
export function initConnection(h) {
  const first = !hooks;
  hooks = h;
  if (!first) return;
  window.addEventListener('offline', () => dropConnection('offline'));
  window.addEventListener('online', () => {
    if (!outage || (current && !current.lost)) return; // no drop, or an attempt under way
    clearTimeout(outage.timer);
    outage.attempt = 0;
    connect();
  });
  setInterval(() => {
    const conn = current;
    if (!conn || conn.lost || !conn.transport) return;
    if (performance.now() - conn.heardAt > SILENCE_MS) lose(conn, { code: 1006, reason: 'silent' });
    else if (typeof conn.transport.ping === 'function') conn.transport.ping();
  }, PING_MS);
}

/** Open a transport; on a drop or a refusal, retry (see above). */
export async function connect() {
  if (outage) clearTimeout(outage.timer);
  const conn = { transport: null, closes: [], lost: false, heardAt: performance.now() };
  current = conn;
  room.connection = outage ? 'reconnecting' : 'connecting';
  let transport = null;
  try {
    transport = await openTransport({
      openTimeoutMs: OPEN_TIMEOUT_MS,
      interviewId: room.interviewId,
      token: room.token,
      sampleRate: room.audioContext.sampleRate,
      stream: room.stream,
      after: () => room.lastSeq,
      autoBegin: false,
      onEvent(event) {
        if (current !== conn) return; // a late frame of a socket given up
        conn.heardAt = performance.now();
        hooks.onEvent(event);
      },
      onClose(info) {
        conn.closes.push(info);
        if (conn.transport) lose(conn, info); // else: judged below, once openTransport is done
      },
    });
  } catch (err) {
    console.debug('room: could not connect', err);
  }
  if (current !== conn || conn.lost) {
    if (transport) transport.close(4000, 'superseded');
    return;
  }
  // a socket of this attempt refused for good, or the one returned already closed
  const fatal = conn.closes.find((c) => !closeOutcome(c.code, c.reason).retry);
  if (!transport || fatal || transport.open === false) {
    if (transport) transport.close(4000, 'superseded');
    lose(conn, fatal || conn.closes[conn.closes.length - 1] || { code: 1006, reason: 'no connection' });
    return;
  }
  conn.transport = transport;
  room.transport = transport;
  const ready = transport.ready ? await transport.ready : {}; // a transport without one: now
  if (current !== conn || conn.lost) return;
  if (!ready) {
    lose(conn, conn.closes[conn.closes.length - 1] || { code: 1006, reason: 'closed before ready' });
    return;
  }
  outage = null;
  room.connection = 'open';
  room.connects++;
  hooks.onReady(transport, ready);
}

/** The connection `conn` is gone (`info`: {code, reason}): reconnect, or end. */
function lose(conn, info) {
  if (conn.lost) return;
  conn.lost = true;
  if (conn.transport) conn.transport.close(4000, 'reconnecting'); // its own close is ignored
  if (current !== conn) return;
  room.lastClose = { code: info.code, reason: info.reason || '' };
  console.debug('room: connection closed', room.lastClose);
  if (room.phase === 'ended' || room.phase === 'idle') return;
  if (room.phase === 'stopping' && room.serverState === 'stopped') return; // the normal end
  const outcome = closeOutcome(info.code, info.reason);
  if (!outcome.retry) {
    room.connection = 'closed';
    hooks.onFatal(outcome.why);
    return;
  }
  if (!outage) {
    outage = { since: performance.now(), attempt: 0, timer: 0 };
    room.reconnects++;
    hooks.onLost();
  }
  if (info.code === 4503 && hooks.onBusy) hooks.onBusy(Math.round(outcome.waitMs / 1000));
  const left = outage.since + room.graceMs - performance.now();
  if (left <= 0) {
    room.connection = 'closed';
    outage = null;
    hooks.onGiveUp();
    return;
  }
  room.connection = 'reconnecting';
  const delay = Math.max(outcome.waitMs, backoffDelay(outage.attempt++, BACKOFF_MIN_MS, BACKOFF_MAX_MS));
  outage.timer = setTimeout(connect, Math.min(left, delay));
}

/** A drop now, as if the network had gone (the `offline` event; a test hook). */
export function dropConnection(reason = 'dropped') {
  const conn = current;
  if (conn && conn.transport && !conn.lost) lose(conn, { code: 1006, reason });
}

/** The interview is over: no more reconnects; close the transport. */
export function closeConnection(code = 1000, reason = 'interview ended') {
  if (outage) clearTimeout(outage.timer);
  outage = null;
  const conn = current;
  current = null;
  room.connection = 'closed';
  if (!conn) return;
  conn.lost = true;
  if (conn.transport) conn.transport.close(code, reason);
}
