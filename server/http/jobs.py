"""Job descriptions: `/api/jobs`. Every signed-in user reads; recruiters and admins write
(a recruiter changes or deletes only the jobs they created, an admin any)."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.accounts.identity import require_user
from server.errors import ApiError, validation_error
from server.http.question_fields import authored_view, clean_questions, question_warnings
from server.http.requests import json_body, page_params
from server.store.jobs import delete_job, get_job, list_jobs, save_job
from server.store.models import Job, User
from server.store.store import Store

WRITERS = ("recruiter", "admin")
MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_SKILLS = 50
MAX_SKILL = 60
MAX_EXPERIENCE = 100
MAX_QUERY = 200


def _text(data: dict, name: str, max_len: int, fields: dict[str, str], *,
          required: bool = False, multiline: bool = False) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            fields[name] = "required"
        return None
    if not isinstance(value, str):
        fields[name] = "must be a string"
        return None
    value = value.strip() if multiline else " ".join(value.split())
    if required and not value:
        fields[name] = "required"
    elif len(value) > max_len:
        fields[name] = f"at most {max_len} characters"
    return value


def _skills(value: Any, fields: dict[str, str]) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):  # "python, sql" is accepted too
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fields["skills"] = "must be a list of strings"
        return None
    out: list[str] = []
    seen: set[str] = set()
    for skill in value:
        skill = " ".join(skill.split())
        if not skill or skill.lower() in seen:
            continue
        if len(skill) > MAX_SKILL:
            fields["skills"] = f"each skill at most {MAX_SKILL} characters"
            return None
        seen.add(skill.lower())
        out.append(skill)
    if len(out) > MAX_SKILLS:
        fields["skills"] = f"at most {MAX_SKILLS} skills"
        return None
    return out


def clean_job(data: dict[str, Any], partial: bool) -> dict[str, Any]:
    """The job fields present in `data`, validated (all of them unless `partial`)."""
    fields: dict[str, str] = {}
    out: dict[str, Any] = {
        "title": _text(data, "title", MAX_TITLE, fields, required=not partial or "title" in data),
        "description": _text(data, "description", MAX_DESCRIPTION, fields, multiline=True),
        "skills": _skills(data.get("skills"), fields),
        "experience": _text(data, "experience", MAX_EXPERIENCE, fields),
        "questions": None if data.get("questions") is None
        else clean_questions(data["questions"], fields),
    }
    unknown = set(data) - set(out) - {"id", "created_by", "created_at", "updated_at"}
    for name in sorted(unknown):
        fields[name] = "unknown field"
    if fields:
        raise validation_error(fields)
    defaults = {"description": "", "skills": [], "experience": "", "questions": []}  # nulls
    return {k: (defaults[k] if v is None else v) for k, v in out.items()
            if not partial or k in data}


def job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id, "title": job.title, "description": job.description,
        "skills": list(job.skills or []), "experience": job.experience,
        "questions": authored_view(list(job.questions or [])),
        "created_by": job.created_by,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "updated_at": job.updated_at.isoformat() if job.updated_at else None,
        "warnings": question_warnings(list(job.questions or [])) if job.questions else [],
    }


# --------------------------------------------------------------------------- endpoints


def _job_id(request: Request) -> int:
    try:
        return int(request.path_params["job_id"])
    except ValueError as exc:
        raise ApiError(404, "not_found", "unknown job") from exc


async def _writable_job(request: Request) -> tuple[User, Job]:
    user = await require_user(request, WRITERS)
    job = await asyncio.to_thread(get_job, request.app.state.store, _job_id(request))
    if job is None:
        raise ApiError(404, "not_found", "unknown job")
    if user.role != "admin" and job.created_by != user.id:
        raise ApiError(403, "forbidden", "only the recruiter who created this job or an admin "
                       "may change it")
    return user, job


async def jobs(request: Request) -> JSONResponse:
    """`GET /api/jobs?page&page_size&q&mine=1` and `POST /api/jobs`."""
    store: Store = request.app.state.store
    if request.method == "POST":
        user = await require_user(request, WRITERS)
        fields = clean_job(await json_body(request), partial=False)
        job = await asyncio.to_thread(save_job, store, None, fields, user)
        return JSONResponse(job_json(job), status_code=201)
    user = await require_user(request)
    page, page_size = page_params(request)
    query = request.query_params.get("q", "").strip()[:MAX_QUERY]
    mine = request.query_params.get("mine", "") in ("1", "true", "yes")
    rows, total = await asyncio.to_thread(
        list_jobs, store, page, page_size, query, user.id if mine else None
    )
    return JSONResponse({"items": [job_json(j) for j in rows], "page": page,
                         "page_size": page_size, "total": total})


async def job_detail(request: Request) -> Response:
    """`GET | PUT | PATCH | DELETE /api/jobs/{job_id}`."""
    store: Store = request.app.state.store
    if request.method == "GET":
        await require_user(request)
        job = await asyncio.to_thread(get_job, store, _job_id(request))
        if job is None:
            raise ApiError(404, "not_found", "unknown job")
        return JSONResponse(job_json(job))
    _, job = await _writable_job(request)
    if request.method == "DELETE":
        await asyncio.to_thread(delete_job, store, job.id)
        return Response(status_code=204)
    fields = clean_job(await json_body(request), partial=request.method == "PATCH")
    job = await asyncio.to_thread(save_job, store, job.id, fields)
    return JSONResponse(job_json(job))
