"""The candidate's WebSocket: media and control in, the session's events out."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from media.frames import KIND_AUDIO, KIND_VIDEO, FrameError, parse_frame
from media.pcm import MAX_RATE, MIN_RATE
from media.sink import AudioClosed
from media.webrtc import PeerRegistry
from server.events.broker import Subscription
from server.events.kinds import State, for_candidate
from server.live.manager import SessionManager
from server.live.session import LiveSession
from server.store.ownership import SessionOwnedElsewhere
from server.ws.protocol import (
    CLOSE_CONFLICT,
    CLOSE_FORBIDDEN,
    CLOSE_GONE,
    CLOSE_NOT_FOUND,
    CLOSE_TOO_SLOW,
    PONG,
    reject,
)

log = logging.getLogger(__name__)


async def forward_events(websocket: WebSocket, sub: Subscription) -> None:
    """Send each event of the subscription meant for the candidate to the socket, in order."""
    try:
        while True:
            event = await sub.get()
            if event is None:
                await websocket.close(code=CLOSE_TOO_SLOW, reason="client too slow; reconnect")
                return
            if not for_candidate(event.type):
                continue
            await websocket.send_text(event.wire_json)
            websocket.app.state.observability.sent(event, "candidate")
    except (WebSocketDisconnect, RuntimeError, OSError):
        return  # the socket is gone; the receive loop ends the session


class CandidateConnection:
    """Handles one candidate socket of a live session."""

    def __init__(self, websocket: WebSocket, session: LiveSession, manager: SessionManager,
                 peers: PeerRegistry) -> None:
        self.ws = websocket
        self.session = session
        self.manager = manager
        self.peers = peers
        self.stopped = False

    async def on_text(self, text: str) -> None:
        session = self.session
        try:
            msg = json.loads(text)
        except json.JSONDecodeError as exc:
            session.error("bad_json", f"text frames must be JSON objects: {exc.msg}")
            return
        if not isinstance(msg, dict):
            session.error("bad_json", "text frames must be JSON objects")
            return
        kind = msg.get("type")
        if kind == "start":
            await self.on_start(msg)
        elif kind == "stop":
            await self.on_stop()
        elif kind == "ping":
            await self.ws.send_text(PONG)
        elif session.flow is not None and session.flow.handles(kind):
            await session.flow.on_message(msg)
        else:
            session.error("unknown_type", f"unknown message type {kind!r}")

    async def on_start(self, msg: dict) -> None:
        session = self.session
        if session.speech.started:
            session.error("already_started", "the stream has already started")
            return
        audio = msg.get("audio") or {}
        rate = audio.get("sample_rate") if isinstance(audio, dict) else None
        if not isinstance(rate, int) or isinstance(rate, bool) or not MIN_RATE <= rate <= MAX_RATE:
            session.error(
                "bad_start", f"audio.sample_rate must be an integer {MIN_RATE}..{MAX_RATE}"
            )
            return
        if self.manager.scheduler.overloaded:
            session.error("overloaded", "the transcription backlog is full; try again shortly")
            return
        session.start_audio(rate)

    async def on_stop(self) -> None:
        session = self.session
        await self.peers.stop_audio(session.id)  # WebRTC audio already received is in
        if session.speech.started:
            await session.speech.flush()
        if session.flow is not None:
            await session.flow.stop()  # evaluates the open answer, then `interview.completed`
        session.stopped = self.stopped = True
        session.emit(State(state="stopped"))

    def on_bytes(self, data: bytes) -> None:
        session = self.session
        try:
            frame = parse_frame(data)
        except FrameError as exc:
            session.error(exc.code, str(exc))
            return
        if frame.kind == KIND_AUDIO:
            if not session.speech.started:
                session.error("not_started", "send {\"type\": \"start\"} before audio")
                return
            if session.stopped:
                session.error("stopped", "the stream was stopped")
                return
            try:
                session.push_audio(frame.payload)
            except AudioClosed:
                session.error("stopped", "the stream was stopped")
        elif frame.kind == KIND_VIDEO:
            session.video.submit_jpeg(frame.payload)


async def candidate_endpoint(websocket: WebSocket) -> None:
    app = websocket.app
    manager: SessionManager = app.state.sessions
    interview_id = websocket.path_params["interview_id"]
    token = websocket.query_params.get("token", "")
    interview = await asyncio.to_thread(manager.store.get_interview, interview_id)
    if interview is None:
        await reject(websocket, CLOSE_NOT_FOUND, "unknown interview")
        return
    if not token or token != interview.candidate_token:
        await reject(websocket, CLOSE_FORBIDDEN, "invalid token")
        return
    live = manager.live.get(interview_id)
    if live is not None and live.candidate_connected:
        await reject(websocket, CLOSE_CONFLICT, "a candidate is already connected")
        return
    if live is None and interview.status not in ("pending", "live"):
        await reject(websocket, CLOSE_GONE, f"interview is {interview.status}")
        return
    try:
        session = await manager.open(interview_id)
    except SessionOwnedElsewhere as exc:
        await reject(websocket, CLOSE_CONFLICT, f"the interview is live on node {exc}")
        return
    await websocket.accept()
    session.candidate_connected = True
    sub = manager.broker.subscribe_local(interview_id)
    sender = asyncio.create_task(forward_events(websocket, sub))
    peers: PeerRegistry = app.state.peers
    conn = CandidateConnection(websocket, session, manager, peers)
    session.emit(State(state="ready"))
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                conn.on_bytes(message["bytes"])
            elif message.get("text") is not None:
                await conn.on_text(message["text"])
    except WebSocketDisconnect:
        pass
    except Exception:  # noqa: BLE001 - one broken session must not affect the others
        log.exception("candidate socket of %s failed", interview_id)
    finally:
        session.candidate_connected = False
        await peers.close(interview_id)
        await manager.close(session, completed=conn.stopped)
        # let the sender drain what the flush produced, then stop it
        await asyncio.sleep(0)
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        sub.close()
        if websocket.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await websocket.close()
