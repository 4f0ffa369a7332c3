"""Prometheus metrics of this node (served at `/metrics` by `server.http.health`)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from server.events.model import Event


@dataclass
class SpectatorStats:
    connected: int = 0


class Observability:
    """One registry per app (tests run several apps in one process)."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.sessions = Gauge("interview_live_sessions", "Live sessions on this node", registry=r)
        self.spectators = Gauge("interview_spectators", "Connected spectator sockets", registry=r)
        self.asr_queue = Gauge("interview_asr_queue_depth", "Queued ASR jobs", ["kind"], registry=r)
        self.asr_backlog = Gauge("interview_asr_backlog_seconds", "Untranscribed speech queued",
                                 registry=r)
        self.vision_queue = Gauge("interview_vision_queue_depth", "Frames waiting for analysis",
                                  registry=r)
        self.frames_dropped = Gauge("interview_video_frames_dropped",
                                    "Frames dropped by sampling or replaced before analysis "
                                    "(live sessions)", registry=r)
        self.events = Counter("interview_events_total", "Events published", ["type"], registry=r)
        self.delivery = Histogram(
            "interview_event_delivery_seconds", "Event creation to send on a socket",
            ["socket"], buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=r,
        )
        self.loop_lag = Gauge("interview_event_loop_lag_seconds",
                              "Event-loop lag, 95th percentile of the last 5 s", registry=r)
        self.cpu = Gauge("interview_process_cpu_cores", "CPU used by the server process "
                         "(cores, last 5 s)", registry=r)
        self.admissions = Gauge("interview_admissions", "New live sessions since start, by "
                                "result and reason", ["result", "reason"], registry=r)
        self.transcript_latency = Histogram(
            "interview_final_transcript_lag_seconds",
            "Session-clock time between an utterance's end and its final transcript",
            buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5), registry=r,
        )

    def deliver(self, event: Event) -> None:
        """Broker sink: counts events and transcript lag."""
        self.events.labels(event.type).inc()
        if event.type == "transcript.final":
            self.transcript_latency.observe(max(0.0, event.t - event.data.get("end", event.t)))

    def sent(self, event: Event, socket: str) -> None:
        self.delivery.labels(socket).observe(max(0.0, time.time() - event.wall))

    def refresh(self, app) -> None:
        manager = app.state.sessions
        self.sessions.set(len(manager.live))
        self.spectators.set(app.state.spectators.connected)
        depths = manager.scheduler.queue_depths
        for kind, depth in depths.items():
            self.asr_queue.labels(kind).set(depth)
        self.asr_backlog.set(manager.scheduler.backlog_s)
        self.vision_queue.set(manager.vision.queue_depth)
        admission = app.state.admission
        self.loop_lag.set(admission.monitor.loop_lag_s)
        self.cpu.set(admission.monitor.cpu)
        self.admissions.labels("admitted", "").set(admission.admitted)
        for reason, n in admission.refused.items():
            self.admissions.labels("refused", reason).set(n)
        self.frames_dropped.set(sum(
            s.video.counters.frames_dropped + s.video.counters.frames_sampled_out
            for s in manager.live.values()
        ))
