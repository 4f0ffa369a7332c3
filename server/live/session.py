"""A live session: the state of one streaming interview, its event stream and pipelines.

`LiveSession` is the `MediaSink` the transports feed (the WebRTC peer, the candidate socket)
and the emitter of the session's events, on its clock. Its turn-taking (`flow`, when the
interview has questions) comes from a factory passed in: this package does not know it.

A session outlives its candidate's connection: `suspend` (the socket went) pauses the audio
and announces it; `resume` (a socket is back) announces that; `restore` rebuilds the state of
a session from its stored events on a process that did not run it (`server.live.restore`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from analyzers.confidence import confidence_score
from media.pcm import MAX_RATE, MIN_RATE
from media.recorder import SessionRecorder
from media.sink import AudioClosed
from server.events.kinds import (
    CandidateDisconnected,
    CandidateReconnected,
    Error,
    Payload,
    State,
)
from server.events.model import Event, EventStream
from server.live.asr_scheduler import AsrScheduler
from server.live.budget import RealTimeBudget
from server.live.error_budget import ErrorBudget
from server.live.speech import SpeechConfig, SpeechPipeline, SpeechState
from server.live.video import RecordedFrame, VideoConfig, VideoPipeline
from server.live.vision_scheduler import VisionScheduler

#: the session's events with seq > after, from every history source
History = Callable[[int], Awaitable[list[Event]]]


class SessionFlow(Protocol):
    """The turn-taking of a session with questions (`server.interview.flow.InterviewFlow`)."""

    #: every planned question was answered
    completed: bool

    def handles(self, kind: str) -> bool:
        """Whether a candidate message of type `kind` is the flow's."""
        ...

    async def on_message(self, msg: dict) -> None: ...

    async def stop(self) -> None:
        """The candidate stopped (after the speech flush)."""
        ...

    async def close(self) -> None:
        """The session ends without a stop."""
        ...

    async def settle(self, timeout_s: float) -> None:
        """Wait (at most `timeout_s`) for the work in progress: evaluations, the next
        question; the interview goes on afterwards (a server shutting down)."""
        ...

    def restore(self, events: list[Event]) -> None:
        """Continue from a session's stored events (a resume on another process)."""
        ...


FlowFactory = Callable[["LiveSession"], SessionFlow | None]
#: at most one `overloaded` error this often
OVERLOAD_NOTICE_S = 5.0


async def _no_history(after: int) -> list[Event]:
    return []


class LiveSession:
    """The state of one streaming interview: its event stream and its pipelines."""

    def __init__(self, interview_id: str, stream: EventStream, scheduler: AsrScheduler,
                 vision: VisionScheduler, *, speech_config: SpeechConfig | None = None,
                 video_config: VideoConfig | None = None,
                 recorder: SessionRecorder | None = None,
                 flow_factory: FlowFactory | None = None,
                 history: History = _no_history, resume_grace_s: float = 60.0,
                 budget: RealTimeBudget | None = None, max_backlog_s: float = 30.0) -> None:
        self.id = interview_id
        self.stream = stream
        self.history = history
        self.resume_grace_s = resume_grace_s
        self.error_budget = ErrorBudget(self.emit, key=interview_id)  # caps `error` events
        self.opened = time.monotonic()
        #: the degradation ladder's level (`server.live.quality`; 0 = full)
        self.quality_level = 0
        self._wall_base = 0.0  # the clock before audio starts: wall time, from here
        self.speech = SpeechPipeline(interview_id, stream, scheduler, speech_config,
                                     extra_metrics=self.vision_metrics, on_error=self.error)
        self.video = VideoPipeline(interview_id, vision, lambda: self.t, self.error, video_config)
        #: real time enforced on the audio a client sends
        self.audio_budget = budget or RealTimeBudget()
        #: untranscribed audio of this session beyond which its new audio is dropped
        self.max_backlog_s = max_backlog_s
        self.audio_dropped_s = 0.0
        self._overload_notice_at = -1e9
        self.recorder = recorder
        if recorder is not None:
            speech = self.speech
            speech.pcm_listeners.append(
                lambda pcm, t: recorder.push_audio(pcm, t, speech.resampler.rate)
            )
            self.video.frame_listeners.append(recorder.push_frame)
        self.candidate_connected = False
        self.client_ip = ""  # the candidate's address (limits per address)
        #: the candidate connection that owns the session now (a newer one replaces it)
        self.connection: object | None = None
        self.disconnected_at: float | None = None  # monotonic, while the candidate is away
        self.stopped = False
        #: the interview's turn-taking controller, when the interview has questions
        self.flow = flow_factory(self) if flow_factory is not None else None

    @property
    def t(self) -> float:
        """The session clock: seconds of audio received; wall time until audio starts."""
        if self.speech.started:
            return self.speech.t
        return self._wall_base + time.monotonic() - self.opened

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
        self.error_budget.report(Error(code=code, message=message))

    # -- the candidate's connection --------------------------------------------------------
    async def suspend(self, reason: str, close_utterance: bool = False) -> None:
        """The candidate's connection went without `stop`: stop the clock and tell the
        spectators; the session waits `resume_grace_s`. The utterance in progress stays open
        (the candidate goes on with it) unless `close_utterance` (a server handing over)."""
        self.candidate_connected = False
        self.connection = None
        self.disconnected_at = time.monotonic()
        self.speech.pause()
        if close_utterance:
            await self.speech.close_utterance()
        self.emit(CandidateDisconnected(reason=reason, grace_s=self.resume_grace_s))

    def resume(self, connection: object) -> None:
        """A candidate connection (back) in charge of the session."""
        away = self.disconnected_at
        self.candidate_connected = True
        self.connection = connection
        self.disconnected_at = None
        if away is not None:
            self.emit(CandidateReconnected(offline_s=round(time.monotonic() - away, 2)))

    def restore(self, events: list[Event], speech: SpeechState) -> None:
        """Rebuild the state of a session from its events (it ran on another process)."""
        self.speech.restore(speech)
        self._wall_base = speech.t
        self.disconnected_at = time.monotonic()
        if self.flow is not None:
            self.flow.restore(events)

    # -- MediaSink -------------------------------------------------------------------------
    @property
    def accepting_audio(self) -> bool:
        return not self.stopped

    @property
    def audio_rate(self) -> int | None:
        return self.speech.resampler.rate if self.speech.running else None

    def start_audio(self, rate: int) -> None:
        """Start (or, after a pause, resume) the speech pipeline at `rate` Hz and announce
        `state: listening`."""
        if not MIN_RATE <= rate <= MAX_RATE:
            raise ValueError(f"sample_rate must be {MIN_RATE}..{MAX_RATE}, got {rate}")
        self.speech.start(rate)
        self.emit(State(state="listening"))

    def push_audio(self, pcm: bytes) -> None:
        if self.stopped or not self.speech.running:
            raise AudioClosed("the stream is not taking audio")
        if self.speech.scheduler.session_backlog_s(self.id) > self.max_backlog_s:
            self.audio_dropped_s += len(pcm) / 2 / self.speech.resampler.rate
            now = time.monotonic()
            if now - self._overload_notice_at >= OVERLOAD_NOTICE_S:
                self._overload_notice_at = now
                self.error("overloaded", "transcription is behind; audio is being dropped "
                                         "until it catches up")
            return
        self.speech.push_pcm(pcm)

    def push_video(self, frame: RecordedFrame) -> None:
        self.video.submit_frame(frame)

    def media_error(self, code: str, message: str) -> None:
        self.error(code, message)
