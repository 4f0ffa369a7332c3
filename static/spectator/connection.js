/*
 * The spectator's one WebSocket: /ws/interviews/{id}/spectate?token=...&after=SEQ
 * [&access_token=...]. The server sends the session's past events (catch-up), then its live
 * events, each once and in `seq` order; a reconnect resumes with after=lastSeq (see
 * shared/socket.js for when it reconnects). 44xx closes (bad id or token) are final.
 */

import { closeText } from '../shared/close-codes.js';
import { setStatus } from '../shared/dom.js';
import { createReconnectingSocket, socketUrl } from '../shared/socket.js';
import { toast } from '../shared/toast.js';
import { spectator } from './state.js';

let socket = null;

function url() {
  return socketUrl(`/ws/interviews/${encodeURIComponent(spectator.interviewId)}/spectate`, {
    token: spectator.token,
    after: spectator.lastSeq,
    access_token: spectator.accessToken || undefined,
  });
}

/** Connect; every message (events and replies) goes to `onMessage`. */
export function openConnection(onMessage) {
  socket = createReconnectingSocket({
    url,
    onMessage,
    label: 'spectator',
    onOpen: () => { spectator.connects++; },
    onClose: (code) => { spectator.closes.push(code); },
    onStatus: setStatus,
    onFatal: (code, reason) => {
      toast(`closed ${code}`, closeText(code, reason || `Closed (${code}).`, 'spectator link'), 'error', 0);
    },
  });
  socket.connect();
}

/** Send a message on the socket; false when it is not open. */
export const send = (message) => (socket ? socket.send(message) : false);

/** Simulate a network drop (tests): forget the socket and reconnect. */
export function dropConnection() {
  if (socket) socket.drop('test drop');
}
