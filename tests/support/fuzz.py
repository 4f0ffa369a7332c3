"""Hypothesis strategies for the candidate socket fuzz: whole sessions of malformed, odd and
out-of-order messages (text and binary), and a runner that plays one session against the real
server and records what happened.

Big payloads are made from a drawn size and seed (not drawn byte by byte), so one session of a
hundred or more messages stays far below Hypothesis' per-example budget."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import struct
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import numpy as np
import websockets
from hypothesis import strategies as st

from media.frames import MAX_MESSAGE_BYTES, audio_frame, video_frame
from server.ws.messages import MessageError, parse_message
from tests.support.candidate_socket import CandidateSocket

#: every error code the candidate socket may send (docs/protocol.md, "Candidate WebSocket"),
#: except `asr_failed` and `flow_failed`, which are server failures
CLIENT_ERROR_CODES = frozenset({
    "bad_json", "too_large", "bad_type", "unknown_type", "bad_start", "unknown_kind",
    "bad_audio", "not_started", "already_started", "stopped", "bad_video", "frame_too_large",
    "too_fast", "overloaded", "too_many_errors",
})

RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000]


def _bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def jpeg_header(width: int, height: int, marker: int = 0xC0) -> bytes:
    body = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8" + bytes([0xFF, marker]) + struct.pack(">H", 2 + len(body)) + body


json_scalars = (st.none() | st.booleans() | st.integers() | st.floats()
                | st.text(st.characters(codec="utf-8"), max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=8), inner, max_size=4),
    max_leaves=10,
)
unicode_text = st.text(st.characters(codec="utf-8"), max_size=300)


@st.composite
def sample_rates(draw):
    pick = draw(st.integers(0, 9))
    if pick < 4:
        return draw(st.sampled_from(RATES))
    if pick < 6:
        return draw(st.integers(-100_000, 200_000))
    if pick == 6:
        return draw(st.sampled_from([16000.0, 16000.5, float("inf"), True, False, None]))
    if pick == 7:
        return draw(st.sampled_from(["16000", "", "0x3e80", [16000], {"hz": 16000}]))
    if pick == 8:
        return 10 ** draw(st.integers(10, 400))
    return draw(json_values)


@st.composite
def audio_fields(draw):
    pick = draw(st.integers(0, 5))
    if pick < 2:
        return {"audio": {"sample_rate": draw(st.sampled_from(RATES))}}
    if pick < 3:
        return {"audio": {"sample_rate": draw(sample_rates())}}
    if pick == 3:
        return {"audio": draw(json_values)}
    if pick == 4:
        return {}
    return {"audio": {"sample_rate": draw(sample_rates()), "extra": draw(json_values)}}


@st.composite
def deep_json(draw) -> str:
    depth = draw(st.integers(1, 9000))
    style = draw(st.integers(0, 2))
    if style == 0:
        return "[" * depth + "]" * depth
    if style == 1:
        return '{"type": "start", "audio": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
    return '{"type": "ping", "x": ' + "[{" * depth + '"k": 0' + "}]" * depth + "}"


@st.composite
def huge_number(draw) -> str:
    digits = "".join(draw(st.sampled_from(["9", "1", "0"])) for _ in range(3))
    number = (digits * (draw(st.integers(1, 2000)) + 1))[: draw(st.integers(1, 6000))]
    form = draw(st.integers(0, 4))
    if form == 0:
        return '{"type": "start", "audio": {"sample_rate": ' + number + "}}"
    if form == 1:
        return number
    if form == 2:
        return '{"type": "ping", "n": -' + number + "}"
    if form == 3:
        return '{"type": "ping", "f": 1.' + number + "e" + number[:40] + "}"
    return '{"type": [' + number + "]}"


ODD_TEXT = [
    '{"type": "\\ud800"}', '{"type": "ping", "n": NaN}', '{"type": "ping", "n": Infinity}',
    '{"type": "ping"} trailing', '{"type": "ping", "type": "start"}', "\ufeff{\"type\": \"ping\"}",
    '{"type": "\\u0000"}', '{"type": "st\\u0061rt"}', "{", "}", "[]", '""', "null", "true", "0",
    '{"type": "start", "audio": {"sample_rate": 1e400}}', '{"type": -0.0}', " " * 1000,
    '{"type": "start", "audio": {"sample_rate": 16000, "sample_rate": "x"}}',
]


@st.composite
def text_message(draw, pick: int) -> str:
    if pick < 100:  # start with fuzzed fields
        return json.dumps({"type": "start", **draw(audio_fields())})
    if pick < 104:  # stop: rare, so most of a session comes before it
        return json.dumps({"type": "stop", **draw(st.dictionaries(st.text(max_size=5),
                                                                  json_values, max_size=2))})
    if pick < 160:
        return json.dumps({"type": draw(st.sampled_from(["ping", "next"])),
                           "x": draw(json_values)})
    if pick < 220:  # a type that is not a string
        return json.dumps({"type": draw(json_values.filter(lambda v: not isinstance(v, str)))})
    if pick < 270:
        return json.dumps(draw(json_values))
    if pick < 320:
        return draw(unicode_text)
    if pick < 350:
        return draw(deep_json())
    if pick < 380:
        return draw(huge_number())
    if pick < 400:  # a long type: echoed at most 60 characters, or too_large
        return json.dumps({"type": draw(st.characters(codec="utf-8"))
                           * draw(st.integers(1, 20_000))})
    if pick < 420:
        return draw(st.sampled_from(ODD_TEXT))
    return json.dumps({"type": draw(st.text(max_size=12)), **draw(audio_fields())})


@st.composite
def audio_message(draw, rng: random.Random) -> bytes:
    # sizes: Hypothesis' (it favours small and boundary values) or uniform, for audio volume
    n = draw(st.integers(0, 4000)) if rng.random() < 0.3 else rng.randrange(4001)
    style = draw(st.integers(0, 9))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if style < 4:
        pcm = np.zeros(n, np.int16)
    elif style < 7:
        pcm = rng.integers(-200, 200, n).astype(np.int16)  # quiet noise
    elif style == 7:
        pcm = rng.integers(-32768, 32767, n).astype(np.int16)  # loud noise
    elif style == 8:
        pcm = (np.sin(np.arange(n) * 0.1) * 8000).astype(np.int16)
    else:
        return audio_frame(_bytes(draw(st.integers(0, 3001)), seed))  # odd sizes too
    return audio_frame(pcm.astype("<i2").tobytes())


@st.composite
def video_message(draw, good_jpeg: bytes) -> bytes:
    style = draw(st.integers(0, 9))
    seed = draw(st.integers(0, 2**32 - 1))
    if style < 2:
        prefix = draw(st.sampled_from([b"", b"\xff\xd8", b"\xff\xd8\xff", b"\xff\xd8\xff\xe0"]))
        return video_frame(prefix + _bytes(draw(st.integers(0, 4000)), seed))
    if style < 4:
        marker = draw(st.sampled_from([0xC0, 0xC2, 0xC3, 0xCF, 0xC4, 0xDA]))
        header = jpeg_header(draw(st.integers(0, 65535)), draw(st.integers(0, 65535)), marker)
        return video_frame(header + _bytes(draw(st.integers(0, 500)), seed))
    if style < 6:
        return video_frame(good_jpeg[: draw(st.integers(0, len(good_jpeg)))])
    if style < 8:
        data = bytearray(good_jpeg)
        rng = random.Random(seed)
        for _ in range(draw(st.integers(1, 50))):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return video_frame(bytes(data))
    if style == 8:
        return video_frame(jpeg_header(10, 10) + jpeg_header(60000, 60000)[2:])
    return video_frame(good_jpeg)


@st.composite
def any_binary(draw) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from([b"", b"\x01", b"\x02", b"\x00", b"\xff"]))
    kind = draw(st.integers(0, 255))
    return bytes([kind]) + _bytes(draw(st.integers(0, 2000)), draw(st.integers(0, 2**32 - 1)))


@st.composite
def messages(draw, good_jpeg: bytes, rng: random.Random) -> str | bytes:
    pick = rng.randrange(1000)  # the kind of message, uniformly (Hypothesis favours small ints)
    if pick < 450:
        return draw(text_message(pick))
    if pick < 700:
        return draw(audio_message(rng))
    if pick < 850:
        return draw(video_message(good_jpeg))
    return draw(any_binary())


@dataclass
class SessionPlan:
    planned: bool  # an interview with questions (the flow handles `next`)
    messages: list[str | bytes]
    oversize: bytes | str | None  # a last message over 1 MiB: the socket closes with 1009


@st.composite
def session_plans(draw, good_jpeg: bytes, min_messages: int, max_messages: int) -> SessionPlan:
    rng = draw(st.randoms(use_true_random=True))  # seeded by Hypothesis: derandomized runs repeat
    msgs = draw(st.lists(messages(good_jpeg, rng), min_size=min_messages, max_size=max_messages))
    if rng.random() < 0.5:  # half the sessions start early, so most of their audio is taken
        rate = rng.choice(RATES)
        start = json.dumps({"type": "start", "audio": {"sample_rate": rate}})
        msgs.insert(rng.randrange(10), start)
    oversize = None
    if rng.random() < 1 / 8:
        n = MAX_MESSAGE_BYTES + draw(st.integers(1, 1000))
        oversize = draw(st.sampled_from([b"\x01" + bytes(n), "x" * n]))
    return SessionPlan(draw(st.booleans()), msgs, oversize)


@dataclass
class FuzzStats:
    sessions: int = 0
    messages: int = 0
    text: int = 0
    binary: int = 0
    bytes_sent: int = 0
    errors: Counter = field(default_factory=Counter)  # error events received, by code
    events: Counter = field(default_factory=Counter)  # every message received, by type
    closes: Counter = field(default_factory=Counter)  # sockets the server closed, by code
    stopped_sessions: int = 0
    failures: list[str] = field(default_factory=list)
    slowest_s: float = 0.0  # the longest session, wall time
    phase_s: Counter = field(default_factory=Counter)  # wall time by phase, over all sessions

    def summary(self) -> str:
        return (f"{self.sessions} sessions, {self.messages} messages ({self.text} text, "
                f"{self.binary} binary, {self.bytes_sent / 1e6:.1f} MB), "
                f"{self.stopped_sessions} with a stop, slowest {self.slowest_s:.1f} s "
                f"({', '.join(f'{k} {v:.1f} s' for k, v in self.phase_s.items())}); "
                f"{len(self.failures)} failures; closes {dict(self.closes)}; "
                f"errors {dict(self.errors.most_common())}; events {dict(self.events)}")


def message_type(text: str) -> str | None:
    """The type the server reads from a text message (its own parser), None if refused."""
    try:
        return parse_message(text)["type"]
    except MessageError:
        return None


async def play_session(server, plan: SessionPlan, stats: FuzzStats) -> None:
    """One interview, one socket: send every message as fast as the socket takes it, then
    check the session is alive (`pong`), or closed with 1009 after an oversize message."""
    fields = {"job_role": "backend engineer", "num_questions": 2} if plan.planned else {}
    r = httpx.post(f"{server.url}/api/interviews", json=fields, timeout=10)
    assert r.status_code == 201, r.text
    interview = r.json()
    stopped = False
    pings = 0
    t0 = time.monotonic()
    async with CandidateSocket(server, interview) as sock:
        for message in plan.messages:
            try:
                await sock.send(message)
            except websockets.ConnectionClosed:
                await asyncio.sleep(0.1)  # the receiver records the close code
                break
            stats.messages += 1
            if isinstance(message, str):
                stats.text += 1
                kind = message_type(message)
                stopped = stopped or kind == "stop"
                pings += kind == "ping"
            else:
                stats.binary += 1
            stats.bytes_sent += len(message)
            await asyncio.sleep(0)
        stats.sessions += 1
        stats.stopped_sessions += stopped
        t1 = time.monotonic()
        stats.phase_s["send"] += t1 - t0
        if plan.oversize is not None and sock.closed is None:
            with contextlib.suppress(websockets.ConnectionClosed):
                await sock.send(plan.oversize)
            stats.messages += 1
            stats.bytes_sent += len(plan.oversize)
            for _ in range(300):
                if sock.closed is not None:
                    break
                await asyncio.sleep(0.1)
            expected = {1009}
        else:
            try:  # every message handled, the session alive
                await sock.all_answered(pings, timeout=60)
            except (AssertionError, websockets.ConnectionClosed) as exc:
                await asyncio.sleep(0.1)  # the receiver records the close code
                stats.failures.append(f"no pong: {exc!r}"[:300])
            expected = {None} | ({1000} if stopped else set())  # 1000: a normal end after stop
        t2 = time.monotonic()
        stats.phase_s["check"] += t2 - t1
        stats.errors.update(e["code"] for e in sock.events if e["type"] == "error")
        stats.events.update(e["type"] for e in sock.events)
        if sock.close_code is not None:
            stats.closes[sock.close_code] += 1
        if sock.close_code not in expected:
            stats.failures.append(f"closed with {sock.close_code} (expected {expected}); "
                                  f"last events {sock.events[-3:]}")
    stats.phase_s["close"] += time.monotonic() - t2
