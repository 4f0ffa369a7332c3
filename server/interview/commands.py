"""Recruiter actions from the spectator socket, routed to the node that runs the session.

A signed-in recruiter or admin with rights to an interview (`server.accounts.access.may_act`)
may send, on the spectator socket, `ask` (their own question), `approve` and `reject` (a
follow-up waiting for approval). `parse_action` checks the message's shape;
`CommandBus.execute` applies it to the session's `InterviewFlow` (its `staff` desk):

* the session is live on this node: the flow is called directly;
* else, with Redis: the node named by `owner:{id}` (`server.store.ownership`) is sent the
  command on its own pub/sub channel `commands:node:{node_id}`; it applies the command and
  publishes the result on the requester's channel. No owner, an owner that no longer listens
  (`PUBLISH` reaches no subscriber) or no reply within `reply_timeout_s` is `not_live`;
* else (one node, the session is not here): `not_live`.

Every refusal is an `ActionError(code, message)`; the spectator socket turns it into an
`error` message on that socket only. The events a command produces (`staff.question_queued`,
`staff.follow_up_approved`, a `question`...) go through the session's stream as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from typing import Any

import redis.asyncio as aioredis

from server.interview.turns import ActionError, clean_action_text
from server.live.manager import SessionManager
from server.store.ownership import owner_key

log = logging.getLogger(__name__)

ACTIONS = frozenset({"ask", "approve", "reject"})
REPLY_TIMEOUT_S = 3.0


def parse_action(msg: dict[str, Any]) -> dict[str, Any]:
    """The command of a spectator message ({"type": "ask" | "approve" | "reject", ...});
    ActionError for an unknown type, a bad id or text. State checks are the flow's."""
    kind = msg.get("type")
    if kind not in ACTIONS:
        raise ActionError("unknown_type", f"unknown message type {kind!r} (expected ping, "
                                          "ask, approve or reject)")
    if kind == "ask":
        return {"type": "ask", "text": clean_action_text(msg.get("text"))}
    follow_up_id = msg.get("id")
    if not isinstance(follow_up_id, str) or not follow_up_id or len(follow_up_id) > 100:
        raise ActionError("bad_id", "id must be the id of a staff.follow_up_pending event")
    command: dict[str, Any] = {"type": kind, "id": follow_up_id}
    if kind == "approve" and msg.get("text") is not None:
        command["text"] = clean_action_text(msg.get("text"))
    return command


def apply(manager: SessionManager, interview_id: str, command: dict[str, Any],
          by: dict[str, Any]) -> dict[str, Any]:
    """Apply a command to a session live on this node; its result or ActionError."""
    session = manager.live.get(interview_id)
    if session is None:
        raise ActionError("not_live", "the interview is not live")
    flow = session.flow
    if flow is None:
        raise ActionError("no_plan", "this interview has no question plan (free practice)")
    kind = command.get("type")
    if kind == "ask":
        return flow.staff.ask(command.get("text"), by)
    if kind == "approve":
        return flow.staff.approve(command.get("id"), by, command.get("text"))
    if kind == "reject":
        return flow.staff.reject(command.get("id"), by)
    raise ActionError("unknown_type", f"unknown action {kind!r}")


def node_channel(node_id: str) -> str:
    return f"commands:node:{node_id}"


class CommandBus:
    """Runs recruiter actions on the node that owns the session (see the module docstring)."""

    def __init__(self, manager: SessionManager, node_id: str = "", redis_url: str = "",
                 reply_timeout_s: float = REPLY_TIMEOUT_S) -> None:
        self.manager = manager
        self.node_id = node_id
        self.redis_url = redis_url
        self.reply_timeout_s = reply_timeout_s
        self.redis: aioredis.Redis | None = None
        self._pubsub = None
        self._listener: asyncio.Task | None = None
        self._waiting: dict[str, asyncio.Future] = {}
        self._serving: set[asyncio.Task] = set()

    @property
    def channel(self) -> str:
        return node_channel(self.node_id)

    async def start(self) -> None:
        if not self.redis_url:
            return
        self.redis = aioredis.from_url(self.redis_url)
        self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(self.channel)
        self._listener = asyncio.create_task(self._listen())

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        if self._serving:
            await asyncio.gather(*list(self._serving), return_exceptions=True)
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(ActionError("not_live", "this node is shutting down"))
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        if self.redis is not None:
            await self.redis.aclose()

    # -- sending ------------------------------------------------------------------------------
    async def execute(self, interview_id: str, command: dict[str, Any],
                      by: dict[str, Any]) -> dict[str, Any]:
        """Apply `command` wherever the session runs; its result, or ActionError."""
        if interview_id in self.manager.live or self.redis is None:
            return apply(self.manager, interview_id, command, by)
        owner = await self.redis.get(owner_key(interview_id))
        owner = owner.decode() if isinstance(owner, bytes) else owner
        if not owner or owner == self.node_id:
            raise ActionError("not_live", "the interview is not live")
        request_id = secrets.token_hex(8)
        future = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        try:
            message = json.dumps({"kind": "request", "request_id": request_id,
                                  "reply_to": self.channel, "interview_id": interview_id,
                                  "command": command, "by": by})
            if not await self.redis.publish(node_channel(owner), message):
                raise ActionError("not_live", "the node running the interview is gone")
            try:
                reply = await asyncio.wait_for(future, self.reply_timeout_s)
            except TimeoutError:
                raise ActionError("not_live", f"node {owner} did not answer in time") from None
        finally:
            self._waiting.pop(request_id, None)
        if reply.get("ok"):
            return reply.get("result") or {}
        raise ActionError(str(reply.get("code") or "failed"), str(reply.get("message") or ""))

    # -- receiving ----------------------------------------------------------------------------
    async def _listen(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep listening after a Redis hiccup
                log.exception("reading %s failed; retrying", self.channel)
                await asyncio.sleep(1.0)
                continue
            if message is None or message.get("type") != "message":
                continue
            try:
                data = json.loads(message["data"])
            except (TypeError, ValueError):
                log.warning("ignoring a malformed command message on %s", self.channel)
                continue
            if not isinstance(data, dict):
                continue
            if data.get("kind") == "reply":
                future = self._waiting.get(str(data.get("request_id")))
                if future is not None and not future.done():
                    future.set_result(data)
            elif data.get("kind") == "request":
                task = asyncio.create_task(self._serve(data))
                self._serving.add(task)
                task.add_done_callback(self._serving.discard)

    async def _serve(self, request: dict[str, Any]) -> None:
        """Apply another node's command to a session of this node and publish the result."""
        reply: dict[str, Any] = {"kind": "reply", "request_id": request.get("request_id")}
        command, by = request.get("command"), request.get("by")
        try:
            if not isinstance(command, dict) or not isinstance(by, dict):
                raise ActionError("bad_command", "malformed command")
            result = apply(self.manager, str(request.get("interview_id")), command, by)
            reply.update(ok=True, result=result)
        except ActionError as exc:
            reply.update(ok=False, code=exc.code, message=exc.message)
        except Exception:  # noqa: BLE001 - the requester gets an error, this node goes on
            log.exception("applying a command to %s failed", request.get("interview_id"))
            reply.update(ok=False, code="failed", message="the action failed")
        reply_to = request.get("reply_to")
        if isinstance(reply_to, str) and reply_to and self.redis is not None:
            try:
                await self.redis.publish(reply_to, json.dumps(reply))
            except Exception:  # noqa: BLE001 - the requester times out with not_live
                log.exception("replying to %s failed", reply_to)
