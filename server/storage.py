"""Persistence with sqlmodel: SQLite by default, PostgreSQL by URL.

The database is used from worker threads (`asyncio.to_thread`); events are written in batches
by `EventWriter`, a subscriber of every session's stream.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlalchemy.pool import StaticPool
from sqlmodel import Field, Session, SQLModel, create_engine, select

from server.events import Event

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class User(SQLModel, table=True):
    # "Alice" and "alice" are one username (alembic 0003)
    __table_args__ = (Index("ix_user_username_lower", text("lower(username)"), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    username: str = Field(index=True, unique=True)
    full_name: str = ""
    password_hash: str
    role: str = Field(default="candidate", index=True)  # candidate | recruiter | admin
    is_active: bool = True
    created_at: datetime = Field(default_factory=_now)


class Job(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(index=True)
    description: str = ""
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    experience: str = ""  # e.g. "3-5 years"
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)


class Interview(SQLModel, table=True):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, primary_key=True)
    created_at: datetime = Field(default_factory=_now, index=True)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    status: str = Field(default="pending", index=True)  # pending | live | completed | abandoned
    title: str = ""
    job_role: str = Field(default="", index=True)
    candidate_token: str = Field(default_factory=lambda: secrets.token_urlsafe(24))
    spectator_token: str = Field(default_factory=lambda: secrets.token_urlsafe(24))
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    # who: the creator, the candidate who answers, recruiters invited to watch and review
    created_by: int | None = Field(default=None, foreign_key="user.id", index=True)
    candidate_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    recruiter_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON))
    # what: the question plan
    job_id: int | None = Field(default=None, foreign_key="job.id")
    difficulty: str = "intermediate"  # beginner | intermediate | advanced
    question_type: str = "mixed"  # technical | behavioral | mixed
    num_questions: int = 0  # 0 = free practice with no questions
    questions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    plan_source: str = ""  # groq | offline
    # results, written when the interview completes
    final_score: float | None = Field(default=None, index=True)
    knowledge_score: float | None = None
    confidence_score: float | None = None
    performance_level: str | None = None
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class AnswerRecord(SQLModel, table=True):
    """One answered question (or follow-up) with its evaluation and the delivery measured."""

    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(index=True, foreign_key="interview.id")
    index: int  # order of the turn within the interview
    question: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    is_follow_up: bool = False
    answer: str = ""
    start: float = 0.0  # session clock
    end: float = 0.0
    score: int = 0
    evaluation: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    delivery: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class EventRecord(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("interview_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(index=True, foreign_key="interview.id")
    seq: int
    type: str = Field(index=True)
    t: float
    wall: float
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class TranscriptSegment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(index=True, foreign_key="interview.id")
    utterance: int
    start: float
    end: float
    text: str
    words: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))


class Store:
    """Synchronous repository; call it through `asyncio.to_thread` from async code."""

    def __init__(self, url: str) -> None:
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
            if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
                kwargs["poolclass"] = StaticPool
        else:
            kwargs["pool_pre_ping"] = True
        self.url = url
        self.engine = create_engine(url, **kwargs)
        from server.migrations import upgrade

        upgrade(self.engine)  # Alembic: create or upgrade the schema to the models' version

    def create_interview(self, **fields: Any) -> Interview:
        with Session(self.engine, expire_on_commit=False) as db:
            interview = Interview(**fields)
            db.add(interview)
            db.commit()
            return interview

    def get_interview(self, interview_id: str) -> Interview | None:
        with Session(self.engine, expire_on_commit=False) as db:
            return db.get(Interview, interview_id)

    def update_interview(self, interview_id: str, **fields: Any) -> None:
        with Session(self.engine) as db:
            interview = db.get(Interview, interview_id)
            if interview is None:
                return
            for k, v in fields.items():
                setattr(interview, k, v)
            db.add(interview)
            db.commit()

    def live_interview_ids(self) -> list[str]:
        with Session(self.engine) as db:
            return list(db.exec(select(Interview.id).where(Interview.status == "live")).all())

    def interrupt_live(self, keep) -> int:
        """Mark live interviews for which `keep(id)` is false as interrupted; returns count."""
        n = 0
        for interview_id in self.live_interview_ids():
            if not keep(interview_id):
                self.update_interview(interview_id, status="interrupted", ended_at=_now())
                n += 1
        return n

    def add_events(self, events: list[Event]) -> None:
        with Session(self.engine) as db:
            for e in events:
                db.add(
                    EventRecord(
                        interview_id=e.session_id, seq=e.seq, type=e.type, t=e.t, wall=e.wall,
                        data=e.data,
                    )
                )
                if e.type == "transcript.final":
                    db.add(
                        TranscriptSegment(
                            interview_id=e.session_id,
                            utterance=e.data["utterance"],
                            start=e.data["start"],
                            end=e.data["end"],
                            text=e.data["text"],
                            words=e.data.get("words", []),
                        )
                    )
            db.commit()

    def events(self, interview_id: str, after: int = 0, limit: int = 1000) -> list[Event]:
        with Session(self.engine) as db:
            rows = db.exec(
                select(EventRecord)
                .where(EventRecord.interview_id == interview_id, EventRecord.seq > after)
                .order_by(EventRecord.seq)
                .limit(limit)
            ).all()
            return [
                Event(interview_id, r.seq, r.type, r.t, r.data or {}, r.wall) for r in rows
            ]

    def last_seq(self, interview_id: str) -> int:
        with Session(self.engine) as db:
            row = db.exec(
                select(EventRecord.seq)
                .where(EventRecord.interview_id == interview_id)
                .order_by(EventRecord.seq.desc())  # type: ignore[attr-defined]
                .limit(1)
            ).first()
            return int(row or 0)

    def transcript(self, interview_id: str) -> list[TranscriptSegment]:
        with Session(self.engine, expire_on_commit=False) as db:
            return list(
                db.exec(
                    select(TranscriptSegment)
                    .where(TranscriptSegment.interview_id == interview_id)
                    .order_by(TranscriptSegment.start)
                ).all()
            )


class EventWriter:
    """Writes every published event to the store in batches, off the event loop."""

    def __init__(self, store: Store, interval_s: float = 0.2, max_batch: int = 500) -> None:
        self.store = store
        self.interval_s = interval_s
        self.max_batch = max_batch
        self._buffer: list[Event] = []
        self._task: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    def deliver(self, event: Event) -> None:
        self._buffer.append(event)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            await self.flush()

    async def flush(self) -> None:
        """Write everything delivered so far (waiting for a write already in progress)."""
        async with self._lock:
            await self._flush()

    async def _flush(self) -> None:
        while self._buffer:
            batch, self._buffer = self._buffer[: self.max_batch], self._buffer[self.max_batch :]
            try:
                await asyncio.to_thread(self.store.add_events, batch)
            except Exception:  # noqa: BLE001 - keep the events and retry on the next tick
                log.exception("storing %d events failed; will retry", len(batch))
                self._buffer[:0] = batch
                return

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.flush()
