"""Validation of the interviews API's input: a new interview's fields, the list's filters."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from starlette.requests import Request

from analyzers.questions import DIFFICULTIES, MAX_QUESTIONS, QUESTION_TYPES
from server.errors import ApiError, validation_error
from server.http.question_fields import clean_questions
from server.store.jobs import get_job
from server.store.models import User
from server.store.store import Store
from server.store.users import find_users, normalize_email

STATUSES = ("pending", "live", "completed", "abandoned", "interrupted")
DEFAULT_NUM_QUESTIONS = 5
MAX_TEXT = 200
MAX_JOB_DESCRIPTION = 4000
MAX_SKILLS = 30
MAX_RECRUITERS = 20


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

    authored = data.get("questions")
    if authored is None and job is not None and job.questions:
        authored = list(job.questions)  # the job's own questions, already validated
        out["questions"] = [dict(q, difficulty=difficulty) for q in authored]
    elif authored is not None:
        out["questions"] = clean_questions(authored, fields, difficulty)
    if "questions" in out:
        out["plan_source"] = "recruiter"
        out["num_questions"] = len(out["questions"])
        if data.get("num_questions") not in (None, out["num_questions"]):
            fields["num_questions"] = "must match the number of questions given (or be left out)"
    elif "num_questions" in data and data["num_questions"] is not None:
        n = _int(data["num_questions"])
        if n is None or not 1 <= n <= MAX_QUESTIONS:
            fields["num_questions"] = f"an integer from 1 to {MAX_QUESTIONS}"
            n = 0
    else:  # a role or job without a count gets the default plan; nothing at all = free practice
        n = DEFAULT_NUM_QUESTIONS if (out["job_role"] or job_id is not None) else 0
    if "questions" not in out:
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

    practice = _practice(data.get("practice"), user, fields)
    people = await _clean_people(store, data, user, fields)
    if fields:
        raise validation_error(fields)
    out.update(people)
    out["settings"] = {k: v for k, v in (("skills", skills),
                                          ("job_description", job_description),
                                          ("approve_follow_ups", approve_follow_ups is True))
                       if v}
    out["settings"]["practice"] = practice
    return out


def _practice(value: Any, user: User | None, fields: dict[str, str]) -> bool:
    """Whether the candidate sees coaching and scores (`server.accounts.candidate_view`): a
    candidate's own interview always is practice; a recruiter's or admin's is not unless
    asked for; an anonymous one is unless `"practice": false`."""
    if value is not None and not isinstance(value, bool):
        fields["practice"] = "must be true or false"
        return False
    if user is not None and user.role == "candidate":
        if value is False:
            fields["practice"] = "a candidate's own interview is always practice"
        return True
    if user is not None:
        return value is True
    return value is not False


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
    found = await asyncio.to_thread(find_users, store, wanted_ids, candidate_email or None)
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
    raw = q.get("candidate_id", "").strip()
    out["candidate_id"] = int(raw) if raw.isdigit() else None
    if raw and out["candidate_id"] is None:
        fields["candidate_id"] = "a user id (a whole number)"
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
