"""Who is calling: the bearer token of a request or socket, and its user."""

from __future__ import annotations

import asyncio

from starlette.requests import HTTPConnection

from server.accounts.tokens import TokenIssuer
from server.errors import ApiError, unauthorized
from server.store.models import User
from server.store.users import get_user


def bearer_token(conn: HTTPConnection) -> str | None:
    """The bearer token of the Authorization header (or `access_token` query parameter of a
    WebSocket, since browsers cannot set headers on one); None when there is none."""
    header = conn.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("use an 'Authorization: Bearer <token>' header", "invalid_token")
        return token.strip()
    if conn.scope.get("type") == "websocket":
        return conn.query_params.get("access_token") or None
    return None


async def current_user(conn: HTTPConnection) -> User | None:
    """The signed-in user, None when anonymous; a bad, expired or revoked token raises 401."""
    token = bearer_token(conn)
    if token is None:
        return None
    tokens: TokenIssuer = conn.app.state.tokens
    claims = tokens.decode(token)
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise unauthorized("invalid access token", "invalid_token") from exc
    user = await asyncio.to_thread(get_user, conn.app.state.store, user_id)
    if user is None or not user.is_active:
        raise unauthorized("the account no longer exists or is disabled", "invalid_token")
    return user


async def require_user(conn: HTTPConnection, roles: tuple[str, ...] | None = None) -> User:
    """The signed-in user (401 when anonymous), with one of `roles` (403 otherwise)."""
    user = await current_user(conn)
    if user is None:
        raise unauthorized("log in first: send 'Authorization: Bearer <access_token>'")
    if roles and user.role not in roles:
        raise ApiError(403, "forbidden", f"only {' or '.join(roles)} accounts may do this")
    return user


async def signed_in_user(conn: HTTPConnection) -> User | None:
    """Like `current_user`, but None for a token that is not valid (a spectator socket with a
    spectator token still watches, read-only)."""
    try:
        return await current_user(conn)
    except ApiError:
        return None
