"""Request helpers of the HTTP endpoints: JSON bodies, paging parameters, the room's URL."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from server.errors import ApiError, validation_error


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


def room_url(request: Request, interview_id: str, token: str) -> str:
    base = request.app.state.settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}/room/{interview_id}?token={token}"
