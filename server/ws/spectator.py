"""The spectator WebSocket: a session's past events, then its live events.

Read-only for spectator-token viewers: anything but `ping` gets an `error` (`read_only`) on
that socket. A signed-in recruiter or admin with rights to the interview
(`server.accounts.access.may_act`; access token in `?access_token=` or the Authorization header)
may also send the recruiter actions `ask`, `approve` and `reject`
(`server.interview.commands`); other signed-in users get `forbidden`. A refused action is an
`error` on that socket only, an accepted one an `ack`.

`staff.*` events go only to staff sockets (`server.accounts.access.sees_staff`: the spectator
token, or a recruiter or admin who may see the interview and is not its candidate); a
signed-in candidate watching its own interview gets the other events, as its own socket does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from server.accounts.access import actor, may_act, sees_staff, spectator_allowed
from server.accounts.identity import signed_in_user
from server.events.catch_up import SubscriberOverflow, follow
from server.events.kinds import for_candidate
from server.interview.commands import CommandBus, parse_action
from server.interview.turns import ActionError
from server.live.manager import SessionManager
from server.store.models import Interview, User
from server.ws.protocol import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_TOO_SLOW,
    PONG,
    ack_reply,
    error_reply,
    origin_allowed,
    reject,
)

log = logging.getLogger(__name__)


class SpectatorControl:
    """What one spectator socket may send besides `ping`, and the replies it gets."""

    def __init__(self, bus: CommandBus, interview: Interview, user: User | None) -> None:
        self.interview_id = interview.id
        self.user = user
        self.can_act = may_act(user, interview)
        self.bus = bus

    async def reply(self, text: str | None) -> str:
        """The reply to a message that is not a ping."""
        if self.user is None:
            return error_reply("read_only",
                          "the spectator socket is read-only (only ping is accepted)")
        if not self.can_act:
            return error_reply("forbidden", "only the interview's recruiters (its creator, invited "
                                       "recruiters) and admins may ask or approve questions")
        msg = None
        if text is not None:
            with contextlib.suppress(ValueError):
                msg = json.loads(text)
        if not isinstance(msg, dict):
            return error_reply("bad_json",
                               "send JSON objects with a type: ping, ask, approve, reject")
        kind = msg.get("type")
        try:
            command = parse_action(msg)
            result = await self.bus.execute(self.interview_id, command, actor(self.user))
        except ActionError as exc:
            extra = {"action": kind} if isinstance(kind, str) else {}
            if isinstance(msg.get("id"), str):
                extra["id"] = msg["id"]
            return error_reply(exc.code, exc.message, **extra)
        except Exception:  # noqa: BLE001 - the socket and the session go on
            log.exception("recruiter action on %s failed", self.interview_id)
            return error_reply("failed", "the action failed", action=kind)
        return ack_reply(kind, **result)


async def spectator_endpoint(websocket: WebSocket) -> None:
    if not origin_allowed(websocket, websocket.app.state.settings.allowed_origins):
        await reject(websocket, CLOSE_FORBIDDEN, "origin not allowed")
        return
    manager: SessionManager = websocket.app.state.sessions
    interview_id = websocket.path_params["interview_id"]
    interview = await asyncio.to_thread(manager.store.get_interview, interview_id)
    if interview is None:
        await reject(websocket, CLOSE_NOT_FOUND, "unknown interview")
        return
    user = await signed_in_user(websocket)
    if not spectator_allowed(websocket, interview, user):
        await reject(websocket, CLOSE_FORBIDDEN, "invalid spectator token")
        return
    control = SpectatorControl(websocket.app.state.commands, interview, user)
    staff = sees_staff(websocket, interview, user)
    try:
        after = max(0, int(websocket.query_params.get("after", 0)))
    except ValueError:
        after = 0
    await websocket.accept()
    stats = websocket.app.state.spectators
    stats.connected += 1
    sub = await manager.broker.subscribe(interview_id)
    sender = asyncio.create_task(_send(websocket, manager, interview_id, sub, after, staff))
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
                await websocket.send_text(PONG)
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
                after: int, staff: bool) -> None:
    async def history(last: int):
        return await manager.history(interview_id, last)

    try:
        obs = websocket.app.state.observability
        async for event in follow(sub, history, after):
            if not staff and not for_candidate(event.type):
                continue
            await websocket.send_text(event.wire_json)
            obs.sent(event, "spectator")
    except SubscriberOverflow:
        if websocket.client_state == WebSocketState.CONNECTED:
            await websocket.close(code=CLOSE_TOO_SLOW,
                                  reason="spectator too slow; reconnect with ?after=")
    except (WebSocketDisconnect, RuntimeError, OSError):
        return
