"""The spectator WebSocket: a session's past events, then its live events.

Read-only for spectator-token viewers: anything but `ping` gets an `error` (`read_only`) on
that socket. A signed-in recruiter or admin with rights to the interview (`server.commands.
may_act`; access token in `?access_token=` or the Authorization header) may also send the
recruiter actions `ask`, `approve` and `reject` (`server.commands`); other signed-in users get
`forbidden`. A refused action is an `error` on that socket only, an accepted one an `ack`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server.catch_up import SubscriberOverflow, follow
from server.commands import ActionError, CommandBus, actor, may_act, parse_action
from server.sessions import SessionManager
from server.ws_candidate import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, reject

log = logging.getLogger(__name__)


async def signed_in_user(websocket: WebSocket):
    """The user of the socket's access token; None when anonymous or the token is not valid
    (a spectator token still lets such a socket watch, read-only)."""
    try:
        from server.auth import ApiError, current_user
    except ImportError:  # accounts not installed
        return None
    try:
        return await current_user(websocket)
    except ApiError:
        return None


async def spectator_allowed(websocket: WebSocket, interview, user=None) -> bool:
    """The interview's spectator token, or a signed-in user with rights to watch it."""
    token = websocket.query_params.get("token", "")
    if token and token == interview.spectator_token:
        return True
    try:
        from server.auth import can_view
    except ImportError:  # accounts not installed
        return False
    return can_view(user, interview)


def _error(code: str, message: str, **extra) -> str:
    return json.dumps({"type": "error", "code": code, "message": message, **extra})


class SpectatorControl:
    """What one spectator socket may send besides `ping`, and the replies it gets."""

    def __init__(self, websocket: WebSocket, interview, user) -> None:
        self.interview_id = interview.id
        self.user = user
        self.can_act = may_act(user, interview)
        self.websocket = websocket

    def bus(self) -> CommandBus:
        state = self.websocket.app.state
        bus = getattr(state, "commands", None)
        if bus is None:  # the app's lifespan normally sets it up; this one is local-only
            bus = state.commands = CommandBus(state.sessions)
        return bus

    async def reply(self, text: str | None) -> str:
        """The reply to a message that is not a ping."""
        if self.user is None:
            return _error("read_only",
                          "the spectator socket is read-only (only ping is accepted)")
        if not self.can_act:
            return _error("forbidden", "only the interview's recruiters (its creator, invited "
                                       "recruiters) and admins may ask or approve questions")
        msg = None
        if text is not None:
            with contextlib.suppress(ValueError):
                msg = json.loads(text)
        if not isinstance(msg, dict):
            return _error("bad_json", "send JSON objects with a type: ping, ask, approve, reject")
        kind = msg.get("type")
        try:
            command = parse_action(msg)
            result = await self.bus().execute(self.interview_id, command, actor(self.user))
        except ActionError as exc:
            extra = {"action": kind} if isinstance(kind, str) else {}
            if isinstance(msg.get("id"), str):
                extra["id"] = msg["id"]
            return _error(exc.code, exc.message, **extra)
        except Exception:  # noqa: BLE001 - the socket and the session go on
            log.exception("recruiter action on %s failed", self.interview_id)
            return _error("failed", "the action failed", action=kind)
        return json.dumps({"type": "ack", "action": kind, **result})


async def spectator_endpoint(websocket: WebSocket) -> None:
    manager: SessionManager = websocket.app.state.sessions
    interview_id = websocket.path_params["interview_id"]
    interview = await asyncio.to_thread(manager.store.get_interview, interview_id)
    if interview is None:
        await reject(websocket, CLOSE_NOT_FOUND, "unknown interview")
        return
    user = await signed_in_user(websocket)
    if not await spectator_allowed(websocket, interview, user):
        await reject(websocket, CLOSE_FORBIDDEN, "invalid spectator token")
        return
    control = SpectatorControl(websocket, interview, user)
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
                await websocket.send_text(await control.reply(text))
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
