"""HTTP API errors: `ApiError` and its JSON body `{"error": {"code", "message", "fields"?}}`.

Raised anywhere below the HTTP layer (accounts, validation); the app turns them into responses.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse


class ApiError(Exception):
    """An HTTP error with the API's JSON body; raise it from an endpoint."""

    def __init__(self, status: int, code: str, message: str,
                 fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields
        self.headers = headers

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return JSONResponse({"error": body}, status_code=self.status, headers=self.headers)


async def api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


def error(status: int, code: str, message: str) -> JSONResponse:
    """An error response without raising (same body as `ApiError`)."""
    return ApiError(status, code, message).response()


def validation_error(fields: dict[str, str]) -> ApiError:
    message = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return ApiError(422, "validation", message or "invalid request", fields=fields)


def unauthorized(message: str, code: str = "unauthorized") -> ApiError:
    return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"})
