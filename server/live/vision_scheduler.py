"""Shared, bounded pool for camera-frame analysis (MediaPipe), latest frame wins.

Each session has at most one pending frame: a newer frame replaces it (counted as dropped).
Sessions are served round-robin. Each worker thread owns its own MediaPipe graphs (they are
not thread-safe); per-session state lives in the sessions' trackers, not here.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analyzers.face import FaceAnalyzer, FaceObservation
from analyzers.pose import PoseAnalyzer, PoseObservation
from server.live.pool import PooledWorkers

log = logging.getLogger(__name__)


@dataclass
class VisionJob:
    decode: Callable[[], np.ndarray]  # runs in the worker: JPEG decode or frame conversion
    want_pose: bool
    t: float
    deliver: Callable[[VisionResult], None]  # called on the event loop


@dataclass
class VisionResult:
    t: float
    face: FaceObservation | None
    pose: PoseObservation | None
    analysis_ms: float
    error: Exception | None = None


class VisionScheduler(PooledWorkers):
    """Analyses the newest frame of each session on `workers` threads, round-robin."""

    def __init__(self, workers: int = 1) -> None:
        super().__init__(workers, "vision")
        self._local = threading.local()
        self._pending: OrderedDict[str, VisionJob] = OrderedDict()
        self._wake = asyncio.Event()
        self.replaced = 0
        self.analysed = 0

    @property
    def queue_depth(self) -> int:
        return len(self._pending)

    def submit(self, key: str, job: VisionJob) -> bool:
        """Queue a frame of session `key`; returns False when it replaced a pending frame.

        A replacing frame keeps its session's place in line: the session waiting longest is
        served first, however often it sends."""
        replaced = key in self._pending
        if replaced:
            self.replaced += 1
        self._pending[key] = job
        self._wake.set()
        return not replaced

    def forget(self, key: str) -> None:
        self._pending.pop(key, None)

    def _analyse(self, job: VisionJob) -> VisionResult:
        local = self._local
        if not hasattr(local, "face"):
            local.face = FaceAnalyzer()
            local.pose = PoseAnalyzer()
        t0 = time.perf_counter()
        try:
            rgb = job.decode()
            face = local.face.analyze(rgb)
            pose = local.pose.analyze(rgb) if job.want_pose else None
        except Exception as exc:  # noqa: BLE001 - reported to the session
            return VisionResult(job.t, None, None, (time.perf_counter() - t0) * 1000, exc)
        return VisionResult(job.t, face, pose, (time.perf_counter() - t0) * 1000)

    async def _worker(self, index: int) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            _, job = self._pending.popitem(last=False)
            result = await loop.run_in_executor(self._pool, self._analyse, job)
            self.analysed += 1
            try:
                job.deliver(result)
            except Exception:  # noqa: BLE001 - one session's bug must not stop the pool
                log.exception("delivering a vision result failed")
