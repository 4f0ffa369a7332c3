"""Rate-limit helpers of the tests: the default limits (as a server without the test
overrides of tests/conftest.py runs) and clients from distinct addresses."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from pathlib import Path

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


@contextlib.contextmanager
def admitting_server(db: Path, transcriber) -> Iterator:
    """A server of its own with the default load limits on loop lag and ASR backlog (the
    suite's servers have them out of the way) and no CPU limit (the suite's CPU is not the
    node's); `srv.app` is its app, for reading its admission and quality state."""
    from server.app import create_app
    from server.config import Settings
    from tests.conftest import ServerThread

    settings = Settings(database_url=f"sqlite:///{db}", recordings_dir="",
                        admit_max_loop_lag_s=0.15, admit_max_asr_backlog_s=6.0,
                        admit_max_cpu_share=1000.0)
    app = create_app(settings, transcriber=transcriber)
    with ServerThread(app) as srv:
        srv.app = app
        yield srv
