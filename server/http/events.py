"""`GET /api/interviews/{id}/events`: an interview's stored events, paged by seq."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.accounts.access import interview_for_viewer, sees_staff_events
from server.accounts.candidate_view import candidate_wire, is_practice
from server.errors import error
from server.live.manager import SessionManager


async def interview_events(request: Request) -> JSONResponse:
    """Stored events of an interview, paged by seq: the candidate or spectator token, or a
    signed-in user who may see the interview."""
    manager: SessionManager = request.app.state.sessions
    interview = await interview_for_viewer(request, manager.store)
    interview_id = interview.id
    try:
        after = int(request.query_params.get("after", 0))
        limit = min(1000, max(1, int(request.query_params.get("limit", 500))))
    except ValueError:
        return error(422, "bad_query", "after and limit must be integers")
    events = await asyncio.to_thread(manager.store.events, interview_id, after, limit)
    staff = await sees_staff_events(request, interview)
    if staff:
        wires = [e.to_wire() for e in events]
    else:  # the candidate, or a viewer who is not staff: the candidate's view
        practice = is_practice(interview)
        wires = [w for w in (candidate_wire(e, practice) for e in events) if w is not None]
    return JSONResponse(
        {
            "events": wires,
            "next_after": events[-1].seq if events else after,
            "more": len(events) == limit,
        }
    )
