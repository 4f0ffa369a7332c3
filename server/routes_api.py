"""HTTP API: health, interviews, stored events."""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.sessions import SessionManager


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def read_json(request: Request) -> dict | JSONResponse:
    body = await request.body()
    if not body:
        return {}
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        return error(400, "bad_json", f"body is not JSON: {exc.msg}")
    if not isinstance(data, dict):
        return error(400, "bad_json", "body must be a JSON object")
    return data


async def health(request: Request) -> JSONResponse:
    manager: SessionManager = request.app.state.sessions
    return JSONResponse(
        {
            "status": "ok",
            "model": manager.scheduler.transcriber.model_name,
            "sessions": len(manager.live),
            "asr_backlog_s": round(manager.scheduler.backlog_s, 2),
        }
    )


def room_url(request: Request, interview_id: str, token: str) -> str:
    base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}/room/{interview_id}?token={token}"


async def create_interview(request: Request) -> JSONResponse:
    data = await read_json(request)
    if isinstance(data, JSONResponse):
        return data
    manager: SessionManager = request.app.state.sessions
    fields = {
        "title": str(data.get("title") or ""),
        "job_role": str(data.get("job_role") or ""),
    }
    interview = await asyncio.to_thread(manager.store.create_interview, **fields)
    return JSONResponse(
        {
            "id": interview.id,
            "candidate_token": interview.candidate_token,
            "spectator_token": interview.spectator_token,
            "room_url": room_url(request, interview.id, interview.candidate_token),
            "status": interview.status,
        },
        status_code=201,
    )


async def interview_events(request: Request) -> JSONResponse:
    """Stored events of an interview, paged by seq; candidate or spectator token."""
    manager: SessionManager = request.app.state.sessions
    interview_id = request.path_params["interview_id"]
    interview = await asyncio.to_thread(manager.store.get_interview, interview_id)
    if interview is None:
        return error(404, "not_found", "unknown interview")
    token = request.query_params.get("token", "")
    if token not in (interview.candidate_token, interview.spectator_token) or not token:
        return error(403, "forbidden", "invalid token")
    try:
        after = int(request.query_params.get("after", 0))
        limit = min(1000, max(1, int(request.query_params.get("limit", 500))))
    except ValueError:
        return error(422, "bad_query", "after and limit must be integers")
    events = await asyncio.to_thread(manager.store.events, interview_id, after, limit)
    return JSONResponse(
        {
            "events": [e.to_wire() for e in events],
            "next_after": events[-1].seq if events else after,
            "more": len(events) == limit,
        }
    )
