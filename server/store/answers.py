"""Queries of answered questions (`AnswerRecord`)."""

from __future__ import annotations

from sqlmodel import Session, select

from server.store.models import AnswerRecord
from server.store.store import Store


def add_answer(store: Store, record: AnswerRecord) -> None:
    with Session(store.engine) as db:
        db.add(record)
        db.commit()


def answer_records(store: Store, interview_id: str) -> list[AnswerRecord]:
    """The stored answers of an interview, in turn order."""
    with Session(store.engine, expire_on_commit=False) as db:
        return list(db.exec(
            select(AnswerRecord).where(AnswerRecord.interview_id == interview_id)
            .order_by(AnswerRecord.index)
        ).all())
