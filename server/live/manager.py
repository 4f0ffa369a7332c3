"""The live sessions of this node: opening (claiming ownership), finding, closing them, and
an interview's events merged from this node's log, the broker and storage."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from media.recorder import SessionRecorder
from server.events.broker import InProcessBroker
from server.events.model import Event, EventStream
from server.live.asr_scheduler import AsrScheduler
from server.live.session import LiveSession, SessionFlow
from server.live.speech import SpeechConfig
from server.live.video import VideoConfig
from server.live.vision_scheduler import VisionScheduler
from server.store.models import Interview
from server.store.ownership import LocalOwnership, RedisOwnership
from server.store.store import Store

log = logging.getLogger(__name__)

#: the turn-taking of a session given its interview row (None: free practice)
InterviewFlowFactory = Callable[[LiveSession, Interview], SessionFlow | None]


class Flushable(Protocol):
    async def flush(self) -> None: ...


class SessionManager:
    """Creates, finds and ends live sessions; owns the shared schedulers and broker."""

    def __init__(self, store: Store, broker: InProcessBroker, scheduler: AsrScheduler,
                 vision: VisionScheduler, *, ownership: LocalOwnership | RedisOwnership,
                 event_writer: Flushable | None = None,
                 flow_factory: InterviewFlowFactory | None = None,
                 speech_config: SpeechConfig | None = None,
                 video_config: VideoConfig | None = None, recordings_dir: str = "") -> None:
        self.store = store
        self.broker = broker
        self.scheduler = scheduler
        self.vision = vision
        self.ownership = ownership
        self.event_writer = event_writer  # flushed before a session is marked ended
        self.flow_factory = flow_factory
        self.speech_config = speech_config
        self.video_config = video_config
        self.recordings_dir = recordings_dir  # "" = no recording
        self.live: dict[str, LiveSession] = {}
        self._lock = asyncio.Lock()

    async def open(self, interview_id: str) -> LiveSession:
        """The live session of an interview, opened (and claimed) if it is not live here."""
        async with self._lock:
            session = self.live.get(interview_id)
            if session is None:
                await self.ownership.claim(interview_id)  # SessionOwnedElsewhere
                last = await asyncio.to_thread(self.store.last_seq, interview_id)
                interview = await asyncio.to_thread(self.store.get_interview, interview_id)
                stream = EventStream(interview_id, self.broker, start_seq=last)
                factory = self.flow_factory
                session = LiveSession(
                    interview_id, stream, self.scheduler, self.vision,
                    speech_config=self.speech_config, video_config=self.video_config,
                    recorder=self._recorder(interview_id),
                    flow_factory=(lambda s: factory(s, interview))
                    if factory is not None and interview is not None else None,
                )
                self.live[interview_id] = session
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
        if session.recorder is not None:
            await session.recorder.aclose()  # finish the recording file
        if session.flow is not None:
            await session.flow.close()  # evaluates the open answer, stores the report
            completed = completed or session.flow.completed
        self.vision.forget(session.id)
        self.live.pop(session.id, None)
        self.broker.mark_local(session.id, False)
        await self.ownership.release(session.id)
        if self.event_writer is not None:
            await self.event_writer.flush()  # a session that is no longer live is all stored
        await asyncio.to_thread(
            self.store.update_interview, session.id,
            status="completed" if completed else "abandoned", ended_at=datetime.now(UTC),
        )

    def _recorder(self, interview_id: str) -> SessionRecorder | None:
        """Record the session's audio and (sampled) video to <recordings_dir>/<id>.webm."""
        if not self.recordings_dir:
            return None
        return SessionRecorder(self.recordings_dir, interview_id)

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
