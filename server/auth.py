"""Accounts: password hashing (bcrypt), access tokens (JWT, HS256), the rules of usernames and
passwords, and the request helpers `current_user` / `require_user`.

Errors are raised as `ApiError`; the app turns them into `{"error": {"code", "message"}}`
responses (plus `fields` for validation errors).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
import jwt
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse

from server.config import Settings
from server.storage import Interview, Store, User

log = logging.getLogger(__name__)

ROLES = ("candidate", "recruiter", "admin")
SELF_SERVICE_ROLES = ("candidate", "recruiter")
JWT_ALGORITHM = "HS256"
JWT_ISSUER = "interview-stream"
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_EMAIL = 254
MAX_FULL_NAME = 100


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An HTTP error with the API's JSON body; raise it from an endpoint."""

    def __init__(self, status: int, code: str, message: str,
                 fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields
        self.headers = headers

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return JSONResponse({"error": body}, status_code=self.status, headers=self.headers)


async def api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


def validation_error(fields: dict[str, str]) -> ApiError:
    message = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return ApiError(422, "validation", message or "invalid request", fields=fields)


def unauthorized(message: str, code: str = "unauthorized") -> ApiError:
    return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"})


# --------------------------------------------------------------------------- passwords


def _prehash(password: str) -> bytes:
    # bcrypt reads at most 72 bytes (bcrypt>=5 refuses more): hash long passphrases first so
    # every character counts. base64 keeps NUL bytes out of bcrypt's input.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode("ascii"))
    except ValueError:  # not a bcrypt hash
        return False


@functools.cache
def _dummy_hash(rounds: int) -> str:
    return hash_password(secrets.token_urlsafe(16), rounds)


# --------------------------------------------------------------------------- rules


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_username(username: Any) -> str | None:
    """The problem with a username, or None."""
    if not isinstance(username, str) or not username:
        return "required"
    if not USERNAME_RE.match(username):
        return "3 to 32 characters: letters, digits, '_', '.' or '-'"
    return None


def check_email(email: Any) -> str | None:
    if not isinstance(email, str) or not email.strip():
        return "required"
    email = normalize_email(email)
    if len(email) > MAX_EMAIL or not EMAIL_RE.match(email):
        return "not a valid email address"
    return None


def check_password(password: Any, username: str = "", email: str = "") -> str | None:
    if not isinstance(password, str) or not password:
        return "required"
    if len(password) < MIN_PASSWORD:
        return f"at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"at most {MAX_PASSWORD} characters"
    if not re.search(r"[^\W\d_]", password) or not re.search(r"\d", password):
        return "needs at least one letter and one digit"
    lowered = password.strip().lower()
    if lowered and lowered in {username.strip().lower(), normalize_email(email),
                               normalize_email(email).split("@")[0]}:
        return "must not be your username or email"
    return None


def validate_registration(data: dict[str, Any], roles: tuple[str, ...] = SELF_SERVICE_ROLES
                          ) -> dict[str, Any]:
    """Clean fields of a new account; raises ApiError 422 (or 403 for a forbidden role)."""
    fields: dict[str, str] = {}
    username, email = data.get("username"), data.get("email")
    full_name = data.get("full_name", "")
    role = data.get("role", "candidate")
    if problem := check_username(username):
        fields["username"] = problem
    if problem := check_email(email):
        fields["email"] = problem
    if problem := check_password(
        data.get("password"),
        username if isinstance(username, str) else "",
        email if isinstance(email, str) else "",
    ):
        fields["password"] = problem
    if full_name is None:
        full_name = ""
    if not isinstance(full_name, str):
        fields["full_name"] = "must be a string"
    elif len(full_name.strip()) > MAX_FULL_NAME:
        fields["full_name"] = f"at most {MAX_FULL_NAME} characters"
    if role == "admin" and "admin" not in roles:
        raise ApiError(403, "forbidden",
                       "admin accounts are created by an administrator (interview-admin)")
    if role not in roles:
        fields["role"] = f"must be one of {', '.join(roles)}"
    if fields:
        raise validation_error(fields)
    return {
        "username": username, "email": normalize_email(email),
        "password": data["password"], "full_name": " ".join(full_name.split()), "role": role,
    }


# --------------------------------------------------------------------------- users in storage


def find_conflicts(store: Store, email: str, username: str) -> dict[str, str]:
    with Session(store.engine) as db:
        fields = {}
        if db.exec(select(User.id).where(User.email == normalize_email(email))).first():
            fields["email"] = "already registered"
        if db.exec(
            select(User.id).where(func.lower(User.username) == username.lower())
        ).first():
            fields["username"] = "already taken"
        return fields


def create_user(store: Store, *, email: str, username: str, password: str, full_name: str = "",
                role: str = "candidate", rounds: int = 12) -> User:
    """Insert a validated account; raises ApiError 409 when the email or username is taken."""
    if conflicts := find_conflicts(store, email, username):
        raise ApiError(409, "conflict", "; ".join(f"{k} {v}" for k, v in conflicts.items()),
                       fields=conflicts)
    user = User(email=normalize_email(email), username=username, full_name=full_name,
                password_hash=hash_password(password, rounds), role=role)
    with Session(store.engine, expire_on_commit=False) as db:
        db.add(user)
        try:
            db.commit()
        except IntegrityError as exc:  # a concurrent registration won the race
            db.rollback()
            raise ApiError(409, "conflict", "email or username already registered") from exc
        db.refresh(user)
        return user


def get_user(store: Store, user_id: int) -> User | None:
    with Session(store.engine, expire_on_commit=False) as db:
        return db.get(User, user_id)


def find_login(store: Store, login: str) -> User | None:
    """The account whose email or username (any case) is `login`."""
    login = login.strip()
    with Session(store.engine, expire_on_commit=False) as db:
        column = User.email if "@" in login else func.lower(User.username)
        return db.exec(select(User).where(column == login.lower())).first()


def authenticate(store: Store, login: str, password: str, rounds: int = 12) -> User | None:
    user = find_login(store, login)
    if user is None:
        verify_password(password, _dummy_hash(rounds))  # as slow as a wrong password
        return None
    return user if verify_password(password, user.password_hash) else None


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id, "email": user.email, "username": user.username,
        "full_name": user.full_name, "role": user.role, "is_active": user.is_active,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }


# --------------------------------------------------------------------------- tokens


def jwt_secret_path(settings: Settings) -> Path:
    if settings.jwt_secret_file:
        return Path(settings.jwt_secret_file)
    url = settings.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url and url != "sqlite:///":
        return Path(url.removeprefix("sqlite:///")).parent / "jwt_secret"
    return Path("data") / "jwt_secret"


def load_jwt_secret(settings: Settings) -> str:
    """JWT_SECRET, else a key generated once and kept in a file readable only by its owner."""
    if settings.jwt_secret:
        if len(settings.jwt_secret) < 32:
            log.warning("JWT_SECRET is shorter than 32 characters; use a long random value")
        return settings.jwt_secret
    if settings.database_url.startswith("sqlite") and (
        ":memory:" in settings.database_url or settings.database_url in ("sqlite://", "sqlite:///")
    ) and not settings.jwt_secret_file:
        return secrets.token_urlsafe(48)  # an in-memory database: tokens live as long as it
    path = jwt_secret_path(settings)
    if not settings.database_url.startswith("sqlite"):
        log.warning("JWT_SECRET is not set: using the key in %s; every node of a cluster "
                    "must share one JWT_SECRET", path)
    for _ in range(50):
        try:
            secret = path.read_text().strip()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue  # another process is creating it
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48) + "\n")
            continue
        if secret:
            return secret
        time.sleep(0.02)  # created but not yet written by another process
    raise RuntimeError(f"could not read or create the JWT key file {path}")


@dataclass
class TokenIssuer:
    secret: str
    expires_min: int = 60 * 24

    def issue(self, user: User) -> str:
        now = int(time.time())
        claims = {"sub": str(user.id), "role": user.role, "iat": now,
                  "exp": now + self.expires_min * 60, "iss": JWT_ISSUER}
        return jwt.encode(claims, self.secret, algorithm=JWT_ALGORITHM)

    def decode(self, token: str) -> dict[str, Any]:
        """The token's claims; raises ApiError 401 when expired, forged or malformed."""
        try:
            return jwt.decode(token, self.secret, algorithms=[JWT_ALGORITHM], issuer=JWT_ISSUER,
                              options={"require": ["exp", "iat", "sub"]})
        except jwt.ExpiredSignatureError as exc:
            raise unauthorized("the access token has expired; log in again",
                               "token_expired") from exc
        except jwt.InvalidTokenError as exc:
            raise unauthorized("invalid access token", "invalid_token") from exc


def token_response(issuer: TokenIssuer, user: User) -> dict[str, Any]:
    return {"access_token": issuer.issue(user), "token_type": "bearer",
            "expires_in": issuer.expires_min * 60, "user": user_json(user)}


def issuer_of(conn: HTTPConnection) -> TokenIssuer:
    state = conn.app.state
    issuer = getattr(state, "tokens", None)
    if issuer is None:  # the app's lifespan normally sets it up
        settings: Settings = getattr(state, "settings", None) or Settings()
        issuer = state.tokens = TokenIssuer(load_jwt_secret(settings), settings.jwt_expires_min)
    return issuer


# --------------------------------------------------------------------------- requests


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
    claims = issuer_of(conn).decode(token)
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


# --------------------------------------------------------------------------- interviews


def can_view(user: User | None, interview: Interview) -> bool:
    """Admins see every interview; others the ones they created, answer or were invited to."""
    if user is None:
        return False
    if user.role == "admin":
        return True
    return user.id is not None and (
        user.id in (interview.created_by, interview.candidate_id)
        or user.id in (interview.recruiter_ids or [])
    )


async def user_can_watch(websocket: HTTPConnection, interview: Interview) -> bool:
    """A signed-in user allowed to see the interview may watch it (spectator socket)."""
    try:
        user = await current_user(websocket)
    except ApiError:
        return False
    return can_view(user, interview)
