"""The repository: the engine (SQLite by default, PostgreSQL by URL) and the queries of
interviews, events and transcripts. The other query modules of this package take a `Store`.

Synchronous: async code calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine, select

from server.events.model import Event
from server.store.models import EventRecord, Interview, TranscriptSegment


def _now() -> datetime:
    return datetime.now(UTC)


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
        from server.store.migrations import upgrade

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

    def add_new_events(self, events: list[Event]) -> int:
        """`add_events` of the events whose (interview, seq) is not stored yet; returns how
        many were left out."""
        with Session(self.engine) as db:
            stored: set[tuple[str, int]] = set()
            for interview_id in {e.session_id for e in events}:
                seqs = [e.seq for e in events if e.session_id == interview_id]
                stored.update((interview_id, seq) for seq in db.exec(
                    select(EventRecord.seq).where(EventRecord.interview_id == interview_id,
                                                  EventRecord.seq.in_(seqs))).all())
        fresh = [e for e in events if (e.session_id, e.seq) not in stored]
        fresh = list({(e.session_id, e.seq): e for e in fresh}.values())
        if fresh:
            self.add_events(fresh)
        return len(events) - len(fresh)

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
        last = self.last_event(interview_id)
        return last.seq if last is not None else 0

    def last_event(self, interview_id: str) -> Event | None:
        with Session(self.engine) as db:
            r = db.exec(
                select(EventRecord)
                .where(EventRecord.interview_id == interview_id)
                .order_by(EventRecord.seq.desc())  # type: ignore[attr-defined]
                .limit(1)
            ).first()
            return None if r is None else Event(interview_id, r.seq, r.type, r.t, r.data or {},
                                                r.wall)

    def transcript(self, interview_id: str) -> list[TranscriptSegment]:
        with Session(self.engine, expire_on_commit=False) as db:
            return list(
                db.exec(
                    select(TranscriptSegment)
                    .where(TranscriptSegment.interview_id == interview_id)
                    .order_by(TranscriptSegment.start)
                ).all()
            )
