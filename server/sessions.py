"""Live sessions: one per interview while its candidate streams."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from analyzers.confidence import confidence_score
from media.recorder import SessionRecorder
from server.asr_scheduler import AsrScheduler
from server.broker import InProcessBroker
from server.events import Event, EventStream
from server.interview_flow import create_flow
from server.speech import SpeechConfig, SpeechPipeline
from server.storage import Store
from server.video import VideoConfig, VideoPipeline
from server.vision_scheduler import VisionScheduler

log = logging.getLogger(__name__)


class LiveSession:
    """The state of one streaming interview: its event stream and its pipelines."""

    def __init__(self, interview_id: str, stream: EventStream, scheduler: AsrScheduler,
                 vision: VisionScheduler, speech_config: SpeechConfig | None = None,
                 video_config: VideoConfig | None = None) -> None:
        self.id = interview_id
        self.stream = stream
        self.opened = time.monotonic()
        self.speech = SpeechPipeline(interview_id, stream, scheduler, speech_config)
        self.speech.extra_metrics = self.vision_metrics
        self.video = VideoPipeline(interview_id, vision, lambda: self.t, self.error, video_config)
        self.candidate_connected = False
        self.stopped = False
        #: the interview's turn-taking controller, when the interview has questions
        self.flow = None

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

    def emit(self, type_: str, **data) -> None:
        self.stream.emit(type_, self.t, **data)

    def error(self, code: str, message: str) -> None:
        self.emit("error", code=code, message=message)


class SessionManager:
    """Creates, finds and ends live sessions; owns the shared scheduler and broker."""

    def __init__(self, store: Store, broker: InProcessBroker, scheduler: AsrScheduler,
                 vision: VisionScheduler, speech_config: SpeechConfig | None = None,
                 video_config: VideoConfig | None = None) -> None:
        self.store = store
        self.broker = broker
        self.scheduler = scheduler
        self.vision = vision
        self.speech_config = speech_config
        self.video_config = video_config
        self.live: dict[str, LiveSession] = {}
        self.ownership = None  # set by the app: LocalOwnership or RedisOwnership
        self.event_writer = None  # set by the app: flushed before a session is marked ended
        self.interviewer = None  # set by the app: server.llm.Interviewer (for InterviewFlow)
        self.flow_config = None  # set by the app: server.interview_flow.FlowConfig
        self.recordings_dir = ""  # set by the app: settings.recordings_dir ("" = no recording)
        self._lock = asyncio.Lock()

    async def open(self, interview_id: str) -> LiveSession:
        async with self._lock:
            session = self.live.get(interview_id)
            if session is None:
                if self.ownership is not None:
                    await self.ownership.claim(interview_id)  # SessionOwnedElsewhere
                last = await asyncio.to_thread(self.store.last_seq, interview_id)
                stream = EventStream(interview_id, self.broker, start_seq=last)
                session = LiveSession(interview_id, stream, self.scheduler, self.vision,
                                      self.speech_config, self.video_config)
                session.flow = await create_flow(self, session)  # None without questions
                session.recorder = self._recorder(session)
                self.live[interview_id] = session
                if hasattr(self.broker, "mark_local"):
                    self.broker.mark_local(interview_id, True)
                await asyncio.to_thread(
                    self.store.update_interview, interview_id, status="live",
                    started_at=datetime.now(UTC),
                )
            return session

    async def close(self, session: LiveSession, completed: bool) -> None:
        """Finish a session: flush its transcripts, mark the interview and forget it."""
        if session.speech.started and not session.stopped:
            await session.speech.flush()
        recorder = getattr(session, "recorder", None)
        if recorder is not None:
            await recorder.aclose()  # finish the recording file
        if session.flow is not None:
            await session.flow.close()  # evaluates the open answer, stores the report
            completed = completed or session.flow.completed
        self.vision.forget(session.id)
        self.live.pop(session.id, None)
        if hasattr(self.broker, "mark_local"):
            self.broker.mark_local(session.id, False)
        if self.ownership is not None:
            await self.ownership.release(session.id)
        if self.event_writer is not None:
            await self.event_writer.flush()  # a session that is no longer live is all stored
        await asyncio.to_thread(
            self.store.update_interview, session.id,
            status="completed" if completed else "abandoned", ended_at=datetime.now(UTC),
        )

    def _recorder(self, session: LiveSession) -> SessionRecorder | None:
        """Record the session's audio and (sampled) video to <recordings_dir>/<id>.webm."""
        if not self.recordings_dir:
            return None
        recorder = SessionRecorder(self.recordings_dir, session.id)
        speech = session.speech
        speech.pcm_listeners.append(
            lambda pcm, t: recorder.push_audio(pcm, t, speech.resampler.rate)
        )
        session.video.frame_listeners.append(recorder.push_frame)
        return recorder

    async def history(self, interview_id: str, after: int) -> list[Event]:
        """Events of an interview with seq > `after`, from this node's live log, the broker's
        log (Redis) and storage, merged by seq."""
        events: dict[int, Event] = {}
        live = self.live.get(interview_id)
        if live is None or after < live.stream.start_seq:
            stored = await asyncio.to_thread(self.store.events, interview_id, after, 1_000_000)
            events.update((e.seq, e) for e in stored)
            remote = await self.broker.history(interview_id, after)
            for e in remote or ():
                events.setdefault(e.seq, e)
        if live is not None:
            events.update((e.seq, e) for e in live.stream.log if e.seq > after)
        return [events[k] for k in sorted(events)]
