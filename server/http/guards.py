"""The endpoints' guards: the rate limits of logins, registrations and anonymous interviews,
and the password hasher's own thread pool, built from the settings.

`GuardsMiddleware` hands them to every request (`guards(request)`) and closes them when the app
shuts down. A client's address is `request.client.host`: behind a reverse proxy, let uvicorn
take it from `X-Forwarded-For` (`FORWARDED_ALLOW_IPS` = the proxy's address).
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.accounts.passwords import PasswordHasher
from server.accounts.throttle import Rule, Throttle
from server.config import Settings

SCOPE_KEY = "interview.guards"


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client is not None else "unknown"


def _account(name: str) -> str:
    return " ".join(name.split()).lower()


class Guards:
    def __init__(self, settings: Settings) -> None:
        self.throttle = Throttle.create(settings.redis_url, settings.rate_limit_max_backoff_s)
        self.passwords = PasswordHasher(settings.bcrypt_rounds, settings.bcrypt_threads)
        self.login_ip_rule = Rule.parse("login-ip", settings.login_rate_per_ip,
                                   "too many login attempts from this address")
        self.login_account_rule = Rule.parse("login-account", settings.login_failures_per_account,
                                        "too many failed logins for this account")
        self.register_ip_rule = Rule.parse("register-ip", settings.register_rate_per_ip,
                                      "too many registrations from this address")
        self.register_account_rule = Rule.parse(
            "register-account", settings.register_rate_per_account,
            "too many registration attempts for this email or username")
        self.anon_ip_rule = Rule.parse(
            "anonymous-interview-ip", settings.anon_interviews_per_ip,
            "too many interviews created without an account from this address "
            "(log in to create more)")
        self.anon_total_rule = Rule.parse(
            "anonymous-interview-all", settings.anon_interviews_total,
            "too many interviews created without an account on this server "
            "(log in to create more)")

    async def before_login(self, conn: HTTPConnection, login: str) -> None:
        """Every attempt counts per address; the account is refused once its failures are up."""
        await self.throttle.hit(self.login_ip_rule, client_address(conn))
        await self.throttle.check(self.login_account_rule, _account(login))

    async def login_failed(self, login: str) -> None:
        await self.throttle.hit(self.login_account_rule, _account(login))

    async def login_succeeded(self, login: str) -> None:
        await self.throttle.reset(self.login_account_rule, _account(login))

    async def before_register(self, conn: HTTPConnection) -> None:
        """Every registration request counts per address..."""
        await self.throttle.hit(self.register_ip_rule, client_address(conn))

    async def register_account(self, email: str, username: str) -> None:
        """...and each valid one per email and per username it asks for."""
        for name in {_account(email), _account(username)}:
            await self.throttle.hit(self.register_account_rule, name)

    async def before_anonymous_interview(self, conn: HTTPConnection) -> None:
        await self.throttle.hit(self.anon_ip_rule, client_address(conn))
        await self.throttle.hit(self.anon_total_rule, "all")

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
