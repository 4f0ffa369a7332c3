"""The room's link check: `GET /api/interviews/{id}/check?token=CANDIDATE_TOKEN`.

The candidate's room calls it before it asks for the camera and the microphone, to say in
plain words what it can do with its link:

    200 {"state": "pending"}                                    the room may start
    200 {"state": "live", "open_elsewhere": bool}               resume; `open_elsewhere`: a
                                                                candidate socket is attached now
    200 {"state": "ended", "status": ..., "report_url": ...}    over; `report_url` (`/report/{id}`,
                                                                add `?token=`) only when this token
                                                                may see the report (a practice
                                                                interview: `server.http.report`)
    403 {"state": "invalid"}                                    a wrong or missing token: nothing
                                                                else about the interview
    404 {"state": "unknown"}                                    no such interview
    429 rate_limited (Retry-After)                              over ROOM_CHECKS_PER_IP

Only the candidate token opens the room (the candidate socket refuses any other with 4403), so
only it counts here; a spectator token is "invalid" like any other.
"""

from __future__ import annotations

import asyncio
import os

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.accounts.access import is_candidate_token
from server.accounts.candidate_view import is_practice
from server.accounts.throttle import Rule
from server.http.guards import client_address, guards
from server.store.store import Store

ENDED = frozenset({"completed", "abandoned", "interrupted"})

#: link checks per client address (the `limits` notation); a room checks once per load
CHECK_RULE = Rule.parse("room-check-ip", os.environ.get("ROOM_CHECKS_PER_IP", "120/minute"),
                        "too many link checks from this address")


def _live_elsewhere(request: Request, interview_id: str) -> bool:
    session = request.app.state.sessions.live.get(interview_id)
    return bool(session is not None and session.candidate_connected)


async def interview_check(request: Request) -> JSONResponse:
    await guards(request).throttle.hit(CHECK_RULE, client_address(request))
    store: Store = request.app.state.store
    interview_id = request.path_params["interview_id"]
    interview = await asyncio.to_thread(store.get_interview, interview_id)
    headers = {"Cache-Control": "no-store"}
    if interview is None:
        return JSONResponse({"state": "unknown"}, status_code=404, headers=headers)
    if not is_candidate_token(request.query_params.get("token"), interview):
        return JSONResponse({"state": "invalid"}, status_code=403, headers=headers)
    if interview.status in ENDED:
        body: dict = {"state": "ended", "status": interview.status}
        if is_practice(interview):  # a recruiter-run interview's report is the recruiters'
            body["report_url"] = f"/report/{interview.id}"
        return JSONResponse(body, headers=headers)
    if interview.status == "live":
        return JSONResponse({"state": "live",
                             "open_elsewhere": _live_elsewhere(request, interview.id)},
                            headers=headers)
    return JSONResponse({"state": "pending"}, headers=headers)
