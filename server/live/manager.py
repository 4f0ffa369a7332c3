"""The live sessions of this node: opening (claiming ownership, rebuilding a resumed session
from its events), the candidate's comings and goings, closing, draining on shutdown, finishing
orphans, and an interview's events merged from this node's log, the broker and storage."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from media.recorder import SessionRecorder
from server.events.broker import InProcessBroker
from server.events.model import Event, EventStream
from server.live.asr_scheduler import AsrScheduler
from server.live.restore import server_went_away, speech_state
from server.live.session import History, LiveSession, SessionFlow
from server.live.speech import SpeechConfig
from server.live.video import VideoConfig
from server.live.vision_scheduler import VisionScheduler
from server.store.models import Interview
from server.store.ownership import LocalOwnership, RedisOwnership, SessionOwnedElsewhere
from server.store.store import Store

log = logging.getLogger(__name__)

#: the turn-taking of a session given its interview row (None: free practice)
InterviewFlowFactory = Callable[[LiveSession, Interview], SessionFlow | None]
#: how often orphaned interviews (their server went away) are looked at
ORPHAN_CHECK_S = 2.0
#: on shutdown, how long the candidates may finish the utterance they are in
UTTERANCE_WAIT_S = 3.0


class Flushable(Protocol):
    async def flush(self) -> None: ...


class SessionManager:
    """Creates, finds, suspends and ends live sessions; owns the shared schedulers."""

    def __init__(self, store: Store, broker: InProcessBroker, scheduler: AsrScheduler,
                 vision: VisionScheduler, *, ownership: LocalOwnership | RedisOwnership,
                 event_writer: Flushable | None = None,
                 flow_factory: InterviewFlowFactory | None = None,
                 speech_config: SpeechConfig | None = None,
                 video_config: VideoConfig | None = None, recordings_dir: str = "",
                 resume_grace_s: float = 60.0) -> None:
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
        self.resume_grace_s = resume_grace_s
        self.live: dict[str, LiveSession] = {}
        #: shutting down: no session opens, the live ones are handed over (`drain`)
        self.draining = False
        self._lock = asyncio.Lock()
        self._graces: dict[str, asyncio.Task] = {}
        self._orphans: asyncio.Task | None = None

    # -- opening -------------------------------------------------------------------------------
    async def open(self, interview_id: str) -> LiveSession:
        """The live session of an interview: this node's, or opened (claimed) here, rebuilt
        from its stored events when it ran before. SessionOwnedElsewhere when another node
        runs it."""
        async with self._lock:
            session = self.live.get(interview_id)
            if session is None:
                await self.ownership.claim(interview_id)
                interview = await asyncio.to_thread(self.store.get_interview, interview_id)
                session = await self._build(interview_id, interview)
                self.live[interview_id] = session
                self.broker.mark_local(interview_id, True)
                fields: dict = {"status": "live"}
                if interview is None or interview.started_at is None:
                    fields["started_at"] = datetime.now(UTC)
                await asyncio.to_thread(self.store.update_interview, interview_id, **fields)
            return session

    async def _build(self, interview_id: str, interview: Interview | None) -> LiveSession:
        if self.event_writer is not None:
            await self.event_writer.flush()  # events of an earlier session still in flight
        events = await self.recover(interview_id)
        stream = EventStream(interview_id, self.broker,
                             start_seq=events[-1].seq if events else 0)
        factory = self.flow_factory

        async def history(after: int) -> list[Event]:
            return await self.history(interview_id, after)

        self.vision.prepare()  # its worker processes start while the candidate's camera does
        session = LiveSession(
            interview_id, stream, self.scheduler, self.vision,
            speech_config=self.speech_config, video_config=self.video_config,
            recorder=self._recorder(interview_id),
            flow_factory=(lambda s: factory(s, interview))
            if factory is not None and interview is not None else None,
            history=history, resume_grace_s=self.resume_grace_s,
        )
        if events:
            session.restore(events, speech_state(events))
            log.info("session %s resumed from %d stored events", interview_id, len(events))
        return session

    def _recorder(self, interview_id: str) -> SessionRecorder | None:
        """Record the session's audio and (sampled) video to <recordings_dir>/<id>.webm."""
        if not self.recordings_dir:
            return None
        return SessionRecorder(self.recordings_dir, interview_id)

    # -- the candidate comes and goes ----------------------------------------------------------
    def attach(self, session: LiveSession, connection: object) -> None:
        """A candidate connection takes the session over (new, back, or replacing another)."""
        grace = self._graces.pop(session.id, None)
        if grace is not None:
            grace.cancel()
        session.resume(connection)

    async def detach(self, session: LiveSession, reason: str = "closed") -> None:
        """The candidate's connection went without `stop`: the session waits
        `resume_grace_s` for them, then ends."""
        await session.suspend(reason)
        self._graces[session.id] = asyncio.create_task(self._grace(session, reason))

    async def _grace(self, session: LiveSession, reason: str) -> None:
        await asyncio.sleep(self.resume_grace_s)
        self._graces.pop(session.id, None)
        if self.live.get(session.id) is session and not session.candidate_connected:
            status = "interrupted" if reason == "server_restart" else "abandoned"
            log.info("session %s: no candidate within %.0f s; %s", session.id,
                     self.resume_grace_s, status)
            await self.close(session, completed=False, status=status)

    # -- closing -------------------------------------------------------------------------------
    async def close(self, session: LiveSession, completed: bool,
                    status: str | None = None) -> None:
        """Finish a session: flush its transcripts, evaluate and report, mark the interview
        (`completed`, else `status`, default `abandoned`) and forget it."""
        grace = self._graces.pop(session.id, None)
        if grace is not None and grace is not asyncio.current_task():
            grace.cancel()
        if session.speech.started and not session.stopped:
            await session.speech.flush()
        if session.recorder is not None:
            await session.recorder.aclose()  # finish the recording file
        if session.flow is not None:
            await session.flow.close()  # evaluates the open answer, stores the report
            completed = completed or session.flow.completed
        if self.event_writer is not None:  # stored before it stops being live: a session
            await self.event_writer.flush()  # rebuilt from storage then continues its seqs
        self._forget(session)
        await self.ownership.release(session.id)
        await asyncio.to_thread(
            self.store.update_interview, session.id,
            status="completed" if completed else (status or "abandoned"),
            ended_at=datetime.now(UTC),
        )

    def _forget(self, session: LiveSession) -> None:
        self.vision.forget(session.id)
        self.scheduler.forget(session.id)
        if self.live.get(session.id) is session:
            del self.live[session.id]
        self.broker.mark_local(session.id, False)

    async def drain(self, settle_s: float = 10.0) -> list[LiveSession]:
        """Shutting down: open no more sessions; for each live one, close the open utterance,
        finish its finals and evaluations, say `candidate.disconnected` (`server_restart`),
        store everything and hand the interview over (it stays live: its candidate resumes it
        on the restarted server or another node). Returns the sessions drained."""
        self.draining = True
        sessions = list(self.live.values())
        deadline = time.monotonic() + UTTERANCE_WAIT_S  # a clean cut: between two utterances
        while any(s.speech.running and s.speech.vad.in_speech for s in sessions) \
                and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        for session in sessions:
            with contextlib.suppress(Exception):
                await session.suspend("server_restart", close_utterance=True)
        for session in sessions:
            if session.flow is not None:
                await session.flow.settle(settle_s)
        for task in self._graces.values():
            task.cancel()
        self._graces.clear()
        for session in sessions:
            if session.recorder is not None:
                await session.recorder.aclose()
            self._forget(session)
            await self.ownership.release(session.id)
        if self.event_writer is not None:
            await self.event_writer.flush()
        return sessions

    # -- orphans: interviews whose server went away ----------------------------------------
    def start(self) -> None:
        self._orphans = asyncio.create_task(self._watch_orphans())

    async def stop(self) -> None:
        for task in [self._orphans, *self._graces.values()]:
            if task is not None:
                task.cancel()
        await asyncio.gather(*[t for t in [self._orphans, *self._graces.values()] if t],
                             return_exceptions=True)

    async def _watch_orphans(self) -> None:
        while True:
            try:
                await self.finish_orphans()
            except Exception:  # noqa: BLE001 - looked at again next round
                log.exception("checking orphaned interviews failed")
            await asyncio.sleep(ORPHAN_CHECK_S)

    async def finish_orphans(self) -> int:
        """End the orphaned interviews whose candidate did not come back within the grace
        period after their last event; returns how many."""
        done = 0
        for interview_id in await self.ownership.orphans():
            if self.draining or interview_id in self.live:
                continue
            last = await asyncio.to_thread(self.store.last_event, interview_id)
            if last is not None and time.time() - last.wall < self.resume_grace_s:
                continue
            try:
                session = await self.open(interview_id)
            except SessionOwnedElsewhere:
                continue  # another node took it (its candidate came back there)
            if session.candidate_connected:
                continue
            events = await self.history(interview_id, 0)
            status = "interrupted" if server_went_away(events) else "abandoned"
            log.warning("interview %s lost its server and its candidate; %s", interview_id,
                        status)
            await self.close(session, completed=False, status=status)
            done += 1
        return done

    # -- history ---------------------------------------------------------------------------
    async def recover(self, interview_id: str) -> list[Event]:
        """Every event of an interview about to be (re)built, and storage made whole: events a
        node published but did not live to store (SIGKILL between its publish and its writer's
        flush) are only in the broker's log; the candidate saw them, so they are stored now."""
        events = await self.history(interview_id, 0)
        if events:
            await asyncio.to_thread(self.store.add_new_events, events)
        return events

    async def history(self, interview_id: str, after: int) -> list[Event]:
        """Events of an interview with seq > `after`, from this node's live log, the broker's
        log (Redis) and storage, merged by seq."""
        events: dict[int, Event] = {}
        live = self.live.get(interview_id)
        if live is None or after + 1 < live.stream.first_kept_seq:
            stored = await asyncio.to_thread(self.store.events, interview_id, after, 1_000_000)
            events.update((e.seq, e) for e in stored)
            remote = await self.broker.history(interview_id, after)
            for e in remote or ():
                events.setdefault(e.seq, e)
        if live is not None:
            events.update((e.seq, e) for e in live.stream.log if e.seq > after)
        return [events[k] for k in sorted(events)]


__all__ = ["History", "SessionManager"]
