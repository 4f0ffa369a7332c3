"""No text from no speech, through the real live pipeline: a session with the real VAD, the
real scheduler and the real Whisper model hears a minute of silence, room noise, keyboard
clicks, breathing and music, then jfk.flac (audio pushed at 4x real time)."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from analyzers.asr import AsrResult
from analyzers.text import wer
from analyzers.vad import VadConfig
from server.events.model import Event, EventStream
from server.live.asr_scheduler import AsrScheduler
from server.live.session import LiveSession
from server.live.vision_scheduler import VisionScheduler
from tests.conftest import JFK_TEXT
from tests.support.media import read_audio_16k
from tests.support.nonspeech import SR, breathing, chords, clicks, coloured, pcm16

SPEED = 4.0
CHUNK = SR // 50  # 20 ms


class Collect:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, event: Event) -> None:
        self.events.append(event)


def a_minute_without_speech() -> np.ndarray:
    """10 s each: near silence, pink room noise, brown noise, typing on a noisy desk, breathing,
    music; a pink room-noise floor under all of it."""
    rng = np.random.default_rng(60)  # seeds 61-65 passed too
    n = 10 * SR
    parts = [
        0.0005 * rng.standard_normal(n),
        0.02 * coloured(n, "pink", rng),
        0.03 * coloured(n, "brown", rng),
        clicks(n, rng),
        breathing(n, rng),
        chords(n, rng),
    ]
    audio = np.concatenate(parts)
    return audio + 0.003 * coloured(len(audio), "pink", rng)


@pytest.fixture
async def session(transcriber, monkeypatch):
    decoded: list[tuple[bool, AsrResult]] = []  # (final, result) of every decode
    transcribe = transcriber.transcribe

    def recording(audio, *, prompt="", words=False, retry=True, **how):
        result = transcribe(audio, prompt=prompt, words=words, retry=retry, **how)
        if not result.retry_full:  # a final's first decode, decoded again on the full window
            decoded.append((retry, result))
        return result

    monkeypatch.setattr(transcriber, "transcribe", recording)
    sink = Collect()
    scheduler = AsrScheduler(transcriber, workers=2)
    scheduler.start()
    vision = VisionScheduler(1)
    live = LiveSession("nonspeech", EventStream("nonspeech", sink), scheduler, vision)
    live.collected = sink  # type: ignore[attr-defined]
    live.decoded = decoded  # type: ignore[attr-defined]
    yield live
    await scheduler.close()
    await vision.close()


async def push(session, pcm: np.ndarray) -> None:
    """`pcm` into the session at SPEED x real time, so partials run while audio flows."""
    t0 = asyncio.get_running_loop().time()
    for i in range(0, len(pcm), CHUNK):
        session.push_audio(pcm[i : i + CHUNK].astype("<i2").tobytes())
        due = t0 + (i + CHUNK) / SR / SPEED
        await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))


async def test_a_minute_of_no_speech_gives_no_text_and_speech_still_comes_out(session, jfk):
    noise = pcm16(a_minute_without_speech())
    speech = read_audio_16k(*jfk)
    gap = np.zeros(SR, np.int16)
    session.start_audio(SR)
    await push(session, np.concatenate([noise, gap, speech, gap]))
    await session.speech.flush()
    speech_from = (len(noise) + len(gap)) / SR
    events = session.collected.events
    finals = [e.data for e in events if e.type == "transcript.final"]
    partials = [e.data for e in events if e.type == "transcript.partial"]
    decoded = session.decoded
    # the VAD let some of the noise through, and Whisper heard nothing in it
    noise_finals = [r for final, r in decoded if final and r.filtered]
    assert noise_finals, "the VAD passed no noise to Whisper: this test tests nothing"
    spoken = [f for f in finals if f["text"]]
    heard = [(final, r.text, r.avg_logprob, r.no_speech_prob) for final, r in decoded if r.text]
    assert spoken and all(f["start"] >= speech_from - 0.3 for f in spoken), (spoken, heard)
    # a partial's span starts with the utterance's pre-roll (the audio before the onset)
    preroll = VadConfig().preroll_ms / 1000
    assert not [p for p in partials if p["start"] < speech_from - preroll - 0.1], (partials, heard)
    # a final without text only withdraws a partial of its utterance that was shown
    shown = {p["utterance"] for p in partials}
    assert all(f["utterance"] in shown and not f["words"] for f in finals if not f["text"])
    # the speech is all there, and no final of it needed the full window (latency)
    assert wer(JFK_TEXT, " ".join(f["text"] for f in spoken)) <= 0.1, spoken
    speech_finals = [r for final, r in decoded if final and r.text]
    assert speech_finals and not any(r.fallback for r in speech_finals)
    # nothing of the noise counts as delivery
    metrics = [e.data for e in events if e.type == "metrics"]
    assert metrics[-1]["words"] == len(JFK_TEXT.split())
