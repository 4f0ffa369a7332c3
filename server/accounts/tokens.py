"""Access tokens: JWT (HS256) with expiry, and the key they are signed with."""

from __future__ import annotations

import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from server.accounts.users import user_json
from server.config import Settings
from server.errors import unauthorized
from server.store.models import User

log = logging.getLogger(__name__)

JWT_ALGORITHM = "HS256"
JWT_ISSUER = "interview-stream"


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
