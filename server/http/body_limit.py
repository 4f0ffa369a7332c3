"""`BodyLimit`: an ASGI middleware that refuses HTTP request bodies over `max_bytes` with 413
`too_large`, before reading them when Content-Length says so, and while reading them when it
does not (chunked): the application never receives, and nothing buffers, more than the limit.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import ApiError


def too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "too_large", f"the request body is over {max_bytes} bytes")


class BodyTooLarge(ApiError):
    """Raised by the receive of a request whose body grew past the limit."""


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _respond(scope, send, too_large(self.max_bytes))
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    err = too_large(self.max_bytes)
                    raise BodyTooLarge(err.status, err.code, err.message)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge as exc:  # the app let it through: answer it here
            if started:
                raise
            await _respond(scope, send, exc)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _respond(scope: Scope, send: Send, error: ApiError) -> None:
    response = error.response()
    # the rest of the body is not read: the connection cannot be reused
    response.headers["Connection"] = "close"
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
