"""`/api/health` and the Prometheus `/metrics`."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.live.manager import SessionManager
from server.ops.load import Admission
from server.ops.metrics import Observability


async def health(request: Request) -> JSONResponse:
    manager: SessionManager = request.app.state.sessions
    admission: Admission = request.app.state.admission
    backlog = manager.scheduler.backlog_s
    return JSONResponse(
        {
            "status": "ok",
            "model": manager.scheduler.transcriber.model_name,
            "sessions": len(manager.live),
            "asr_backlog_s": round(backlog, 2),
            "load": admission.stats(admission.load(len(manager.live), backlog)),
        }
    )


async def metrics_endpoint(request: Request) -> Response:
    obs: Observability = request.app.state.observability
    obs.refresh(request.app)
    return Response(generate_latest(obs.registry), media_type=CONTENT_TYPE_LATEST)
