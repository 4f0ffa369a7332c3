"""Rate-limit helpers of the tests: the default limits (as a server without the test
overrides of tests/conftest.py runs) and clients from distinct addresses."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import RATE_LIMITS

_addresses = itertools.count(1)


def default_limits() -> dict[str, str]:
    """The rate-limit settings a server gets when none of them is set in the environment."""
    from server.config import Settings

    with pytest.MonkeyPatch.context() as mp:
        for name in RATE_LIMITS:
            mp.delenv(name, raising=False)
        settings = Settings()
    return {name.lower(): getattr(settings, name.lower(), None) for name in RATE_LIMITS}


def new_address() -> str:
    """A client address of its own (TEST-NET-3, RFC 5737: never routed): sent as
    `X-Forwarded-For`, which uvicorn trusts from 127.0.0.1, so the server sees that client."""
    n = next(_addresses)
    return f"203.0.113.{n % 250 + 1}" if n < 250 else f"198.51.100.{n % 250 + 1}"


def from_address(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}
