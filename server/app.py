"""The Starlette application: the composition root that builds every component, passes each
its collaborators, and tears them down in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from analyzers.asr import Transcriber
from media.webrtc import PeerRegistry
from server.accounts.tokens import TokenIssuer, load_jwt_secret
from server.config import Settings
from server.errors import ApiError, api_error_handler
from server.events.broker import InProcessBroker
from server.events.redis_broker import RedisBroker
from server.http.auth import login, me, register
from server.http.body_limit import BodyLimit
from server.http.check import interview_check
from server.http.events import interview_events
from server.http.guards import Guards, GuardsMiddleware
from server.http.health import health, metrics_endpoint
from server.http.interviews import interview_detail, interviews, my_stats
from server.http.jobs import job_detail, jobs
from server.http.pages import STATIC, page
from server.http.recording import interview_recording
from server.http.report import interview_report
from server.http.webrtc import spectator_video_offer, webrtc_offer
from server.interview.commands import CommandBus
from server.interview.factory import FlowFactory
from server.interview.llm import Interviewer
from server.interview.turns import FlowConfig
from server.live.asr_scheduler import AsrScheduler
from server.live.manager import SessionManager
from server.live.quality import QualityController
from server.live.speech import SpeechConfig
from server.live.vision_scheduler import VisionScheduler
from server.ops.load import Admission, Limits, LoadMonitor
from server.ops.metrics import Observability, SpectatorStats
from server.store.ownership import LocalOwnership, RedisOwnership
from server.store.store import Store
from server.store.writer import EventWriter
from server.ws.candidate import candidate_endpoint, hand_over
from server.ws.spectator import spectator_endpoint

log = logging.getLogger(__name__)


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.parent and str(path.parent) not in ("", "."):
            path.parent.mkdir(parents=True, exist_ok=True)


def graceful_sigterm(manager: SessionManager, peers: PeerRegistry) -> None:
    """On SIGTERM, hand the live sessions over (`hand_over`: finals, evaluations, events out
    and stored, sockets closed with 1012) before the server stops: uvicorn alone would close
    the sockets first. Only where signals can be handled (the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    stop_server = signal.getsignal(signal.SIGTERM)

    async def drain_then_stop() -> None:
        try:
            n = await hand_over(manager)
            await peers.close_all()
            log.info("SIGTERM: %d live session(s) handed over", n)
        finally:
            if callable(stop_server):
                stop_server(signal.SIGTERM, None)
            else:
                loop.remove_signal_handler(signal.SIGTERM)
                signal.raise_signal(signal.SIGTERM)

    def on_sigterm() -> None:
        if not manager.draining:
            loop.create_task(drain_then_stop())

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)


def routes() -> list[BaseRoute]:
    """Every endpoint: the API, the sockets, the pages and the static files."""
    return [
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
        Route("/api/interviews/{interview_id}/recording", interview_recording),
        Route("/api/interviews/{interview_id}/report", interview_report),
        # room link check (issue 14)
        Route("/api/interviews/{interview_id}/check", interview_check),
        WebSocketRoute("/ws/interviews/{interview_id}/candidate", candidate_endpoint),
        WebSocketRoute("/ws/interviews/{interview_id}/spectate", spectator_endpoint),
        Route("/metrics", metrics_endpoint),
        Route("/room/{interview_id}", page("room")),
        Route("/spectate/{interview_id}", page("spectator")),
        Route("/replay/{interview_id}", page("replay")),
        Route("/report/{interview_id}", page("report")),
        Route("/dashboard", page("dashboard")),
        # accounts and recruiter pages (issue 14)
        Route("/signin", page("signin")),
        Route("/signup", page("signup")),
        Route("/interviews/new", page("new-interview")),
        Route("/jobs", page("jobs")),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


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
        scheduler = AsrScheduler(engine, settings.asr_workers, settings.asr_max_backlog_s,
                                 partial_duty=settings.asr_partial_duty)
        scheduler.start()
        vision = VisionScheduler(settings.vision_workers, processes=settings.vision_processes,
                                 inflight=settings.vision_inflight)
        vision.start()
        broker = RedisBroker(settings.redis_url) if settings.redis_url else InProcessBroker()
        await broker.start()
        writer = EventWriter(store)
        broker.add_sink(writer)
        observability = Observability()
        broker.add_sink(observability)
        writer.start()
        ownership = (
            RedisOwnership(settings.redis_url, settings.node_id, store, settings.owner_ttl_s,
                           node_url=settings.node_url)
            if settings.redis_url
            else LocalOwnership(store)
        )
        interviewer = Interviewer(
            api_key=settings.groq_api_key, model=settings.groq_model,
            base_url=settings.groq_base_url or None,
        )
        # the offline evaluator's model loads before the server takes requests: loading holds
        # the GIL for up to ~0.7 s, which would stall the first sessions' event loop
        await interviewer.offline.warm_up()
        flow_config = FlowConfig(
            answer_pause_s=settings.answer_pause_s, answer_max_s=settings.answer_max_s,
            thinking_pause_s=settings.thinking_pause_s,
            follow_up_approval_timeout_s=settings.follow_up_approval_timeout_s,
        )
        manager = SessionManager(
            store, broker, scheduler, vision, ownership=ownership, event_writer=writer,
            flow_factory=FlowFactory(store, interviewer, flow_config),
            speech_config=speech_config, recordings_dir=settings.recordings_dir,
            resume_grace_s=settings.resume_grace_s,
        )
        await ownership.start(lambda sid: sid in manager.live)
        manager.start()  # ends orphans: their server went away, their candidate did not return
        # recruiters' actions from spectator sockets, routed to the session's node
        commands = CommandBus(manager, settings.node_id, settings.redis_url)
        await commands.start()
        peers = PeerRegistry()
        monitor = LoadMonitor()
        monitor.start()
        admission = Admission(monitor, Limits(
            max_sessions=settings.max_live_sessions,
            max_loop_lag_s=settings.admit_max_loop_lag_s,
            max_asr_backlog_s=settings.admit_max_asr_backlog_s,
            max_cpu_share=settings.admit_max_cpu_share))
        quality = QualityController(admission, lambda: manager.live.values(),
                                    lambda: scheduler.backlog_s,
                                    vision_budget_fps=settings.vision_budget_fps)
        quality.start()
        state = app.state
        state.settings = settings
        state.store = store
        state.tokens = TokenIssuer(load_jwt_secret(settings), settings.jwt_expires_min)
        state.observability = observability
        state.spectators = SpectatorStats()
        state.interviewer = interviewer
        state.sessions = manager
        state.commands = commands
        state.peers = peers
        state.admission = admission
        state.quality = quality
        graceful_sigterm(manager, peers)
        log.info("server ready: node=%s model=%s db=%s broker=%s", settings.node_id,
                 engine.model_name, settings.database_url, type(broker).__name__)
        try:
            yield
        finally:
            if not manager.draining:  # stopped without SIGTERM: hand the sessions over too
                await hand_over(manager)
            await peers.close_all()
            await manager.stop()
            await commands.close()
            await writer.close()
            await ownership.close()
            await broker.close()
            await scheduler.close()
            await vision.close()
            await quality.stop()
            await monitor.stop()
            await interviewer.aclose()

    return Starlette(routes=routes(), lifespan=lifespan,
                     middleware=[Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
                                 Middleware(GuardsMiddleware, guards=Guards(settings))],
                     exception_handlers={ApiError: api_error_handler})
