"""Finding the external services CI provides (Redis, PostgreSQL).

A test that needs one fails loudly when CI should have it (the `CI` variable is set, or
REQUIRE_SERVICES=1) and is skipped with the reason on a machine that does not run it.
"""

from __future__ import annotations

import os

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def services_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("REQUIRE_SERVICES") == "1"


def unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if services_required():
        pytest.fail(f"{message} (CI provides it; start it as /work/shared/README.md says)")
    pytest.skip(f"{message}; set REQUIRE_SERVICES=1 to make this a failure")


def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        unavailable("Redis", exc)
    return REDIS_URL
