"""The Starlette application and its lifecycle."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from analyzers.asr import Transcriber
from server.asr_scheduler import AsrScheduler
from server.auth import ApiError, TokenIssuer, api_error_handler, load_jwt_secret
from server.broker import InProcessBroker
from server.commands import CommandBus
from server.config import Settings
from server.interview_flow import FlowConfig
from server.llm import Interviewer
from server.observability import Observability, SpectatorStats, metrics_endpoint
from server.ownership import LocalOwnership, RedisOwnership
from server.redis_broker import RedisBroker
from server.routes_api import health, interview_events
from server.routes_auth import login, me, register
from server.routes_interviews import interview_detail, interviews, my_stats
from server.routes_jobs import job_detail, jobs
from server.routes_recording import interview_recording
from server.routes_report import dashboard_page, interview_report, report_page
from server.routes_webrtc import close_all_peers, spectator_video_offer, webrtc_offer
from server.sessions import SessionManager
from server.speech import SpeechConfig
from server.storage import EventWriter, Store
from server.vision_scheduler import VisionScheduler
from server.ws_candidate import candidate_endpoint
from server.ws_spectator import spectator_endpoint

log = logging.getLogger(__name__)
STATIC = Path(os.environ.get("STATIC_DIR") or Path(__file__).resolve().parent.parent / "static")


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.parent and str(path.parent) not in ("", "."):
            path.parent.mkdir(parents=True, exist_ok=True)


async def room_page(request):
    return FileResponse(STATIC / "room.html")


async def spectator_page(request):
    return FileResponse(STATIC / "spectator.html")


async def replay_page(request):
    return FileResponse(STATIC / "replay.html")


def create_app(settings: Settings | None = None, speech_config: SpeechConfig | None = None,
               transcriber: Transcriber | None = None) -> Starlette:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        _ensure_sqlite_dir(settings.database_url)
        store = Store(settings.database_url)
        engine = transcriber or Transcriber(
            settings.whisper_model,
            workers=settings.asr_workers,
            cpu_threads=settings.asr_threads,
            beam_size=settings.asr_beam_size,
        )
        scheduler = AsrScheduler(engine, settings.asr_workers, settings.asr_max_backlog_s)
        scheduler.start()
        vision = VisionScheduler(settings.vision_workers)
        vision.start()
        broker = RedisBroker(settings.redis_url) if settings.redis_url else InProcessBroker()
        await broker.start()
        writer = EventWriter(store)
        broker.add_sink(writer)
        observability = Observability()
        broker.add_sink(observability)
        writer.start()
        app.state.settings = settings
        app.state.store = store
        app.state.tokens = TokenIssuer(load_jwt_secret(settings), settings.jwt_expires_min)
        app.state.observability = observability
        app.state.spectators = SpectatorStats()
        manager = SessionManager(store, broker, scheduler, vision, speech_config)
        manager.event_writer = writer
        manager.ownership = (
            RedisOwnership(settings.redis_url, settings.node_id, store, settings.owner_ttl_s,
                           node_url=settings.node_url)
            if settings.redis_url
            else LocalOwnership(store)
        )
        await manager.ownership.start(lambda sid: sid in manager.live)
        app.state.interviewer = Interviewer(
            api_key=settings.groq_api_key, model=settings.groq_model,
            base_url=settings.groq_base_url or None,
        )
        manager.interviewer = app.state.interviewer
        manager.recordings_dir = settings.recordings_dir
        manager.flow_config = FlowConfig(answer_pause_s=settings.answer_pause_s,
                                         answer_max_s=settings.answer_max_s)
        app.state.sessions = manager
        # recruiters' actions from spectator sockets, routed to the session's node
        commands = CommandBus(manager, settings.node_id, settings.redis_url)
        await commands.start()
        app.state.commands = commands
        log.info("server ready: node=%s model=%s db=%s broker=%s", settings.node_id,
                 engine.model_name, settings.database_url, type(broker).__name__)
        try:
            yield
        finally:
            await close_all_peers()
            for session in list(app.state.sessions.live.values()):
                await app.state.sessions.close(session, completed=False)
            await commands.close()
            await writer.close()
            await manager.ownership.close()
            await broker.close()
            await scheduler.close()
            await vision.close()
            await app.state.interviewer.aclose()

    routes = [
        Route("/api/health", health),
        Route("/api/auth/register", register, methods=["POST"]),
        Route("/api/auth/login", login, methods=["POST"]),
        Route("/api/auth/me", me),
        Route("/api/users/me/stats", my_stats),
        Route("/api/jobs", jobs, methods=["GET", "POST"]),
        Route("/api/jobs/{job_id}", job_detail, methods=["GET", "PUT", "PATCH", "DELETE"]),
        Route("/api/interviews", interviews, methods=["GET", "POST"]),
        Route("/api/interviews/{interview_id}", interview_detail, methods=["GET", "DELETE"]),
        Route("/api/interviews/{interview_id}/events", interview_events),
        Route("/api/interviews/{interview_id}/webrtc", webrtc_offer, methods=["POST"]),
        Route("/api/interviews/{interview_id}/spectate/webrtc", spectator_video_offer,
              methods=["POST"]),
        WebSocketRoute("/ws/interviews/{interview_id}/candidate", candidate_endpoint),
        WebSocketRoute("/ws/interviews/{interview_id}/spectate", spectator_endpoint),
        Route("/metrics", metrics_endpoint),
        Route("/room/{interview_id}", room_page),
        Route("/spectate/{interview_id}", spectator_page),
        Route("/api/interviews/{interview_id}/recording", interview_recording),
        Route("/replay/{interview_id}", replay_page),
        Route("/api/interviews/{interview_id}/report", interview_report),
        Route("/report/{interview_id}", report_page),
        Route("/dashboard", dashboard_page),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan,
                     exception_handlers={ApiError: api_error_handler})
