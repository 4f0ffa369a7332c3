"""Interviews API: create (with a question plan), list, read, delete; the caller's statistics.

Visibility: admins see every interview; other users the ones they created, answer (candidate)
or were invited to (`recruiter_ids`). An interview the caller may not see is a 404, so ids do not
leak; one they see but may not change is a 403. Anonymous interviews (made without logging in,
for demos and the `simulate` tool) have no owner and are reached only with their tokens.
Tokens: the candidate gets its candidate token only (with the room's URL), never the spectator
token; the creator gets both (an anonymous creator too: hand only the room's URL to the
candidate); other staff (invited recruiters, admins) and spectator-token holders only the
spectator token.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.accounts.access import can_view, is_candidate_token, is_spectator_token, is_staff
from server.accounts.candidate_view import candidate_questions, is_practice, redact_interview
from server.accounts.identity import current_user, require_user
from server.errors import ApiError, validation_error
from server.http.guards import guards
from server.http.interview_fields import clean_new_interview, list_filters
from server.http.interview_outcome import (
    candidate_json,
    candidates_of,
    outcome,
    questions_answered,
    questions_planned,
    running_ids,
    summary,
)
from server.http.question_fields import question_warnings
from server.http.requests import json_body, page_params, room_url
from server.interview.llm import Interviewer
from server.store.interviews import candidate_interviews, delete_interview, matching_interviews
from server.store.models import Interview, User
from server.store.store import Store

FINISHED = ("completed", "abandoned", "interrupted")
TREND_POINTS = 100


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
    is_candidate = (uid is not None and uid == interview.candidate_id) or is_candidate_token(
        token, interview
    )
    practice = is_practice(interview)
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
        if not reviewer and not (practice and interview.status in FINISHED):
            questions = candidate_questions(questions)  # the answer key: after practice only
        out["questions"] = questions
        out["report"] = interview.report
    if is_candidate and not is_creator and not practice:
        redact_interview(out, interview)  # a recruiter-run interview: no judgments
    out["practice"] = practice
    if is_creator or is_candidate:
        out["candidate_token"] = interview.candidate_token
        out["room_url"] = room_url(request, interview.id, interview.candidate_token)
    if not is_candidate and (
        is_creator or is_staff(viewer, interview) or is_spectator_token(token, interview)
    ):  # the spectator token shows staff events: never to the candidate
        out["spectator_token"] = interview.spectator_token
    return out



def user_stats(rows: list[Interview], *, practice_only: bool = False) -> dict[str, Any]:
    """Counts, averages and the score trend of `rows`; `practice_only`: scores only from
    practice interviews (a candidate's own view: recruiter-run judgments are not theirs)."""
    completed = [r for r in rows if r.status == "completed"]
    judged = [r for r in completed if is_practice(r)] if practice_only else completed
    scored = sorted((r for r in judged if r.final_score is not None),
                    key=lambda r: (r.ended_at or r.created_at, r.id))

    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(sum(present) / len(present), 1) if present else None

    return {
        "total": len(rows),
        "completed": len(completed),
        "average_score": mean([r.final_score for r in scored]),
        "best_score": max((r.final_score for r in scored), default=None),
        "average_confidence": mean([r.confidence_score for r in judged]),
        "average_knowledge": mean([r.knowledge_score for r in judged]),
        "trend": [
            {"id": r.id, "date": _iso(r.ended_at or r.created_at), "final_score": r.final_score,
             "job_role": r.job_role}
            for r in scored[-TREND_POINTS:]
        ],
    }


# --------------------------------------------------------------------------- endpoints


async def _plan(request: Request, fields: dict[str, Any]) -> None:
    """Generate the question plan into `fields` (Groq when configured, else offline)."""
    interviewer: Interviewer = request.app.state.interviewer
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
    """`POST /api/interviews` -> 201 the interview with its tokens and room_url; anonymous
    creation is rate-limited (429) per address and on the whole server."""
    user = await current_user(request)  # None = anonymous; a bad token is a 401
    if user is None:
        await guards(request).before_anonymous_interview(request)
    data = await json_body(request)
    fields = await clean_new_interview(request, data, user)
    if fields["num_questions"] >= 1 and "questions" not in fields:
        await _plan(request, fields)  # else the recruiter's own questions
    store: Store = request.app.state.store
    interview = await asyncio.to_thread(store.create_interview, **fields)
    out = interview_json(request, interview, user, creator=True)
    if fields.get("plan_source") == "recruiter":
        out["warnings"] = question_warnings(fields["questions"])
    return JSONResponse(out, status_code=201)


async def interviews(request: Request) -> JSONResponse:
    """`GET /api/interviews?page&page_size&status&role&created_from&created_to&min_score
    &max_score&candidate_id` (the caller's, newest first; each with its `outcome` and
    `candidate`, and the `summary` of every matching one) and `POST /api/interviews`."""
    if request.method == "POST":
        return await create_interview(request)
    user = await require_user(request)
    page, page_size = page_params(request)
    filters = list_filters(request)
    store: Store = request.app.state.store
    rows = await asyncio.to_thread(matching_interviews, store, user, filters)
    running = await running_ids(request.app.state, rows)
    people = await asyncio.to_thread(candidates_of, store, rows)
    items = []
    for r in rows:
        item = interview_json(request, r, user, detail=False)
        item["outcome"] = outcome(r, r.id in running)
        item["questions_answered"] = questions_answered(r)
        item["questions_planned"] = questions_planned(r)
        item["candidate"] = candidate_json(r, people)
        items.append(item)
    start = (page - 1) * page_size
    return JSONResponse({"items": items[start:start + page_size], "page": page,
                         "page_size": page_size, "total": len(items),
                         "summary": summary(items)})


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
    by_token = is_candidate_token(token, interview) or is_spectator_token(token, interview)
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
    if interview.status == "live" or interview.id in request.app.state.sessions.live:
        raise ApiError(409, "live", "the interview is live; end it before deleting it")
    await asyncio.to_thread(delete_interview, store, interview.id)
    return Response(status_code=204)


async def my_stats(request: Request) -> JSONResponse:
    """`GET /api/users/me/stats`: the caller's interviews as a candidate."""
    user = await require_user(request)
    rows = await asyncio.to_thread(candidate_interviews, request.app.state.store, user.id)
    return JSONResponse(user_stats(rows, practice_only=True))
