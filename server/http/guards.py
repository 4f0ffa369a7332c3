"""The endpoints' guards: the password hasher's own thread pool, built from the settings.

`GuardsMiddleware` hands them to every request (`guards(request)`) and closes them when the app
shuts down.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.accounts.passwords import PasswordHasher
from server.config import Settings

SCOPE_KEY = "interview.guards"


class Guards:
    def __init__(self, settings: Settings) -> None:
        self.passwords = PasswordHasher(settings.bcrypt_rounds, settings.bcrypt_threads)

    def close(self) -> None:
        self.passwords.close()


def guards(conn: HTTPConnection) -> Guards:
    return conn.scope[SCOPE_KEY]


class GuardsMiddleware:
    """Puts the app's `Guards` into every request's scope; closes them after the lifespan."""

    def __init__(self, app: ASGIApp, guards: Guards) -> None:
        self.app = app
        self.guards = guards

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            scope[SCOPE_KEY] = self.guards
            await self.app(scope, receive, send)
            return

        async def closing_send(message: Message) -> None:
            await send(message)
            if message["type"].startswith("lifespan.shutdown."):
                self.guards.close()

        await self.app(scope, receive, closing_send)
