"""A live session: the state of one streaming interview, its event stream and pipelines.

`LiveSession` is the `MediaSink` the transports feed (the WebRTC peer, the candidate socket)
and the emitter of the session's events, on its clock. Its turn-taking (`flow`, when the
interview has questions) comes from a factory passed in: this package does not know it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import numpy as np

from analyzers.confidence import confidence_score
from media.pcm import MAX_RATE, MIN_RATE
from media.recorder import SessionRecorder
from media.sink import AudioClosed
from server.events.kinds import Error, Payload, State
from server.events.model import Event, EventStream
from server.live.asr_scheduler import AsrScheduler
from server.live.speech import SpeechConfig, SpeechPipeline
from server.live.video import VideoConfig, VideoPipeline
from server.live.vision_scheduler import VisionScheduler


class SessionFlow(Protocol):
    """The turn-taking of a session with questions (`server.interview.flow.InterviewFlow`)."""

    #: every planned question was answered
    completed: bool

    def handles(self, kind: object) -> bool:
        """Whether a candidate message of type `kind` is the flow's."""
        ...

    async def on_message(self, msg: dict) -> None: ...

    async def stop(self) -> None:
        """The candidate stopped (after the speech flush)."""
        ...

    async def close(self) -> None:
        """The session ends without a stop."""
        ...


FlowFactory = Callable[["LiveSession"], SessionFlow | None]


class LiveSession:
    """The state of one streaming interview: its event stream and its pipelines."""

    def __init__(self, interview_id: str, stream: EventStream, scheduler: AsrScheduler,
                 vision: VisionScheduler, *, speech_config: SpeechConfig | None = None,
                 video_config: VideoConfig | None = None,
                 recorder: SessionRecorder | None = None,
                 flow_factory: FlowFactory | None = None) -> None:
        self.id = interview_id
        self.stream = stream
        self.opened = time.monotonic()
        self.speech = SpeechPipeline(interview_id, stream, scheduler, speech_config,
                                     extra_metrics=self.vision_metrics)
        self.video = VideoPipeline(interview_id, vision, lambda: self.t, self.error, video_config)
        self.recorder = recorder
        if recorder is not None:
            speech = self.speech
            speech.pcm_listeners.append(
                lambda pcm, t: recorder.push_audio(pcm, t, speech.resampler.rate)
            )
            self.video.frame_listeners.append(recorder.push_frame)
        self.candidate_connected = False
        self.stopped = False
        #: the interview's turn-taking controller, when the interview has questions
        self.flow = flow_factory(self) if flow_factory is not None else None

    @property
    def t(self) -> float:
        """The session clock: seconds of audio received; wall time until audio starts."""
        if self.speech.started:
            return self.speech.t
        return time.monotonic() - self.opened

    def vision_metrics(self, speech: dict) -> dict:
        """Vision fields and the combined confidence score for a `metrics` event."""
        vision = self.video.metrics()
        posture = vision.get("posture", {}).get("label") if vision else None
        spoke = speech.get("speaking_s", 0) > 0
        confidence = confidence_score(
            eye_contact=vision.get("eye_contact"),
            posture=posture,
            wpm=speech["wpm"] if spoke else None,
            fillers_per_min=speech["fillers_per_min"] if spoke else None,
            pause_ratio=speech["pause_ratio"] if spoke else None,
        )
        return {**vision, "confidence": confidence}

    # -- events ----------------------------------------------------------------------------
    def emit(self, payload: Payload) -> Event:
        """Emit an event of the session at the session clock's time."""
        return self.stream.emit(payload, self.t)

    def error(self, code: str, message: str) -> None:
        self.emit(Error(code=code, message=message))

    # -- MediaSink -------------------------------------------------------------------------
    @property
    def accepting_audio(self) -> bool:
        return not self.stopped

    @property
    def audio_rate(self) -> int | None:
        return self.speech.resampler.rate if self.speech.resampler is not None else None

    def start_audio(self, rate: int) -> None:
        """Start the speech pipeline at `rate` Hz and announce `state: listening`."""
        if not MIN_RATE <= rate <= MAX_RATE:
            raise ValueError(f"sample_rate must be {MIN_RATE}..{MAX_RATE}, got {rate}")
        self.speech.start(rate)
        self.emit(State(state="listening"))

    def push_audio(self, pcm: bytes) -> None:
        if self.stopped:
            raise AudioClosed("the stream was stopped")
        self.speech.push_pcm(pcm)

    def push_video(self, to_rgb: Callable[[], np.ndarray]) -> None:
        self.video.submit_frame(to_rgb)

    def media_error(self, code: str, message: str) -> None:
        self.error(code, message)
