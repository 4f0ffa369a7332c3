"""The database tables (sqlmodel): users, jobs, interviews, answers, events, transcript.

After changing a model, add a migration: `.venv/bin/alembic revision --autogenerate -m "..."`.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


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
    #: recruiter-authored questions (`server.http.question_fields`); [] = a generated plan
    questions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
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
