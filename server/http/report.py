"""The interview report API.

`GET /api/interviews/{id}/report` is allowed with the interview's candidate or spectator token
(`?token=`) or with a bearer access token of a user who may see the interview
(`server.accounts.access.can_view`: its candidate, its creator, an invited recruiter, an
admin). It returns the report stored when the interview finished; an interview that has no
stored report yet (still live, or ended abruptly) gets a partial report built from its stored
events (`"partial": true`).
The candidate of a recruiter-run interview gets 403 `recruiters_only`
(`server.accounts.candidate_view`).
Errors: 404 unknown interview; 401 no credentials or a bad / expired bearer token; 403 a wrong
`token` or a user who may not see the interview; 409 `no_answers` while no answer was evaluated.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from analyzers.session_report import report_from_events
from server.accounts.access import interview_for_viewer, is_candidate_viewer
from server.accounts.candidate_view import is_practice
from server.errors import error
from server.store.models import Interview
from server.store.store import Store

PAGE_SIZE = 1000


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def interview_meta(interview: Interview) -> dict[str, Any]:
    return {
        "id": interview.id, "title": interview.title, "job_role": interview.job_role,
        "status": interview.status, "difficulty": interview.difficulty,
        "question_type": interview.question_type,
        "num_questions": interview.num_questions or len(interview.questions or []),
        "created_at": _iso(interview.created_at), "started_at": _iso(interview.started_at),
        "ended_at": _iso(interview.ended_at), "plan_source": interview.plan_source,
        "practice": is_practice(interview),
    }


def stored_report(store: Store, interview: Interview) -> dict[str, Any] | None:
    """The report built from the interview's stored events (None: nothing evaluated yet)."""
    events, after = [], 0
    while True:
        page = store.events(interview.id, after, PAGE_SIZE)
        events += page
        if len(page) < PAGE_SIZE:
            break
        after = page[-1].seq
    return report_from_events(events, list(interview.questions or []))


async def interview_report(request: Request) -> JSONResponse:
    store: Store = request.app.state.store
    interview = await interview_for_viewer(request, store)
    candidate = await is_candidate_viewer(request, interview)
    if candidate and not is_practice(interview):
        return error(403, "recruiters_only",
                     "the recruiters review this interview; its report is theirs to share")
    report, partial = interview.report, False
    if not report:
        report = await asyncio.to_thread(stored_report, store, interview)
        partial = True
    if not report:
        return error(409, "no_answers", "no answer has been evaluated yet")
    return JSONResponse({**report, "partial": partial, "interview": interview_meta(interview)})
