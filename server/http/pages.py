"""The HTML pages: files of `static/` (the pages load their data from the API)."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse

STATIC = Path(os.environ.get("STATIC_DIR") or Path(__file__).resolve().parents[2] / "static")


def page(name: str):
    """An endpoint serving `static/{name}.html`."""

    async def endpoint(request: Request) -> FileResponse:
        return FileResponse(STATIC / f"{name}.html")

    endpoint.__name__ = f"{name}_page"
    return endpoint
