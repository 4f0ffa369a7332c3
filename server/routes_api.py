"""HTTP API: health, stored events, and the request helpers of the other route modules."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.access import interview_for_viewer, sees_staff_events
from server.auth import ApiError, validation_error
from server.sessions import SessionManager


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _parse(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "bad_json", f"body is not JSON: {exc.msg}") from exc
    except ValueError as exc:  # not UTF-8
        raise ApiError(400, "bad_json", "body is not UTF-8 JSON") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "body must be a JSON object")
    return data


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object ({} for an empty body); ApiError 400 otherwise."""
    return _parse(await request.body())


async def read_json(request: Request) -> dict | JSONResponse:
    """Like `json_body`, returning the 400 response instead of raising it."""
    try:
        return await json_body(request)
    except ApiError as exc:
        return exc.response()


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
    return JSONResponse(
        {
            "events": [e.to_wire() for e in events if staff or not e.type.startswith("staff.")],
            "next_after": events[-1].seq if events else after,
            "more": len(events) == limit,
        }
    )


def page_params(request: Request, default_size: int = 20, max_size: int = 100) -> tuple[int, int]:
    """`page` (from 1) and `page_size` (1..max_size) query parameters; ApiError 422 otherwise."""
    fields = {}
    values = {}
    for name, default, high in (("page", 1, None), ("page_size", default_size, max_size)):
        raw = request.query_params.get(name, "")
        try:
            value = int(raw) if raw.strip() else default
        except ValueError:
            value = None
        if value is None or value < 1 or (high is not None and value > high):
            fields[name] = "an integer from 1" + (f" to {high}" if high else "")
        values[name] = value
    if fields:
        raise validation_error(fields)
    return values["page"], values["page_size"]
