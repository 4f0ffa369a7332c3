"""No input ends a session: each message that once killed a candidate socket (found by an
attacker's tests) now gets an `error` event, and the same socket goes on: `pong` for `ping`,
the interview still live, speech still transcribed."""

from __future__ import annotations

import asyncio
import json
import struct

import httpx
import numpy as np
import pytest

from media.frames import MAX_MESSAGE_BYTES, audio_frame, video_frame
from server.ws.messages import MAX_TEXT_CHARS
from tests.support.candidate_socket import PING, CandidateSocket, start_message
from tests.support.logs import captured_errors
from tests.support.media import face_canvas, jpeg, read_audio_16k

PLANNED = {"job_role": "backend engineer", "num_questions": 2}


@pytest.fixture(scope="module")
def speech(jfk) -> np.ndarray:
    """'And so my fellow Americans': the first 4 s of jfk.flac at 16 kHz."""
    samples, rate = jfk
    return read_audio_16k(samples, rate)[: 4 * 16000]


def jpeg_header(width: int, height: int) -> bytes:
    """The 21-byte start of a baseline JPEG claiming `width` x `height` (SOI + SOF0, 3
    components), with no image data."""
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return b"\xff\xd8\xff\xc0" + struct.pack(">H", 2 + len(sof)) + sof


def test_the_bomb_header_is_21_bytes():
    assert len(jpeg_header(65000, 65000)) == 21


def deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_object(depth: int) -> str:
    return '{"type": "start", "audio": ' + '{"a": ' * depth + "1" + "}" * depth + "}"


KILLERS = {
    # 100k deep is 200 kB: over the text-frame bound, not parsed at all
    "deep list, 100k": (deep_list(100_000), "too_large"),
    "deep object, 100k": (deep_object(100_000), "too_large"),
    # within the bound (under 16 KiB), deep enough for a RecursionError in json
    "deep list, 5000": (deep_list(5000), "bad_json"),
    "deep object, 2000": (deep_object(2000), "bad_json"),
    "5000-digit integer": ('{"type": "start", "audio": {"sample_rate": ' + "9" * 5000 + "}}",
                           "bad_json"),
    "5000-digit integer at the top": ("1" * 5000, "bad_json"),
    "type a list": (json.dumps({"type": ["next"]}), "bad_type"),
    "type an object": (json.dumps({"type": {"next": 1}}), "bad_type"),
    "type a number": (json.dumps({"type": 7}), "bad_type"),
    "no type": (json.dumps({"audio": {}}), "bad_type"),
    "65000x65000 JPEG header": (video_frame(jpeg_header(65000, 65000)), "frame_too_large"),
}


@pytest.mark.parametrize("planned", [False, True], ids=["practice", "planned"])
@pytest.mark.parametrize("name", list(KILLERS))
async def test_a_killer_message_gets_an_error_and_the_session_goes_on(
    server, new_interview, speech, name, planned
):
    message, code = KILLERS[name]
    interview = new_interview(**PLANNED) if planned else new_interview()
    async with CandidateSocket(server, interview) as sock:
        error = await sock.error_after(message)
        assert error["code"] == code, error
        assert len(error["message"]) <= 200
        await sock.assert_survives(speech)


async def test_a_killer_message_while_streaming(server, new_interview, speech):
    interview = new_interview(**PLANNED)
    async with CandidateSocket(server, interview) as sock:
        await sock.send(start_message())
        await sock.stream(speech[:16000])
        for message, code in KILLERS.values():
            error = await sock.error_after(message)
            assert error["code"] == code, error
        await sock.assert_survives(speech, started=True)


async def test_a_second_stop_at_44k(server, new_interview, jfk):
    """`stop` flushes the resampler once; a second `stop` (here sent right behind the first,
    before `stopped` came back) must not feed it again: it is a `stopped` error, or nothing if
    the server closes the socket normally (1000) after the first."""
    samples, rate = jfk
    assert rate == 44100
    interview = new_interview(**PLANNED)
    async with CandidateSocket(server, interview) as sock:
        await sock.send(start_message(rate))
        pcm = samples[: 4 * rate]
        for i in range(0, len(pcm), 4410):
            await sock.send(audio_frame(pcm[i : i + 4410].astype("<i2").tobytes()))
        await sock.send(json.dumps({"type": "stop"}))
        await sock.send(json.dumps({"type": "stop"}))
        await sock.wait_for(lambda e: e.get("state") == "stopped", timeout=60)
        assert "americans" in " ".join(
            e["text"] for e in sock.events if e["type"] == "transcript.final"
        ).lower()
        try:
            error = await sock.wait_for(lambda e: e["type"] == "error", timeout=10)
        except AssertionError:
            assert sock.close_code == 1000, sock.close_code
            return
        assert error["code"] == "stopped", error
        for message in (start_message(rate), audio_frame(b"\x00\x00" * 441)):
            assert (await sock.error_after(message))["code"] == "stopped"
        await sock.ping()
        assert sock.close_code is None  # stopped (the report is made), but not closed


async def test_unknown_type_echoes_at_most_60_characters(server, new_interview, speech):
    interview = new_interview()
    async with CandidateSocket(server, interview) as sock:
        for long_type in ("x" * 16_000, "x" * 1_000_000):  # under and over the text bound
            error = await sock.error_after(json.dumps({"type": long_type}))
            echoed = len(long_type) < MAX_TEXT_CHARS
            assert error["code"] == ("unknown_type" if echoed else "too_large")
            assert "x" * 61 not in error["message"]
            assert ("x" * 60 in error["message"]) == echoed
            assert len(error["message"]) <= 200
        await sock.assert_survives(speech)
    stored = httpx.get(f"{server.url}/api/interviews/{interview['id']}/events",
                       params={"token": interview["spectator_token"]}, timeout=10).json()
    errors = [e for e in stored["events"] if e["type"] == "error"]
    assert errors and all(len(e["message"]) <= 200 for e in errors)


async def test_oversized_text_is_an_error_not_parsed(server, new_interview, speech):
    interview = new_interview()
    big = json.dumps({"type": "ping", "pad": "y" * 100_000})
    async with CandidateSocket(server, interview) as sock:
        error = await sock.error_after(big)
        assert error["code"] == "too_large"
        await sock.assert_survives(speech)


BAD_FIELDS = [
    ({"type": "start", "audio": {"sample_rate": 16000.0}}, "bad_start"),
    ({"type": "start", "audio": {"sample_rate": "16000"}}, "bad_start"),
    ({"type": "start", "audio": {"sample_rate": True}}, "bad_start"),
    ({"type": "start", "audio": {"sample_rate": 10**30}}, "bad_start"),
    ({"type": "start", "audio": {"sample_rate": -16000}}, "bad_start"),
    ({"type": "start", "audio": [16000]}, "bad_start"),
    ({"type": "start", "audio": "16000"}, "bad_start"),
    ({"type": "start", "audio": None}, "bad_start"),
    ({"type": ""}, "unknown_type"),
    ({"type": "PING"}, "unknown_type"),
    ({"type": "next"}, "unknown_type"),  # free practice has no `next`
]


async def test_every_field_is_type_checked(server, new_interview, speech):
    interview = new_interview()
    async with CandidateSocket(server, interview) as sock:
        for message, code in BAD_FIELDS:
            error = await sock.error_after(json.dumps(message))
            assert error["code"] == code, (message, error)
        for raw in ('{"type": "ping", "n": NaN}', '{"type": "ping", "n": Infinity}',
                    '{"type": "ping"} x', '"ping"', "null", ""):
            error = await sock.error_after(raw)
            assert error["code"] == "bad_json", (raw, error)
        await sock.assert_survives(speech)


async def test_broken_jpegs_are_errors(server, new_interview, speech):
    good = jpeg(face_canvas())
    interview = new_interview()
    async with CandidateSocket(server, interview) as sock:
        for frame, code in [
            (b"not a jpeg", "bad_video"),
            (b"\xff\xd8", "bad_video"),
            (b"\xff\xd8\xff\xc0\x00", "bad_video"),
            (jpeg_header(0, 480), "bad_video"),
            (jpeg_header(4097, 100), "frame_too_large"),
        ]:
            error = await sock.error_after(video_frame(frame))
            assert error["code"] == code, (frame, error)
        # valid headers, broken data: found by the decoder, off the event loop
        for frame in (good[: len(good) // 3], good[:400] + bytes(range(256)) * 8,
                      jpeg_header(640, 480) + b"\xff\xda" + b"\x00" * 100):
            await asyncio.sleep(0.3)  # past the frame sampler's interval (5 fps)
            error = await sock.error_after(video_frame(frame))
            assert error["code"] == "bad_video", error
            await sock.ping()
        await sock.assert_survives(speech)


async def test_error_events_have_a_budget(server, new_interview, speech):
    interview = new_interview()
    async with CandidateSocket(server, interview) as sock:
        for _ in range(300):
            await sock.send(b"\x09")
        await sock.ping()
        errors = [e for e in sock.events if e["type"] == "error"]
        notices = [e for e in errors if e["code"] == "too_many_errors"]
        assert len(notices) == 1, notices
        assert 10 <= len(errors) <= 40, len(errors)
        assert [e["code"] for e in errors[:20]] == ["unknown_kind"] * 20  # the burst
        await sock.assert_survives(speech)


async def test_pings_queued_behind_an_oversize_message_log_no_error(
    server, new_interview, speech
):
    """Found by the fuzz: pings queued while `stop` waits for its finals, then a message over
    1 MiB (uvicorn closes the socket: 1009). The flush's events fail to go out on the closed
    socket, then the queued pings were answered on it, and that failure was logged as an
    error of the server."""
    with captured_errors() as errors:
        interview = new_interview()
        async with CandidateSocket(server, interview) as sock:
            await sock.send(start_message())
            await sock.stream(speech[: 3 * 16000])  # speech in flight: stop waits for its final
            await sock.send(json.dumps({"type": "stop"}))
            for _ in range(20):
                await sock.send(PING)
            await sock.send(b"\x01" + bytes(MAX_MESSAGE_BYTES + 1))
            for _ in range(100):
                if sock.closed is not None:
                    break
                await asyncio.sleep(0.1)
            assert sock.close_code == 1009
        await asyncio.sleep(2.0)  # the server ends the session
    assert not errors.records, errors.text()
