"""Who may read an interview's data (events, report, recording)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from server.auth import ApiError, can_view, current_user, unauthorized
from server.storage import Interview, Store


async def sees_staff_events(request: Request, interview: Interview) -> bool:
    """`staff.*` events (follow-ups awaiting approval, recruiters' actions) are for spectators
    and recruiters, never for the candidate."""
    token = request.query_params.get("token", "")
    if token:
        return token == interview.spectator_token
    user = await current_user(request)
    return user is not None and user.role in ("recruiter", "admin")


async def interview_for_viewer(request: Request, store: Store) -> Interview:
    """The interview `{interview_id}` if the caller may see it: with its candidate or spectator
    token (`?token=`), or as a signed-in user who may view it (bearer JWT).

    Raises ApiError: 404 unknown interview, 401 no credentials or a bad bearer token, 403 a
    wrong token or a user who may not see the interview."""
    interview = await asyncio.to_thread(store.get_interview, request.path_params["interview_id"])
    if interview is None:
        raise ApiError(404, "not_found", "unknown interview")
    token = request.query_params.get("token", "")
    if token and token in (interview.candidate_token, interview.spectator_token):
        return interview
    user = await current_user(request)
    if user is None and not token:
        raise unauthorized("send ?token= or 'Authorization: Bearer <token>'")
    if not can_view(user, interview):
        raise ApiError(403, "forbidden",
                       "invalid token" if user is None else "you may not see this interview")
    return interview
