"""Accounts API: register, log in, who am I."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.accounts.identity import require_user
from server.accounts.rules import validate_registration
from server.accounts.tokens import TokenIssuer, token_response
from server.accounts.users import login_user, register_user, user_json
from server.errors import ApiError, unauthorized, validation_error
from server.http.guards import guards
from server.http.requests import json_body


def _tokens(request: Request) -> TokenIssuer:
    return request.app.state.tokens


async def register(request: Request) -> JSONResponse:
    """`POST /api/auth/register` -> 201 {user, access_token, token_type, expires_in}; 429
    over the rate limits (per address, per email or username)."""
    guard = guards(request)
    await guard.before_register(request)
    fields = validate_registration(await json_body(request))
    await guard.register_account(fields["email"], fields["username"])
    user = await register_user(request.app.state.store, guard.passwords, **fields)
    return JSONResponse(token_response(_tokens(request), user), status_code=201)


async def _credentials(request: Request) -> tuple[str, str]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # the OAuth2 password flow's form
        data = {k: v for k, v in form.items() if isinstance(v, str)}
    else:
        data = await json_body(request)
    login = data.get("username") or data.get("email") or data.get("login")
    password = data.get("password")
    fields = {}
    if not isinstance(login, str) or not login.strip():
        fields["username"] = "required (your username or email)"
    if not isinstance(password, str) or not password:
        fields["password"] = "required"
    if fields:
        raise validation_error(fields)
    return login, password


async def login(request: Request) -> JSONResponse:
    """`POST /api/auth/login` {username | email, password} -> 200 {access_token, token_type,
    expires_in, user}; 401 for a wrong login or password, 403 for a disabled account, 429
    over the rate limits (attempts per address, failures per account)."""
    login_name, password = await _credentials(request)
    guard = guards(request)
    await guard.before_login(request, login_name)
    user = await login_user(request.app.state.store, guard.passwords, login_name, password)
    if user is None:
        await guard.login_failed(login_name)
        raise unauthorized("wrong username, email or password", "invalid_credentials")
    await guard.login_succeeded(login_name)
    if not user.is_active:
        raise ApiError(403, "account_disabled", "this account is disabled")
    return JSONResponse(token_response(_tokens(request), user))


async def me(request: Request) -> JSONResponse:
    """`GET /api/auth/me` -> 200 the signed-in user; 401 without a valid token."""
    user = await require_user(request)
    return JSONResponse(user_json(user))
