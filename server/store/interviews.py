"""Queries of interviews: who sees which, listing with filters, deletion, a candidate's own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, delete, func, or_, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, select

from server.store.models import AnswerRecord, EventRecord, Interview, TranscriptSegment, User
from server.store.store import Store


def _invited(uid: int, dialect: str):
    """SQL: `uid` is in the interview's JSON list recruiter_ids."""
    if dialect == "postgresql":
        return cast(Interview.recruiter_ids, JSONB).contains([uid])
    if dialect == "sqlite":
        return text(
            "EXISTS (SELECT 1 FROM json_each(interview.recruiter_ids) AS r WHERE r.value = :rid)"
        ).bindparams(rid=uid)
    as_text = cast(Interview.recruiter_ids, String)
    return or_(*(as_text.like(p) for p in (f"[{uid}]", f"[{uid},%", f"%, {uid},%",
                                           f"%, {uid}]")))


def visible_to(user: User, dialect: str):
    """SQL condition of the interviews `user` may see (None = all)."""
    if user.role == "admin":
        return None
    return or_(Interview.created_by == user.id, Interview.candidate_id == user.id,
               _invited(user.id, dialect))


def matching_interviews(store: Store, user: User, filters: dict[str, Any]) -> list[Interview]:
    """Every interview `user` may see that matches `filters`, newest first.

    `filters`: statuses, role, created_from, created_to, min_score, max_score, candidate_id
    (None/empty = no condition)."""
    with Session(store.engine, expire_on_commit=False) as db:
        stmt = select(Interview)
        condition = visible_to(user, store.engine.dialect.name)
        if condition is not None:
            stmt = stmt.where(condition)
        if filters["statuses"]:
            stmt = stmt.where(Interview.status.in_(filters["statuses"]))  # type: ignore
        if filters["role"]:
            stmt = stmt.where(
                func.lower(Interview.job_role).contains(filters["role"].lower(), autoescape=True)
            )
        if filters["created_from"] is not None:
            stmt = stmt.where(Interview.created_at >= filters["created_from"])
        if filters["created_to"] is not None:
            stmt = stmt.where(Interview.created_at < filters["created_to"])
        if filters["min_score"] is not None:
            stmt = stmt.where(Interview.final_score >= filters["min_score"])
        if filters["max_score"] is not None:
            stmt = stmt.where(Interview.final_score <= filters["max_score"])
        if filters.get("candidate_id") is not None:
            stmt = stmt.where(Interview.candidate_id == filters["candidate_id"])
        rows = db.exec(
            stmt.order_by(Interview.created_at.desc(), Interview.id.desc())  # type: ignore
        ).all()
        return list(rows)


def delete_interview(store: Store, interview_id: str) -> None:
    """Delete an interview with its events, transcript and answers."""
    with Session(store.engine) as db:
        for model in (EventRecord, TranscriptSegment, AnswerRecord):
            db.exec(delete(model).where(model.interview_id == interview_id))  # type: ignore
        db.exec(delete(Interview).where(Interview.id == interview_id))  # type: ignore
        db.commit()


def candidate_interviews(store: Store, user_id: int) -> list[Interview]:
    with Session(store.engine, expire_on_commit=False) as db:
        return list(db.exec(select(Interview).where(Interview.candidate_id == user_id)).all())
