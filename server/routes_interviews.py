"""Interviews API: create (with a question plan), list, read, delete; the caller's statistics.

Visibility: admins see every interview; other users the ones they created, answer (candidate)
or were invited to (`recruiter_ids`). An interview the caller may not see is a 404, so ids do not
leak; one they see but may not change is a 403. Anonymous interviews (made without logging in,
for demos and the `simulate` tool) have no owner and are reached only with their tokens.
Tokens: the creator and the candidate get both; other viewers only the spectator token.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from analyzers.questions import DIFFICULTIES, MAX_QUESTIONS, QUESTION_TYPES
from server.auth import (
    ApiError,
    can_view,
    current_user,
    normalize_email,
    require_user,
    validation_error,
)
from server.routes_api import json_body, page_params, room_url
from server.routes_jobs import get_job
from server.storage import (
    AnswerRecord,
    EventRecord,
    Interview,
    Store,
    TranscriptSegment,
    User,
)

log = logging.getLogger(__name__)

STATUSES = ("pending", "live", "completed", "abandoned", "interrupted")
FINISHED = ("completed", "abandoned", "interrupted")
DEFAULT_NUM_QUESTIONS = 5
MAX_TEXT = 200
MAX_JOB_DESCRIPTION = 4000
MAX_SKILLS = 30
MAX_RECRUITERS = 20
TREND_POINTS = 100


# --------------------------------------------------------------------------- validation


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _clean_text(data: dict, name: str, max_len: int, fields: dict[str, str]) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        fields[name] = "must be a string"
        return ""
    value = " ".join(value.split())
    if len(value) > max_len:
        fields[name] = f"at most {max_len} characters"
    return value


def _clean_skills(value: Any, fields: dict[str, str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fields["skills"] = "must be a list of strings"
        return []
    skills = [" ".join(v.split())[:60] for v in value if v.strip()]
    if len(skills) > MAX_SKILLS:
        fields["skills"] = f"at most {MAX_SKILLS} skills"
    return skills


def _find_users(store: Store, ids: list[int], email: str | None) -> dict[Any, User]:
    with Session(store.engine, expire_on_commit=False) as db:
        found: dict[Any, User] = {}
        if ids:
            for u in db.exec(select(User).where(User.id.in_(ids))).all():  # type: ignore
                found[u.id] = u
        if email:
            u = db.exec(select(User).where(User.email == normalize_email(email))).first()
            if u is not None:
                found[email] = u
        return found


async def clean_new_interview(request: Request, data: dict[str, Any],
                              user: User | None) -> dict[str, Any]:
    """The fields of a new interview from the request body; ApiError 401/403/422."""
    store: Store = request.app.state.store
    fields: dict[str, str] = {}
    out: dict[str, Any] = {
        "title": _clean_text(data, "title", MAX_TEXT, fields),
        "job_role": _clean_text(data, "job_role", MAX_TEXT, fields),
    }
    difficulty = data.get("difficulty", "intermediate")
    if difficulty not in DIFFICULTIES:
        fields["difficulty"] = f"must be one of {', '.join(DIFFICULTIES)}"
    question_type = data.get("question_type", "mixed")
    if question_type not in QUESTION_TYPES:
        fields["question_type"] = f"must be one of {', '.join(QUESTION_TYPES)}"
    out["difficulty"], out["question_type"] = difficulty, question_type
    skills = _clean_skills(data.get("skills"), fields)
    job_description = data.get("job_description") or ""
    if not isinstance(job_description, str):
        fields["job_description"] = "must be a string"
        job_description = ""
    elif len(job_description) > MAX_JOB_DESCRIPTION:
        fields["job_description"] = f"at most {MAX_JOB_DESCRIPTION} characters"

    job_id = data.get("job_id")
    job = None
    if job_id is not None:
        if user is None:
            raise ApiError(401, "unauthorized", "log in to plan an interview from a saved job",
                           headers={"WWW-Authenticate": "Bearer"})
        if _int(job_id) is None:
            fields["job_id"] = "must be an integer"
        else:
            job = await asyncio.to_thread(get_job, store, job_id)
            if job is None:
                fields["job_id"] = "unknown job"
    if job is not None:
        out["job_id"] = job.id
        out["job_role"] = out["job_role"] or job.title
        skills = skills or list(job.skills or [])
        job_description = job_description or job.description

    if "num_questions" in data and data["num_questions"] is not None:
        n = _int(data["num_questions"])
        if n is None or not 1 <= n <= MAX_QUESTIONS:
            fields["num_questions"] = f"an integer from 1 to {MAX_QUESTIONS}"
            n = 0
    else:  # a role or job without a count gets the default plan; nothing at all = free practice
        n = DEFAULT_NUM_QUESTIONS if (out["job_role"] or job_id is not None) else 0
    out["num_questions"] = n

    approve_follow_ups = data.get("approve_follow_ups")
    if approve_follow_ups is not None and not isinstance(approve_follow_ups, bool):
        fields["approve_follow_ups"] = "must be true or false"
    elif approve_follow_ups:  # only a recruiter or admin can approve on the spectator page
        if user is None:
            raise ApiError(401, "unauthorized", "log in to have follow-ups approved",
                           headers={"WWW-Authenticate": "Bearer"})
        if user.role not in ("recruiter", "admin"):
            raise ApiError(403, "forbidden",
                           "only recruiters and admins approve follow-up questions")

    people = await _clean_people(store, data, user, fields)
    if fields:
        raise validation_error(fields)
    out.update(people)
    out["settings"] = {k: v for k, v in (("skills", skills),
                                          ("job_description", job_description),
                                          ("approve_follow_ups", approve_follow_ups is True))
                       if v}
    return out


async def _clean_people(store: Store, data: dict[str, Any], user: User | None,
                        fields: dict[str, str]) -> dict[str, Any]:
    """created_by, candidate_id and recruiter_ids of a new interview."""
    candidate_id = data.get("candidate_id")
    candidate_email = data.get("candidate_email")
    recruiter_ids = data.get("recruiter_ids")
    assigns = candidate_id is not None or candidate_email or recruiter_ids
    if user is None:
        if assigns:
            raise ApiError(401, "unauthorized", "log in to invite a candidate or recruiters",
                           headers={"WWW-Authenticate": "Bearer"})
        return {}
    out: dict[str, Any] = {"created_by": user.id, "recruiter_ids": []}
    if user.role == "candidate":
        own_email = candidate_email in (None, "") or (
            isinstance(candidate_email, str) and normalize_email(candidate_email) == user.email
        )
        if candidate_id not in (None, user.id) or not own_email or recruiter_ids:
            raise ApiError(403, "forbidden", "candidates create interviews for themselves only")
        out["candidate_id"] = user.id
        return out
    wanted_ids: list[int] = []
    if candidate_id is not None:
        if _int(candidate_id) is None:
            fields["candidate_id"] = "must be an integer"
        else:
            wanted_ids.append(candidate_id)
    if candidate_email is not None and not isinstance(candidate_email, str):
        fields["candidate_email"] = "must be a string"
        candidate_email = None
    recruiters: list[int] = []
    if recruiter_ids is not None:
        if not isinstance(recruiter_ids, list) or any(_int(r) is None for r in recruiter_ids):
            fields["recruiter_ids"] = "must be a list of user ids"
        elif len(set(recruiter_ids)) > MAX_RECRUITERS:
            fields["recruiter_ids"] = f"at most {MAX_RECRUITERS} recruiters"
        else:
            recruiters = sorted(set(recruiter_ids) - {user.id})
            wanted_ids += recruiters
    found = await asyncio.to_thread(_find_users, store, wanted_ids, candidate_email or None)
    candidate = found.get(candidate_id) if candidate_id is not None else None
    if candidate_email:
        by_email = found.get(candidate_email)
        if by_email is None:
            fields["candidate_email"] = "no account with this email"
        elif candidate is not None and candidate.id != by_email.id:
            fields["candidate_email"] = "does not match candidate_id"
        candidate = candidate or by_email
    if "candidate_id" not in fields and candidate_id is not None and candidate is None:
        fields["candidate_id"] = "unknown user"
    if candidate is not None:
        if candidate.role != "candidate" or not candidate.is_active:
            fields["candidate_id" if candidate_id is not None else "candidate_email"] = (
                "not an active candidate account"
            )
        out["candidate_id"] = candidate.id
    bad = [r for r in recruiters
           if r not in found or found[r].role not in ("recruiter", "admin")
           or not found[r].is_active]
    if bad:
        fields["recruiter_ids"] = f"not recruiter accounts: {', '.join(map(str, bad))}"
    out["recruiter_ids"] = recruiters
    return out


# --------------------------------------------------------------------------- views


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def interview_json(request: Request, interview: Interview, viewer: User | None, *,
                   creator: bool = False, token: str = "", detail: bool = True) -> dict[str, Any]:
    """An interview as `viewer` may see it. `creator` = the anonymous caller who just made it;
    `token` = the token the caller presented instead of logging in."""
    uid = viewer.id if viewer is not None else None
    is_creator = creator or (uid is not None and uid == interview.created_by)
    is_candidate = (uid is not None and uid == interview.candidate_id) or (
        bool(token) and token == interview.candidate_token
    )
    out: dict[str, Any] = {
        "id": interview.id, "title": interview.title, "job_role": interview.job_role,
        "job_id": interview.job_id, "status": interview.status,
        "created_at": _iso(interview.created_at), "started_at": _iso(interview.started_at),
        "ended_at": _iso(interview.ended_at), "created_by": interview.created_by,
        "candidate_id": interview.candidate_id,
        "recruiter_ids": list(interview.recruiter_ids or []),
        "difficulty": interview.difficulty, "question_type": interview.question_type,
        "num_questions": interview.num_questions, "plan_source": interview.plan_source,
        "final_score": interview.final_score, "knowledge_score": interview.knowledge_score,
        "confidence_score": interview.confidence_score,
        "performance_level": interview.performance_level,
    }
    if detail:
        questions = [dict(q) for q in interview.questions or []]
        reviewer = (creator and viewer is None) or (
            viewer is not None and viewer.role in ("recruiter", "admin") and not is_candidate
        )
        if not reviewer and interview.status not in FINISHED:
            for q in questions:  # candidates see the answer key only after the interview
                q.pop("expected_points", None)
        out["questions"] = questions
        out["report"] = interview.report
    if is_creator or is_candidate:
        out["candidate_token"] = interview.candidate_token
        out["room_url"] = room_url(request, interview.id, interview.candidate_token)
    if is_creator or is_candidate or can_view(viewer, interview) or (
        bool(token) and token == interview.spectator_token
    ):
        out["spectator_token"] = interview.spectator_token
    return out


# --------------------------------------------------------------------------- queries


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


def _parse_when(raw: str, end: bool) -> datetime | None:
    raw = raw.strip()
    try:
        if len(raw) == 10:  # a date: the whole day
            day = date.fromisoformat(raw)
            when = datetime.combine(day + timedelta(days=1 if end else 0), time(), UTC)
        else:
            when = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def list_filters(request: Request) -> dict[str, Any]:
    q = request.query_params
    fields: dict[str, str] = {}
    out: dict[str, Any] = {}
    statuses = [s.strip() for s in q.get("status", "").split(",") if s.strip()]
    if any(s not in STATUSES for s in statuses):
        fields["status"] = f"one or more of {', '.join(STATUSES)} (comma separated)"
    out["statuses"] = statuses
    out["role"] = " ".join(q.get("role", "").split())[:MAX_TEXT]
    for name, end in (("created_from", False), ("created_to", True)):
        raw = q.get(name, "")
        out[name] = None
        if raw.strip():
            out[name] = _parse_when(raw, end)
            if out[name] is None:
                fields[name] = "an ISO date (2025-01-31) or date-time (2025-01-31T12:00:00Z)"
    for name in ("min_score", "max_score"):
        raw = q.get(name, "")
        out[name] = None
        if raw.strip():
            try:
                out[name] = float(raw)
            except ValueError:
                fields[name] = "a number from 0 to 100"
                continue
            if not 0 <= out[name] <= 100:
                fields[name] = "a number from 0 to 100"
    if out["min_score"] is not None and out["max_score"] is not None and (
        out["min_score"] > out["max_score"]
    ):
        fields["min_score"] = "must not exceed max_score"
    if out["created_from"] and out["created_to"] and out["created_from"] > out["created_to"]:
        fields["created_from"] = "must not be after created_to"
    if fields:
        raise validation_error(fields)
    return out


def list_interviews(store: Store, user: User, filters: dict[str, Any], page: int,
                    page_size: int) -> tuple[list[Interview], int]:
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
        total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = db.exec(
            stmt.order_by(Interview.created_at.desc(), Interview.id.desc())  # type: ignore
            .offset((page - 1) * page_size).limit(page_size)
        ).all()
        return list(rows), int(total)


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


def user_stats(rows: list[Interview]) -> dict[str, Any]:
    completed = [r for r in rows if r.status == "completed"]
    scored = sorted((r for r in completed if r.final_score is not None),
                    key=lambda r: (r.ended_at or r.created_at, r.id))

    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(sum(present) / len(present), 1) if present else None

    return {
        "total": len(rows),
        "completed": len(completed),
        "average_score": mean([r.final_score for r in scored]),
        "best_score": max((r.final_score for r in scored), default=None),
        "average_confidence": mean([r.confidence_score for r in completed]),
        "average_knowledge": mean([r.knowledge_score for r in completed]),
        "trend": [
            {"id": r.id, "date": _iso(r.ended_at or r.created_at), "final_score": r.final_score,
             "job_role": r.job_role}
            for r in scored[-TREND_POINTS:]
        ],
    }


# --------------------------------------------------------------------------- endpoints


async def _plan(request: Request, fields: dict[str, Any]) -> None:
    """Generate the question plan into `fields` (Groq when configured, else offline)."""
    interviewer = getattr(request.app.state, "interviewer", None)
    if interviewer is None:
        from server.llm import Interviewer

        interviewer = request.app.state.interviewer = Interviewer()
    settings = fields["settings"]
    try:
        questions, source = await interviewer.plan(
            role=fields["job_role"], difficulty=fields["difficulty"],
            question_type=fields["question_type"], num_questions=fields["num_questions"],
            job_description=settings.get("job_description", ""),
            skills=settings.get("skills") or None,
        )
    except ValueError as exc:  # validated above already; kept as a safety net
        raise validation_error({"num_questions": str(exc)}) from exc
    fields["questions"] = [q.to_dict() for q in questions]
    fields["plan_source"] = source


async def create_interview(request: Request) -> JSONResponse:
    """`POST /api/interviews` -> 201 the interview with its tokens and room_url."""
    user = await current_user(request)  # None = anonymous; a bad token is a 401
    data = await json_body(request)
    fields = await clean_new_interview(request, data, user)
    if fields["num_questions"] >= 1:
        await _plan(request, fields)
    store: Store = request.app.state.store
    interview = await asyncio.to_thread(store.create_interview, **fields)
    return JSONResponse(interview_json(request, interview, user, creator=True), status_code=201)


async def interviews(request: Request) -> JSONResponse:
    """`GET /api/interviews?page&page_size&status&role&created_from&created_to&min_score
    &max_score` (the caller's, newest first) and `POST /api/interviews`."""
    if request.method == "POST":
        return await create_interview(request)
    user = await require_user(request)
    page, page_size = page_params(request)
    filters = list_filters(request)
    rows, total = await asyncio.to_thread(
        list_interviews, request.app.state.store, user, filters, page, page_size
    )
    items = [interview_json(request, r, user, detail=False) for r in rows]
    return JSONResponse({"items": items, "page": page, "page_size": page_size, "total": total})


async def _visible_interview(request: Request) -> tuple[Interview, User | None, str]:
    """The interview of the path if the caller may see it (user or token), else 404."""
    user = await current_user(request)
    token = request.query_params.get("token", "")
    if user is None and not token:
        raise ApiError(401, "unauthorized", "log in, or pass the interview's ?token=",
                       headers={"WWW-Authenticate": "Bearer"})
    store: Store = request.app.state.store
    interview = await asyncio.to_thread(store.get_interview, request.path_params["interview_id"])
    if interview is None:
        raise ApiError(404, "not_found", "unknown interview")
    by_token = bool(token) and token in (interview.candidate_token, interview.spectator_token)
    if not by_token and not can_view(user, interview):
        raise ApiError(404, "not_found", "unknown interview")
    return interview, user, token if by_token else ""


async def interview_detail(request: Request) -> Response:
    """`GET /api/interviews/{id}` (a user who may see it, or its ?token=) and `DELETE` (its
    creator or an admin; 409 while live)."""
    if request.method == "GET":
        interview, user, token = await _visible_interview(request)
        return JSONResponse(interview_json(request, interview, user, token=token))
    user = await require_user(request)
    store: Store = request.app.state.store
    interview = await asyncio.to_thread(store.get_interview, request.path_params["interview_id"])
    if interview is None or not can_view(user, interview):
        raise ApiError(404, "not_found", "unknown interview")
    if user.role != "admin" and interview.created_by != user.id:
        raise ApiError(403, "forbidden", "only the interview's creator or an admin may delete it")
    sessions = getattr(request.app.state, "sessions", None)
    if interview.status == "live" or (sessions is not None and interview.id in sessions.live):
        raise ApiError(409, "live", "the interview is live; end it before deleting it")
    await asyncio.to_thread(delete_interview, store, interview.id)
    return Response(status_code=204)


async def my_stats(request: Request) -> JSONResponse:
    """`GET /api/users/me/stats`: the caller's interviews as a candidate."""
    user = await require_user(request)
    rows = await asyncio.to_thread(candidate_interviews, request.app.state.store, user.id)
    return JSONResponse(user_stats(rows))
