"""No input ends a session: a property-based fuzz of the candidate socket against the real
server. Over 10,000 generated messages across many sessions (text and binary, every kind byte,
odd sizes, huge numbers, deep nesting, wrong types, unicode, out-of-order start / stop, audio
before start, junk video frames): no socket closed except with 1009 after an oversize message,
no server error logged, and afterwards a clean session on the same server still transcribes
jfk.flac."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from analyzers.text import wer
from media.simulate import stream_pcm
from tests.conftest import JFK_TEXT
from tests.support.fuzz import CLIENT_ERROR_CODES, FuzzStats, play_session, session_plans
from tests.support.logs import captured_errors
from tests.support.media import face_canvas, jpeg

SESSIONS = 80
MIN_MESSAGES, MAX_MESSAGES = 126, 160  # 80 x 126 = 10,080 at least
MIN_TOTAL = 10_000


@pytest.fixture
def server_errors():
    with captured_errors() as errors:
        yield errors


def test_the_documented_codes():
    protocol = (Path(__file__).resolve().parents[3] / "docs" / "protocol.md").read_text()
    section = protocol[protocol.index("## Candidate WebSocket"):protocol.index("## Spectator")]
    for code in CLIENT_ERROR_CODES | {"asr_failed", "flow_failed"}:
        assert f"| `{code}` |" in section, code


def test_no_input_ends_a_session(server, jfk, server_errors):
    stats = FuzzStats()
    good_jpeg = jpeg(face_canvas(320, 240))
    t0 = time.monotonic()

    @settings(max_examples=SESSIONS, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(plan=session_plans(good_jpeg, MIN_MESSAGES, MAX_MESSAGES))
    def one_session(plan):
        # failures are collected, not raised: every session runs, and the counts are reported
        started = time.monotonic()
        try:
            asyncio.run(play_session(server, plan, stats))
        except Exception as exc:  # noqa: BLE001
            stats.failures.append(f"session {stats.sessions}: {exc!r}"[:300])
        stats.slowest_s = max(stats.slowest_s, time.monotonic() - started)

    one_session()
    fuzz_s = time.monotonic() - t0
    print(f"\nfuzz: {stats.summary()}; {fuzz_s:.1f} s")
    assert not stats.failures, (len(stats.failures), stats.failures[:5])
    assert stats.sessions == SESSIONS and stats.messages >= MIN_TOTAL, stats.summary()
    assert set(stats.errors) <= CLIENT_ERROR_CODES, stats.errors
    # the only closes: 1009 after a message over 1 MiB (some sessions end with one), and a
    # normal close after `stop` should the server close sockets after `stop`
    assert set(stats.closes) <= {1009, 1000} and stats.closes[1009] >= 1, stats.closes
    assert not server_errors.records, server_errors.text()

    # the same server still transcribes a clean session
    samples, rate = jfk
    result = asyncio.run(stream_pcm(server.url, samples, rate, speed=2.0))
    assert wer(JFK_TEXT, result.text) <= 0.10, result.text
    assert not [e for e in result.events if e["type"] == "error"]
    assert not server_errors.records, server_errors.text()
