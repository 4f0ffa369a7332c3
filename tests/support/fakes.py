"""Shared fakes: a media sink, a scripted live session, a recording transcriber, a clock.

They let a session's logic (the WebRTC peer, the interview flow, the ASR scheduler) be
unit-tested without Whisper, MediaPipe or a server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import av
import numpy as np

from analyzers.asr import AsrResult
from media.sink import AudioClosed
from server.events.kinds import Error, Payload
from server.events.model import Event, EventStream


@dataclass
class ManualClock:
    """A session clock moved by hand."""

    t: float = 0.0


class FakeMediaSink:
    """A `MediaSink` that records what a transport pushes."""

    def __init__(self, rate: int | None = None) -> None:
        self.rate = rate
        self.pcm: list[bytes] = []
        self.frames: list[Callable[[], np.ndarray]] = []
        self.errors: list[tuple[str, str]] = []
        self.starts: list[int] = []
        self.stopped = False

    @property
    def accepting_audio(self) -> bool:
        return not self.stopped

    @property
    def audio_rate(self) -> int | None:
        return self.rate

    def start_audio(self, rate: int) -> None:
        assert self.rate is None, "start_audio() twice"
        self.rate = rate
        self.starts.append(rate)

    def push_audio(self, pcm: bytes) -> None:
        if self.stopped:
            raise AudioClosed
        self.pcm.append(pcm)

    def push_video(self, frame: av.VideoFrame | Callable[[], np.ndarray]) -> None:
        self.frames.append(frame)

    def media_error(self, code: str, message: str) -> None:
        self.errors.append((code, message))


class _Log:
    def publish(self, event: Event) -> None:
        pass


class ScriptedSpeech:
    """The parts of a `SpeechPipeline` the interview flow uses."""

    def __init__(self) -> None:
        self.final_listeners: list[Callable[[dict], None]] = []
        self.tick_listeners: list[Callable[[float], None]] = []
        self.speaking = False
        self.last_speech_end: float | None = None


class ScriptedSession:
    """The parts of a `LiveSession` the interview flow uses, driven by hand: `tick(t)` is a
    metrics tick at session time t, `say(text, start, end)` a final transcript."""

    def __init__(self, session_id: str = "stub", clock: ManualClock | None = None) -> None:
        self.id = session_id
        self.clock = clock or ManualClock()
        self.speech = ScriptedSpeech()
        self.stream = EventStream(self.id, _Log())
        self.arrived: dict[int, float] = {}  # seq -> wall time it was emitted

    @property
    def t(self) -> float:
        return self.clock.t

    def emit(self, payload: Payload) -> Event:
        event = self.stream.emit(payload, self.t)
        self.arrived[event.seq] = time.monotonic()
        return event

    def error(self, code: str, message: str) -> None:
        self.emit(Error(code=code, message=message))

    def tick(self, t: float) -> None:
        self.clock.t = t
        for listener in self.speech.tick_listeners:
            listener(t)

    def say(self, text: str, start: float, end: float) -> None:
        self.clock.t = end + 0.3
        self.speech.last_speech_end = end
        for listener in self.speech.final_listeners:
            listener({"utterance": 0, "text": text, "start": start, "end": end, "words": []})

    async def history(self, after: int) -> list[Event]:
        return [e for e in self.stream.log if e.seq > after]

    def of(self, kind: str) -> list[Event]:
        return [e for e in self.stream.log if e.type == kind]


class RecordingTranscriber:
    """A `Transcriber` stand-in with a fixed cost that records its calls; the text is `text`,
    else the prompt (so a test can label jobs)."""

    model_name = "recording"

    def __init__(self, cost_s: float = 0.05, text: str = "") -> None:
        self.cost_s = cost_s
        self.text = text
        self.calls: list[tuple[str, bool, float, float]] = []  # (label, words, start, end)
        self._lock = threading.Lock()

    def transcribe(self, audio: np.ndarray, *, prompt: str = "", words: bool = False,
                   retry: bool = True, defer_retry: bool = False,
                   full_window: bool = False) -> AsrResult:
        """A prompt starting "unsure" stands for an unreliable trimmed decode: it asks for the
        full window (`defer_retry`) or costs 4x (`retry`), as the real one does."""
        start = time.perf_counter()
        unsure = prompt.startswith("unsure") and not full_window
        time.sleep(self.cost_s * (4 if unsure and retry and not defer_retry else 1))
        label = f"{prompt}+full" if full_window else prompt
        with self._lock:
            self.calls.append((label, words, start, time.perf_counter()))
        if unsure and retry and defer_retry:
            return AsrResult(text="", retry_full=True)
        return AsrResult(text=self.text or prompt, fallback=full_window)
