"""The candidate's WebSocket: media and control in, the session's events out.

A socket replays the session's events after `?after=` (every one, by default), then follows
them live. It takes the session over (a newer socket replaces an older one: 4409 `replaced`);
when it closes without `stop` the session waits for the candidate to come back
(`SessionManager.detach`). Audio is admitted at most `RealTimeBudget` faster than real time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from media.frames import KIND_AUDIO, KIND_VIDEO, FrameError, parse_frame
from media.sink import AudioClosed
from media.webrtc import PeerRegistry
from server.accounts.access import is_candidate_token
from server.accounts.candidate_view import candidate_json, is_practice
from server.events.broker import Subscription
from server.events.catch_up import SubscriberOverflow, follow
from server.events.kinds import State
from server.live.manager import SessionManager
from server.live.session import LiveSession
from server.ops.load import Admission
from server.store.ownership import SessionOwnedElsewhere
from server.ws.messages import MessageError, clip, parse_message, start_rate
from server.ws.protocol import (
    CLOSE_CONFLICT,
    CLOSE_ERROR,
    CLOSE_FORBIDDEN,
    CLOSE_GONE,
    CLOSE_NORMAL,
    CLOSE_NOT_FOUND,
    CLOSE_OVERLOADED,
    CLOSE_RESTART,
    CLOSE_TOO_MANY,
    CLOSE_TOO_SLOW,
    PONG,
    origin_allowed,
    reject,
)

log = logging.getLogger(__name__)

#: audio of one frame is pushed in slices of at most this many seconds, with a yield to the
#: event loop between them (the work per step stays small however large the frame)
AUDIO_SLICE_S = 1.0
#: at most one `too_fast` error this often
TOO_FAST_NOTICE_S = 1.0


class CandidateConnection:
    """Handles one candidate socket of a live session."""

    def __init__(self, websocket: WebSocket, session: LiveSession, manager: SessionManager,
                 peers: PeerRegistry, *, practice: bool = True) -> None:
        self.ws = websocket
        #: the candidate's view: coaching and scores only in practice (`candidate_view`)
        self.practice = practice
        self.session = session
        self.manager = manager
        self.peers = peers
        self.stopped = False
        self.sub: Subscription | None = None
        self._too_fast_at = -1e9

    # -- messages ------------------------------------------------------------------------------
    async def on_text(self, text: str) -> None:
        session = self.session
        try:
            msg = parse_message(text)  # bounded, and `type` is a string
        except MessageError as exc:
            session.error(exc.code, exc.message)
            return
        kind = msg["type"]
        if kind == "start":
            await self.on_start(msg)
        elif kind == "stop":
            await self.on_stop()
        elif kind == "ping":
            await self.reply(PONG)
        elif session.flow is not None and isinstance(kind, str) and session.flow.handles(kind):
            await session.flow.on_message(msg)
        else:
            session.error("unknown_type", f"unknown message type {clip(kind)}")

    async def reply(self, text: str) -> None:
        """A message for this socket only; a socket that can no longer send (the client left,
        or the server closed it, e.g. 1009) ends the receive loop like a disconnect."""
        try:
            await self.ws.send_text(text)
        except (RuntimeError, OSError) as exc:
            raise WebSocketDisconnect(code=1006) from exc

    async def on_start(self, msg: dict) -> None:
        """Start streaming, or resume it after a reconnect (the clock goes on)."""
        session = self.session
        if session.speech.running:
            session.error("already_started", "the stream has already started")
            return
        if session.stopped:
            session.error("stopped", "the stream was stopped")
            return
        try:
            rate = start_rate(msg)
        except MessageError as exc:
            session.error(exc.code, exc.message)
            return
        if self.manager.scheduler.overloaded and not session.speech.started:
            session.error("overloaded", "the transcription backlog is full; try again shortly")
            return
        session.start_audio(rate)

    async def on_stop(self) -> None:
        session = self.session
        if session.stopped:  # flushed once: nothing more to flush
            session.error("stopped", "the stream was already stopped")
            return
        await self.peers.stop_audio(session.id)  # WebRTC audio already received is in
        if session.speech.started:
            await session.speech.flush()
        if session.flow is not None:
            await session.flow.stop()  # evaluates the open answer, then `interview.completed`
        session.stopped = self.stopped = True
        session.emit(State(state="stopped"))

    async def on_bytes(self, data: bytes) -> None:
        session = self.session
        try:
            frame = parse_frame(data)
        except FrameError as exc:
            session.error(exc.code, str(exc))
            return
        if frame.kind == KIND_AUDIO:
            await self.on_audio(frame.payload)
        elif frame.kind == KIND_VIDEO:
            session.video.submit_jpeg(frame.payload)

    async def on_audio(self, pcm: bytes) -> None:
        session = self.session
        if session.stopped:
            session.error("stopped", "the stream was stopped")
            return
        rate = session.audio_rate
        if rate is None:
            session.error("not_started", "send {\"type\": \"start\"} before audio")
            return
        wait = session.audio_budget.admit(len(pcm) / 2 / rate)
        if wait is None:
            now = time.monotonic()
            if now - self._too_fast_at >= TOO_FAST_NOTICE_S:
                self._too_fast_at = now
                session.error("too_fast", "audio is coming faster than real time: send it as "
                                          "it is recorded; audio is being dropped")
            return
        if wait > 0:
            await asyncio.sleep(wait)  # throttled: the socket is read later
        step = 2 * int(rate * AUDIO_SLICE_S)
        try:
            for i in range(0, len(pcm), step):
                if i:
                    await asyncio.sleep(0)
                session.push_audio(pcm[i : i + step])
        except AudioClosed:
            session.error("stopped", "the stream is not taking audio")

    # -- the socket ----------------------------------------------------------------------------
    async def forward_events(self, after: int) -> None:
        """The session's events meant for the candidate with seq > `after`, then live ones."""
        assert self.sub is not None
        manager, session_id = self.manager, self.session.id
        try:
            async for event in follow(self.sub, lambda last: manager.history(session_id, last),
                                      after):
                text = candidate_json(event, self.practice)
                if text is None:
                    continue
                await self.ws.send_text(text)
                self.ws.app.state.observability.sent(event, "candidate")
        except SubscriberOverflow:
            await self.close(CLOSE_TOO_SLOW, "slow client too slow; reconnect with after=")
        except (WebSocketDisconnect, RuntimeError, OSError):
            return  # the socket is gone; the receive loop ends

    async def close(self, code: int, reason: str, drain_s: float = 0.0) -> None:
        """Close the socket with `code`, after at most `drain_s` for the events queued."""
        deadline = asyncio.get_running_loop().time() + drain_s
        while (self.sub is not None and not self.sub.queue.empty()
               and asyncio.get_running_loop().time() < deadline):
            await asyncio.sleep(0.02)
        if self.ws.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.ws.close(code=code, reason=reason)


def _after(websocket: WebSocket) -> int:
    try:
        return max(0, int(websocket.query_params.get("after", 0)))
    except ValueError:
        return 0


async def candidate_endpoint(websocket: WebSocket) -> None:
    app = websocket.app
    manager: SessionManager = app.state.sessions
    peers: PeerRegistry = app.state.peers
    interview_id = websocket.path_params["interview_id"]
    settings = app.state.settings
    if not origin_allowed(websocket, settings.allowed_origins):
        await reject(websocket, CLOSE_FORBIDDEN, "origin not allowed")
        return
    if interview_id not in manager.live:
        # a new session: decided from the last load readings, before any database read, so
        # a full node answers at once
        admission: Admission = app.state.admission
        decision = admission.decide(admission.load(len(manager.live),
                                                   manager.scheduler.backlog_s))
        if not decision.admitted:
            await reject(websocket, CLOSE_OVERLOADED, f"busy retry={decision.retry_after_s} "
                         f"the server is at capacity ({decision.reason})")
            return
    interview = await asyncio.to_thread(manager.store.get_interview, interview_id)
    if interview is None:
        await reject(websocket, CLOSE_NOT_FOUND, "unknown interview")
        return
    if not is_candidate_token(websocket.query_params.get("token"), interview):
        await reject(websocket, CLOSE_FORBIDDEN, "invalid token")
        return
    if manager.draining:
        await reject(websocket, CLOSE_OVERLOADED, "busy retry=2 the server is restarting")
        return
    if interview_id not in manager.live and interview.status not in ("pending", "live"):
        await reject(websocket, CLOSE_GONE, f"ended the interview is {interview.status}")
        return
    ip = websocket.client.host if websocket.client else ""
    if interview_id not in manager.live and \
            sum(s.client_ip == ip for s in manager.live.values()) >= settings.live_sessions_per_ip:
        await reject(websocket, CLOSE_TOO_MANY,
                     "too_many retry=30 too many live interviews from your address")
        return
    try:
        session = await manager.open(interview_id)
    except SessionOwnedElsewhere as exc:
        await reject(websocket, CLOSE_CONFLICT, f"elsewhere the interview is live on node {exc}")
        return
    await websocket.accept()
    session.client_ip = ip
    conn = CandidateConnection(websocket, session, manager, peers,
                               practice=is_practice(interview))
    conn.sub = manager.broker.subscribe_local(interview_id)
    previous = session.connection
    if isinstance(previous, CandidateConnection):  # another tab, or a dead connection
        await session.suspend("replaced")  # its audio stops; this socket `start`s again
        await peers.close(interview_id)
        await previous.close(CLOSE_CONFLICT, "replaced by a newer connection")
    manager.attach(session, conn)
    ready = session.emit(State(state="ready", audio_s=round(session.speech.t, 3)))
    # this socket's own greeting, before the replay: which `ready` is its own (a replay holds
    # earlier sockets' too), how much audio the session has, how long a drop may last
    await websocket.send_text(json.dumps({
        "type": "hello", "ready_seq": ready.seq, "audio_s": ready.data["audio_s"],
        "grace_s": manager.resume_grace_s}))
    sender = asyncio.create_task(conn.forward_events(_after(websocket)))
    failed = False
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                await conn.on_bytes(message["bytes"])
            elif message.get("text") is not None:
                await conn.on_text(message["text"])
    except WebSocketDisconnect:
        pass
    except Exception:  # noqa: BLE001 - one broken session must not affect the others
        log.exception("candidate socket of %s failed", interview_id)
        failed = True
    finally:
        if session.connection is conn:  # not replaced, not handed over by a shutdown
            await peers.close(interview_id)
            if conn.stopped:
                await manager.close(session, completed=True)
            else:
                await manager.detach(session)
        # let the sender drain what the flush produced, then stop it
        await asyncio.sleep(0)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        conn.sub.close()
        await conn.close(CLOSE_ERROR if failed else CLOSE_NORMAL, "")


async def hand_over(manager: SessionManager) -> int:
    """Shutdown: drain the live sessions (`SessionManager.drain`), deliver what that produced
    to their candidates and close their sockets with 1012 so that they reconnect."""
    connections = [s.connection for s in manager.live.values()
                   if isinstance(s.connection, CandidateConnection)]
    await manager.drain()
    for conn in connections:
        await conn.close(CLOSE_RESTART, "restart the server is restarting", drain_s=2.0)
    return len(connections)
