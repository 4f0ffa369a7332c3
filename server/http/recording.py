"""Recordings of interviews: the WebM file of a session (HTTP Range supported, so players can
seek)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from server.accounts.access import interview_for_viewer
from server.errors import error
from server.live.manager import SessionManager

#: the Matroska codec id of VP8; the tracks are described in the file's first few KiB
_VP8_CODEC_ID = b"V_VP8"
_HEADER_BYTES = 8192


def recording_path(directory: str, interview_id: str) -> Path | None:
    """The recording file of an interview, or None when recording is off or there is none."""
    if not directory:
        return None
    path = Path(directory) / f"{interview_id}.webm"
    try:
        return path if path.stat().st_size > 0 else None
    except OSError:
        return None


def media_type(path: Path) -> str:
    """`video/webm` when the file has a video track, else `audio/webm`."""
    with open(path, "rb") as f:
        head = f.read(_HEADER_BYTES)
    return "video/webm" if _VP8_CODEC_ID in head else "audio/webm"


async def interview_recording(request: Request) -> Response:
    """`GET /api/interviews/{id}/recording?token=`: the candidate or spectator token, or a
    signed-in user (bearer JWT) who may see the interview."""
    manager: SessionManager = request.app.state.sessions
    interview = await interview_for_viewer(request, manager.store)
    interview_id = interview.id
    path = await asyncio.to_thread(
        recording_path, request.app.state.settings.recordings_dir, interview_id
    )
    if path is None:
        return error(404, "no_recording", "this interview has no recording")
    kind = await asyncio.to_thread(media_type, path)
    # FileResponse answers Range requests (206, Content-Range) and HEAD; the file may still
    # grow while the interview is live, so it must not be cached
    return FileResponse(path, media_type=kind, headers={"Cache-Control": "no-cache"})

