"""The sockets' shared protocol: close codes, refusing a socket, and the replies that are not
session events (`pong`, `error` and `ack` on one socket only). `docs/protocol.md` is the
contract."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket

CLOSE_NORMAL = 1000
CLOSE_TOO_BIG = 1009  # a message over the size limit (uvicorn closes the socket)
CLOSE_ERROR = 1011  # the server failed on this socket (logged): reconnect
CLOSE_RESTART = 1012  # the server restarts: reconnect
CLOSE_TOO_SLOW = 1013  # the client fell too far behind the live events: reconnect
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_CONFLICT = 4409
CLOSE_GONE = 4410
CLOSE_TOO_MANY = 4429
CLOSE_OVERLOADED = 4503

PONG = json.dumps({"type": "pong"})


def _origin(value: str) -> str:
    return value.strip().rstrip("/").lower()


def origin_allowed(conn: HTTPConnection, allowed: list[str]) -> bool:
    """Whether a socket's `Origin` may connect: none (not a browser), the server's own
    (the request's scheme and Host), or one of `allowed` (ALLOWED_ORIGINS; "*" = any). A page
    of another site cannot then use a visitor's token on the visitor's behalf."""
    origin = conn.headers.get("origin")
    if origin is None:
        return True
    origin = _origin(origin)
    if "*" in allowed:
        return True
    host = conn.headers.get("host", "")
    scheme = "https" if conn.url.scheme in ("wss", "https") else "http"
    if host and origin == _origin(f"{scheme}://{host}"):
        return True
    return origin in {_origin(a) for a in allowed}


async def reject(websocket: WebSocket, code: int, reason: str) -> None:
    """Accept then close with an application code, so the client can read why."""
    await websocket.accept()
    await websocket.close(code=code, reason=reason)


def error_reply(code: str, message: str, **extra: Any) -> str:
    """An `error` for this socket only (not a session event: no seq)."""
    return json.dumps({"type": "error", "code": code, "message": message, **extra})


def ack_reply(action: object, **result: Any) -> str:
    return json.dumps({"type": "ack", "action": action, **result})
