"""The spectator WebSocket: a session's past events, then its live events; read-only."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server.catch_up import SubscriberOverflow, follow
from server.sessions import SessionManager
from server.ws_candidate import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, reject

log = logging.getLogger(__name__)


async def spectator_allowed(websocket: WebSocket, interview) -> bool:
    """The interview's spectator token, or a signed-in user with rights to watch it."""
    token = websocket.query_params.get("token", "")
    if token and token == interview.spectator_token:
        return True
    try:
        from server.auth import user_can_watch
    except ImportError:  # accounts not installed
        return False
    return await user_can_watch(websocket, interview)


async def spectator_endpoint(websocket: WebSocket) -> None:
    manager: SessionManager = websocket.app.state.sessions
    interview_id = websocket.path_params["interview_id"]
    interview = await asyncio.to_thread(manager.store.get_interview, interview_id)
    if interview is None:
        await reject(websocket, CLOSE_NOT_FOUND, "unknown interview")
        return
    if not await spectator_allowed(websocket, interview):
        await reject(websocket, CLOSE_FORBIDDEN, "invalid spectator token")
        return
    try:
        after = max(0, int(websocket.query_params.get("after", 0)))
    except ValueError:
        after = 0
    await websocket.accept()
    stats = websocket.app.state.spectators
    stats.connected += 1
    sub = await manager.broker.subscribe(interview_id)
    sender = asyncio.create_task(_send(websocket, manager, interview_id, sub, after))
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            kind = None
            if text is not None:
                with contextlib.suppress(ValueError, AttributeError):
                    kind = json.loads(text).get("type")
            if kind == "ping":
                await websocket.send_text('{"type": "pong"}')
            else:
                await websocket.send_text(json.dumps({
                    "type": "error", "code": "read_only",
                    "message": "the spectator socket is read-only (only ping is accepted)",
                }))
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        stats.connected -= 1
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        sub.close()


async def _send(websocket: WebSocket, manager: SessionManager, interview_id: str, sub,
                after: int) -> None:
    async def history(last: int):
        return await manager.history(interview_id, last)

    try:
        obs = websocket.app.state.observability
        async for event in follow(sub, history, after):
            await websocket.send_text(event.wire_json)
            obs.sent(event, "spectator")
    except SubscriberOverflow:
        if websocket.client_state == WebSocketState.CONNECTED:
            await websocket.close(code=1013, reason="spectator too slow; reconnect with ?after=")
    except (WebSocketDisconnect, RuntimeError, OSError):
        return
