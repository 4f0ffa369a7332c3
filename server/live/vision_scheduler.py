"""Shared, bounded pool for camera-frame analysis (MediaPipe), latest frame wins.

Each session has at most one pending frame: a newer frame replaces it (counted as dropped).
Sessions are served round-robin. A frame is decoded (and thumbnailed) on a thread of this
process, then analysed in a worker process (`server.live.vision_worker`): the models' CPU time
is spent beside the server's process, not inside it, where it held the GIL that the event
loop and aiortc's receivers need. Per-session state lives in the sessions' trackers, not here.
With `processes=False` the models run on the threads instead, one set per thread (MediaPipe
graphs are not thread-safe).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

from analyzers.face import FaceAnalyzer, FaceObservation
from analyzers.pose import PoseAnalyzer, PoseObservation
from server.live import vision_worker
from server.live.pool import PooledWorkers

log = logging.getLogger(__name__)


class VisionWorkerLost(RuntimeError):
    """A vision worker process died while analysing a frame (it is replaced)."""

    code = "vision_failed"


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
    """Analyses the newest frame of each session on `workers` worker processes (or threads),
    round-robin."""

    def __init__(self, workers: int = 1, processes: bool = True) -> None:
        super().__init__(workers, "vision")
        self.processes = processes
        self._procs: ProcessPoolExecutor | None = None
        self._procs_lock = threading.Lock()
        self._warming: asyncio.Task | None = None
        self._local = threading.local()
        self._pending: OrderedDict[str, VisionJob] = OrderedDict()
        self._wake = asyncio.Event()
        self.replaced = 0
        self.analysed = 0
        self.restarts = 0  # worker processes that died and were replaced

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

    def prepare(self) -> None:
        """Warm up in the background, once (a session opens)."""
        if self.processes and self._warming is None:
            self._warming = asyncio.create_task(self.warm_up())

    async def warm_up(self) -> None:
        """Start the worker processes and load their models (a session is starting: its
        first frames should not wait ~2 s for them). Starting a process is done on a thread."""
        if not self.processes:
            return
        loop = asyncio.get_running_loop()
        pool = await loop.run_in_executor(self._pool, self._process_pool)
        await asyncio.gather(*(asyncio.wrap_future(pool.submit(vision_worker.ready))
                               for _ in range(self.workers)), return_exceptions=True)

    async def close(self) -> None:
        if self._warming is not None:
            self._warming.cancel()
        await super().close()
        if self._procs is not None:
            self._procs.shutdown(wait=False, cancel_futures=True)
            self._procs = None

    def _process_pool(self) -> ProcessPoolExecutor:
        with self._procs_lock:  # called on the pool's threads
            if self._procs is None:
                # spawn, not fork: the server process has threads (aiortc, the ASR pool)
                self._procs = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=vision_worker.init)
            return self._procs

    def _analyse_here(self, rgb: np.ndarray, want_pose: bool):
        local = self._local
        if not hasattr(local, "face"):
            local.face = FaceAnalyzer()
            local.pose = PoseAnalyzer()
        return local.face.analyze(rgb), local.pose.analyze(rgb) if want_pose else None

    async def _analyse(self, job: VisionJob) -> VisionResult:
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        pool: ProcessPoolExecutor | None = None
        try:
            rgb = await loop.run_in_executor(self._pool, job.decode)
            if self.processes:
                pool = await loop.run_in_executor(self._pool, self._process_pool)
                face, pose = await asyncio.wrap_future(
                    pool.submit(vision_worker.analyse, rgb, job.want_pose))
            else:
                face, pose = await loop.run_in_executor(
                    self._pool, self._analyse_here, rgb, job.want_pose)
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory): replace it
            log.error("a vision worker process died; starting a new one")
            if pool is not None and self._procs is pool:  # not one another worker replaced
                self.restarts += 1
                self._procs = None
                pool.shutdown(wait=False, cancel_futures=True)
            lost = VisionWorkerLost("the analysis process stopped; a new one is starting")
            lost.__cause__ = exc
            return VisionResult(job.t, None, None, (time.perf_counter() - t0) * 1000, lost)
        except Exception as exc:  # noqa: BLE001 - reported to the session
            return VisionResult(job.t, None, None, (time.perf_counter() - t0) * 1000, exc)
        return VisionResult(job.t, face, pose, (time.perf_counter() - t0) * 1000)

    async def _worker(self, index: int) -> None:
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            _, job = self._pending.popitem(last=False)
            result = await self._analyse(job)
            self.analysed += 1
            try:
                job.deliver(result)
            except Exception:  # noqa: BLE001 - one session's bug must not stop the pool
                log.exception("delivering a vision result failed")
