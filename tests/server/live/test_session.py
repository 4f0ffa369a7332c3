"""A live session on its own, without Whisper or a server: a recording transcriber behind the
real scheduler, the real VAD and resampler, events collected from its stream."""

from __future__ import annotations

import numpy as np
import pytest

from media.sink import AudioClosed
from server.events.model import Event, EventStream
from server.live.asr_scheduler import AsrScheduler
from server.live.session import LiveSession
from server.live.vision_scheduler import VisionScheduler
from tests.support.fakes import RecordingTranscriber


class Collect:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)


def tone_pcm(seconds: float, rate: int) -> bytes:
    n = np.arange(int(seconds * rate))
    return (np.sin(2 * np.pi * 220 * n / rate) * 8000).astype("<i2").tobytes()


def speech_pcm(jfk, seconds: float) -> tuple[bytes, int]:
    samples, rate = jfk
    return samples[: int(seconds * rate)].astype("<i2").tobytes(), rate


@pytest.fixture
async def session():
    sink = Collect()
    scheduler = AsrScheduler(RecordingTranscriber(cost_s=0.01, text="words"), workers=1)
    scheduler.start()
    vision = VisionScheduler(1)
    live = LiveSession("unit", EventStream("unit", sink), scheduler, vision)
    live.collected = sink  # type: ignore[attr-defined]
    yield live
    await scheduler.close()
    await vision.close()


async def test_the_session_is_the_media_sink_of_a_transport(session, jfk):
    assert session.audio_rate is None and session.accepting_audio
    with pytest.raises(ValueError):
        session.start_audio(96000)
    pcm, rate = speech_pcm(jfk, 3.0)  # "And so my fellow Americans," and its pause
    session.start_audio(rate)
    assert session.audio_rate == rate
    kinds = [(e.type, e.data) for e in session.collected.events]
    assert kinds == [("state", {"state": "listening", "audio_s": None})]
    session.push_audio(pcm)
    assert session.t == pytest.approx(3.0)
    await session.speech.flush()
    finals = [e for e in session.collected.events if e.type == "transcript.final"]
    assert finals and all(f.data["text"] == "words" for f in finals)
    assert 0.0 < finals[0].data["start"] < finals[-1].data["end"] <= 3.0
    # the flush ended the stream: more audio is refused, and a second flush is harmless
    with pytest.raises(AudioClosed):
        session.push_audio(pcm[:3200])
    await session.speech.flush()
    session.stopped = True
    assert not session.accepting_audio


async def test_the_session_clock_counts_samples_at_their_own_rate(session):
    session.start_audio(8000)
    for _ in range(10):
        session.push_audio(tone_pcm(0.1, 8000))
    assert session.t == pytest.approx(1.0)
    metrics = [e for e in session.collected.events if e.type == "metrics"]
    assert metrics and metrics[-1].t == pytest.approx(1.0)
    assert "confidence" in metrics[-1].data  # the vision fields ride on every metrics event


async def test_a_session_far_behind_drops_its_new_audio_and_says_so(jfk):
    """Its untranscribed audio is capped: a slow transcription does not let it queue more."""
    sink = Collect()
    scheduler = AsrScheduler(RecordingTranscriber(cost_s=3.0, text="words"), workers=1)
    live = LiveSession("slow", EventStream("slow", sink), scheduler, VisionScheduler(1),
                       max_backlog_s=1.0)
    pcm, rate = speech_pcm(jfk, 11.0)
    live.start_audio(rate)
    live.push_audio(pcm)  # its utterances close; their finals queue (nothing runs them)
    assert scheduler.session_backlog_s("slow") > 1.0
    live.push_audio(pcm)
    live.push_audio(pcm)
    overloaded = [e for e in sink.events if e.type == "error" and e.data["code"] == "overloaded"]
    assert len(overloaded) == 1  # said once, not for every chunk
    assert live.audio_dropped_s == pytest.approx(22.0, abs=0.01)
    assert live.t == pytest.approx(11.0, abs=0.01)  # the dropped audio did not move the clock
