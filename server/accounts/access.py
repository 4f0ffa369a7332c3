"""Who may see and do what with an interview: viewers, watchers, recruiters who act, staff
events, and the interview of a request as its caller may see it."""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

from starlette.requests import HTTPConnection, Request

from server.accounts.identity import current_user, signed_in_user
from server.errors import ApiError, unauthorized
from server.store.models import Interview, User
from server.store.store import Store

#: roles that may act on a live interview (ask, approve, reject) when it is theirs
ACTING_ROLES = ("recruiter", "admin")


def tokens_match(given: str | None, expected: str | None) -> bool:
    """Whether a presented token is the expected one, in constant time (no timing leak of how
    much of it matched); empty or missing tokens never match."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def is_candidate_token(token: str | None, interview: Interview) -> bool:
    return tokens_match(token, interview.candidate_token)


def is_spectator_token(token: str | None, interview: Interview) -> bool:
    return tokens_match(token, interview.spectator_token)


def can_view(user: User | None, interview: Interview) -> bool:
    """Admins see every interview; others the ones they created, answer or were invited to."""
    if user is None:
        return False
    if user.role == "admin":
        return True
    return user.id is not None and (
        user.id in (interview.created_by, interview.candidate_id)
        or user.id in (interview.recruiter_ids or [])
    )


def may_act(user: User | None, interview: Interview) -> bool:
    """Admins, and recruiters who created the interview or were invited to it."""
    if user is None or not user.is_active or user.role not in ACTING_ROLES:
        return False
    if user.role == "admin":
        return True
    return user.id is not None and (
        user.id == interview.created_by or user.id in (interview.recruiter_ids or [])
    )


def is_staff(user: User | None, interview: Interview) -> bool:
    """A signed-in recruiter or admin who may see the interview and is not its candidate: sees
    its `staff.*` events and its spectator token."""
    return (user is not None and user.role in ACTING_ROLES and can_view(user, interview)
            and user.id != interview.candidate_id)


def actor(user: User) -> dict[str, Any]:
    """Who did it, as the `by` of the staff events."""
    return {"user_id": user.id, "username": user.username, "role": user.role}


async def user_can_watch(conn: HTTPConnection, interview: Interview) -> bool:
    """A signed-in user allowed to see the interview may watch it (spectator socket, video)."""
    try:
        user = await current_user(conn)
    except ApiError:
        return False
    return can_view(user, interview)


def spectator_allowed(conn: HTTPConnection, interview: Interview, user: User | None) -> bool:
    """The interview's spectator token (`?token=`), or a signed-in user with rights to see it."""
    if is_spectator_token(conn.query_params.get("token"), interview):
        return True
    return can_view(user, interview)


def sees_staff(conn: HTTPConnection, interview: Interview, user: User | None) -> bool:
    """`staff.*` events (follow-ups awaiting approval, recruiters' actions) are for the holders
    of the spectator token (`?token=`) and staff (`is_staff`), never for the candidate."""
    return is_spectator_token(conn.query_params.get("token"), interview) or is_staff(
        user, interview
    )


async def sees_staff_events(request: Request, interview: Interview) -> bool:
    """`sees_staff` of a request, whose bearer token (if any, and valid) tells its user."""
    if is_spectator_token(request.query_params.get("token"), interview):
        return True
    return is_staff(await signed_in_user(request), interview)


async def interview_for_viewer(request: Request, store: Store) -> Interview:
    """The interview `{interview_id}` if the caller may see it: with its candidate or spectator
    token (`?token=`), or as a signed-in user who may view it (bearer JWT).

    Raises ApiError: 404 unknown interview, 401 no credentials or a bad bearer token, 403 a
    wrong token or a user who may not see the interview."""
    interview = await asyncio.to_thread(store.get_interview, request.path_params["interview_id"])
    if interview is None:
        raise ApiError(404, "not_found", "unknown interview")
    token = request.query_params.get("token", "")
    if is_candidate_token(token, interview) or is_spectator_token(token, interview):
        return interview
    user = await current_user(request)
    if user is None and not token:
        raise unauthorized("send ?token= or 'Authorization: Bearer <token>'")
    if not can_view(user, interview):
        raise ApiError(403, "forbidden",
                       "invalid token" if user is None else "you may not see this interview")
    return interview


async def is_candidate_viewer(request: Request, interview: Interview) -> bool:
    """Whether the caller sees the interview as its candidate (`candidate_view`): with its
    candidate token, or signed in as its candidate and not as its staff."""
    token = request.query_params.get("token", "")
    if is_candidate_token(token, interview):
        return True
    if is_spectator_token(token, interview):
        return False
    user = await signed_in_user(request)
    return (user is not None and user.id == interview.candidate_id
            and not is_staff(user, interview))
