"""Shared, bounded pool for camera-frame analysis (MediaPipe), latest frame wins.

Each session has at most one pending frame: a newer frame replaces it (counted as dropped).
Sessions are served round-robin, one frame of a session at a time, with `inflight` frames of
different sessions per worker process in flight at once: a frame's round trip (the hand-off to
a thread, the pipe to the process and back, the event loop's turn) is mostly waiting, measured
at 70-110 ms under load against ~5 ms of face mesh, so one frame at a time left the worker idle
and every session's metrics stale. A frame's payload (I420 planes or JPEG bytes, not RGB:
`media.camera_frame`) is made on a thread of this process, then converted, thumbnailed and
analysed in a worker process (`server.live.vision_worker`): that CPU time is spent beside the
server's process, not inside it, where it held the GIL the event loop and aiortc need. Per-
session state lives in the sessions' trackers, not here. With `processes=False` the models run
on the threads instead, one set per thread (MediaPipe graphs are not thread-safe).
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
from media.camera_frame import FramePayload
from server.live import vision_worker
from server.live.pool import PooledWorkers

log = logging.getLogger(__name__)


class VisionWorkerLost(RuntimeError):
    """A vision worker process died while analysing a frame (it is replaced)."""

    code = "vision_failed"


@dataclass
class VisionJob:
    #: runs on a thread: the frame's payload for the worker (`media.camera_frame`)
    payload: Callable[[], FramePayload]
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
    thumb: np.ndarray | None = None  # the frame's freeze-detection thumbnail


#: frames in flight per worker process (threads mode: one, each thread has its own models)
INFLIGHT = 3


class VisionScheduler(PooledWorkers):
    """Analyses the newest frame of each session on `workers` worker processes (or threads),
    round-robin."""

    def __init__(self, workers: int = 1, processes: bool = True,
                 inflight: int | None = None) -> None:
        per_worker = max(1, inflight or (INFLIGHT if processes else 1))
        super().__init__(workers * per_worker, "vision")
        self.processes = processes
        self.process_count = workers
        #: sessions with a frame in flight: their next frame waits (results stay in order)
        self._busy: set[str] = set()
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
                               for _ in range(self.process_count)), return_exceptions=True)

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
                    self.process_count, mp_context=multiprocessing.get_context("spawn"),
                    initializer=vision_worker.init)
            return self._procs

    def _analyse_here(self, payload: FramePayload, want_pose: bool) -> vision_worker.Analysis:
        local = self._local
        if not hasattr(local, "face"):
            local.face = FaceAnalyzer()
            local.pose = PoseAnalyzer()
        return vision_worker.analyse_with(local.face, local.pose, payload, want_pose)

    async def _analyse(self, job: VisionJob) -> VisionResult:
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        pool: ProcessPoolExecutor | None = None
        try:
            payload = await loop.run_in_executor(self._pool, job.payload)
            if self.processes:
                pool = self._procs  # started once, on a thread (`warm_up`)
                if pool is None:
                    pool = await loop.run_in_executor(self._pool, self._process_pool)
                face, pose, thumb = await asyncio.wrap_future(
                    pool.submit(vision_worker.analyse, payload, job.want_pose))
            else:
                face, pose, thumb = await loop.run_in_executor(
                    self._pool, self._analyse_here, payload, job.want_pose)
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
        return VisionResult(job.t, face, pose, (time.perf_counter() - t0) * 1000, thumb=thumb)

    def _next(self) -> tuple[str, VisionJob] | None:
        """The longest-waiting session's frame, skipping sessions with one in flight."""
        for key in self._pending:
            if key not in self._busy:
                return key, self._pending.pop(key)
        return None

    async def _worker(self, index: int) -> None:
        while True:
            picked = self._next()
            if picked is None:
                self._wake.clear()
                await self._wake.wait()
                continue
            key, job = picked
            self._busy.add(key)
            try:
                result = await self._analyse(job)
            finally:
                self._busy.discard(key)
                if self._pending:
                    self._wake.set()  # a frame held back behind this one may go now
            self.analysed += 1
            try:
                job.deliver(result)
            except Exception:  # noqa: BLE001 - one session's bug must not stop the pool
                log.exception("delivering a vision result failed")
