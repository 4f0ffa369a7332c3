"""Database helpers of the tests: a fresh, isolated database per use on SQLite or PostgreSQL,
servers on either backend, and small account helpers.

PostgreSQL is the CI service at 127.0.0.1:5432, database `test` (trust auth, user `postgres` or
`root`; override with TEST_POSTGRES_URL). Each use gets a schema of its own (search_path), dropped
afterwards. When PostgreSQL is unreachable the PostgreSQL tests are skipped, or fail when CI is set
or REQUIRE_POSTGRES=1, so CI can never silently skip them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
import pytest

BACKENDS = ("sqlite", "postgres")
PG_HOST, PG_PORT, PG_DB = "127.0.0.1", 5432, "test"
PG_USERS = ("postgres", "root")
JWT_SECRET = "tests-only-jwt-secret-0123456789abcdefghijklmnopqrstuvwxyz"
PASSWORD = "correct horse 42"

#: the API servers' resume grace period: a closed candidate socket ends its session soon
RESUME_GRACE_S = 2.0


def postgres_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("REQUIRE_POSTGRES") == "1"


@functools.cache
def _postgres() -> tuple[str | None, str]:
    """(SQLAlchemy URL of the test database, or None; why not)."""
    import psycopg

    configured = os.environ.get("TEST_POSTGRES_URL")
    candidates = [configured] if configured else [
        f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}" for user in PG_USERS
    ]
    problems = []
    for url in candidates:
        try:
            with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3) as conn:
                conn.execute("SELECT 1")
            return url, ""
        except psycopg.Error as exc:
            problems.append(f"{url}: {str(exc).strip().splitlines()[0]}")
    return None, "; ".join(problems)


def postgres_url() -> str:
    """The PostgreSQL test database; skips (or fails in CI) when it is not running."""
    url, why = _postgres()
    if url is None:
        message = f"PostgreSQL is not running or not reachable ({why})"
        if postgres_required():
            pytest.fail(message + " - required because CI or REQUIRE_POSTGRES=1 is set")
        pytest.skip(message + " - start it or set REQUIRE_POSTGRES=1 to fail instead")
    return url


def _admin(url: str):
    import psycopg

    return psycopg.connect(url.replace("+psycopg", ""), autocommit=True, connect_timeout=5)


@contextlib.contextmanager
def postgres_schema(prefix: str = "t") -> Iterator[tuple[str, str]]:
    """(URL whose connections use a new, empty schema; the schema's name); dropped afterwards."""
    base = postgres_url()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with _admin(base) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}", schema
    finally:
        with _admin(base) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def raw_postgres(url: str):
    """A psycopg connection (autocommit) of a `postgres_schema` URL, for raw SQL."""
    import psycopg

    base, _, query = url.partition("?")
    options = dict(p.split("=", 1) for p in query.split("&") if p)
    return psycopg.connect(base.replace("+psycopg", ""), autocommit=True,
                           options=unquote(options.get("options", "")))


@contextlib.contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of `backend` ("sqlite" or "postgres")."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.db'}"
    elif backend == "postgres":
        with postgres_schema() as (url, _):
            yield url
    else:
        raise ValueError(backend)


@contextlib.contextmanager
def serve_backend(backend: str, tmp_path: Path, transcriber, **settings):
    """A real server (uvicorn in a thread) on a fresh database of `backend`. The server object
    has `.backend`, `.url`, `.database_url` and `.store` (the app's Store)."""
    from server.app import create_app
    from server.config import Settings
    from tests.conftest import ServerThread

    with database_url(backend, tmp_path) as url:
        config = Settings(database_url=url, asr_workers=2, asr_threads=1, jwt_secret=JWT_SECRET,
                          bcrypt_rounds=4, recordings_dir=str(tmp_path / "recordings"),
                          resume_grace_s=RESUME_GRACE_S)
        for k, v in settings.items():
            setattr(config, k, v)
        app = create_app(config, transcriber=transcriber)
        with ServerThread(app) as srv:
            srv.backend, srv.database_url, srv.app = backend, url, app
            srv.store = app.state.store
            yield srv
            app.state.store.engine.dispose()


# --------------------------------------------------------------------------- accounts


def register(srv, role: str = "candidate", **fields) -> dict:
    """Register a new account over the API; returns the login response + `headers`."""
    name = fields.pop("username", None) or f"{role[:4]}_{uuid.uuid4().hex[:10]}"
    body = {"email": f"{name}@example.com", "username": name, "password": PASSWORD,
            "full_name": f"Test {role.title()}", "role": role, **fields}
    r = httpx.post(f"{srv.url}/api/auth/register", json=body, timeout=10)
    assert r.status_code == 201, r.text
    out = r.json()
    out["headers"] = {"Authorization": f"Bearer {out['access_token']}"}
    out["password"] = body["password"]
    return out


def make_admin(srv) -> dict:
    """An admin account (made the way `interview-admin create-admin` makes it) + its login."""
    from server.accounts.users import create_user

    name = f"admin_{uuid.uuid4().hex[:10]}"
    create_user(srv.store, email=f"{name}@example.com", username=name, password=PASSWORD,
                role="admin", rounds=4)
    r = httpx.post(f"{srv.url}/api/auth/login", json={"username": name, "password": PASSWORD},
                   timeout=10)
    assert r.status_code == 200, r.text
    out = r.json()
    out["headers"] = {"Authorization": f"Bearer {out['access_token']}"}
    return out
