"""Shared fixtures: a real server on a free port, real speech audio."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import uvicorn

from media.audiofile import read_audio
from media.frames import MAX_MESSAGE_BYTES

SHARED = Path(__file__).resolve().parents[2] / "shared" / "testdata"
JFK = SHARED / "jfk.flac"
JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)

#: the rate-limit settings (server/config.py), raised for the servers the tests start
RATE_LIMITS = ("LOGIN_RATE_PER_IP", "LOGIN_FAILURES_PER_ACCOUNT", "REGISTER_RATE_PER_IP",
               "REGISTER_RATE_PER_ACCOUNT", "ANON_INTERVIEWS_PER_IP", "ANON_INTERVIEWS_TOTAL")


def pytest_configure(config) -> None:
    # servers started by tests (in threads or processes) record into a scratch folder, not
    # into the checkout's data/recordings
    os.environ.setdefault("RECORDINGS_DIR", tempfile.mkdtemp(prefix="interview-recordings-"))
    # they also serve every request from 127.0.0.1: their rate limits are out of the way (the
    # tests of the limits set their own)
    for name in RATE_LIMITS:
        os.environ.setdefault(name, "100000/minute")
    os.environ.setdefault("LIVE_SESSIONS_PER_IP", "1000")
    os.environ.setdefault("MAX_LIVE_SESSIONS", "1000")
    # ... and admission by load: their event loop shares one process (and 2 cores) with the
    # test clients and other servers, so its lag and CPU are the suite's, not a node's
    # (tests/server/ops/test_admission.py sets its own limits)
    os.environ.setdefault("ADMIT_MAX_LOOP_LAG_S", "30")
    os.environ.setdefault("ADMIT_MAX_ASR_BACKLOG_S", "100000")
    os.environ.setdefault("ADMIT_MAX_CPU_SHARE", "1000")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """uvicorn serving an app in a background thread, as the real server runs it."""

    def __init__(self, app, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, ws="websockets",
            ws_max_size=MAX_MESSAGE_BYTES, log_level="warning", lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.server.started:
                return self
            if not self.thread.is_alive():
                raise RuntimeError("server thread died during start-up")
            time.sleep(0.05)
        raise RuntimeError("server did not start within 60 s")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="session")
def transcriber():
    """The one shared Whisper model (bundled tiny.en), loaded once for the whole run."""
    from analyzers.asr import Transcriber

    return Transcriber(workers=2, cpu_threads=1)


@pytest.fixture(scope="session")
def server(tmp_path_factory, transcriber) -> Iterator[ServerThread]:
    from server.app import create_app
    from server.config import Settings

    db = tmp_path_factory.mktemp("db") / "test.db"
    settings = Settings(database_url=f"sqlite:///{db}", asr_workers=2, asr_threads=1)
    with ServerThread(create_app(settings, transcriber=transcriber)) as srv:
        yield srv


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def api_server(request, tmp_path_factory, transcriber):
    """A server of the test module's own on each database backend: a fresh SQLite file, then a
    fresh PostgreSQL schema (skipped when PostgreSQL is not running, unless CI is set)."""
    from tests.support.db import serve_backend

    tmp = tmp_path_factory.mktemp(f"api-{request.param}")
    with serve_backend(request.param, tmp, transcriber) as srv:
        yield srv


@pytest.fixture
def new_interview(server):
    def make(**fields) -> dict:
        r = httpx.post(f"{server.url}/api/interviews", json=fields, timeout=10)
        assert r.status_code == 201, r.text
        return r.json()

    return make


def espeak(text: str, path: Path, rate: int = 16000, wpm: int = 160) -> Path:
    """Synthesize `text` with espeak-ng; sox resamples it and trims leading and trailing
    silence, so the file starts and ends with speech (both tools are required by the suite)."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is required by the test suite (scripts/test installs it)")
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(wpm), "-w", str(raw), text], check=True)
    trim = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]
    subprocess.run(
        ["sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path), *trim], check=True
    )
    return path


@pytest.fixture(scope="session")
def jfk() -> tuple[np.ndarray, int]:
    assert JFK.exists(), f"missing test data {JFK}"
    return read_audio(JFK)


def run(coro):
    return asyncio.run(coro)
