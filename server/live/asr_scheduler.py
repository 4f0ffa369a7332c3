"""Fair scheduling of one shared Whisper model across live sessions.

Finals are served first and are never dropped: round-robin across sessions (a session with many
queued finals cannot delay another's), oldest first within a session. A final whose trimmed
decode looks unreliable is decoded again on the full window (3.8x the cost) as a job of its
own, at the back of the rotation: no session waits behind another's two decodes in a row. Each
session has at most one pending partial: a newer request replaces the older one, and the audio
is taken only when a worker is free, so a partial always covers the newest audio. Whisper runs
in a bounded thread pool; the event loop only picks jobs and delivers results.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from analyzers.asr import AsrResult, Transcriber
from analyzers.audio import SAMPLE_RATE
from server.live.pool import PooledWorkers

log = logging.getLogger(__name__)

#: Returns (audio int16, prompt, context) for a partial, or None when nothing is to be done.
PartialSource = Callable[[], "tuple[np.ndarray, str, object] | None"]
PartialSink = Callable[[AsrResult, object], None]


@dataclass(eq=False)  # compared by identity: removing one from the queue must not compare audio
class _FinalJob:
    key: str
    audio: np.ndarray
    prompt: str
    future: asyncio.Future[AsrResult]
    seq: int
    queued_at: float = field(default_factory=time.perf_counter)
    full_window: bool = False  # the second decode of an unreliable trimmed one


@dataclass
class SchedulerStats:
    finals_done: int = 0
    partials_done: int = 0
    partials_replaced: int = 0
    partials_dropped: int = 0  # looping decodes, not shown
    partials_filtered: int = 0  # not speech (`AsrResult.filtered`), not shown
    finals_filtered: int = 0  # not speech: no text
    finals_fallback: int = 0  # decoded again on the full window
    finals_cancelled: int = 0
    busy_s: float = 0.0
    final_wait_s: deque[float] = field(default_factory=lambda: deque(maxlen=500))


class AsrScheduler(PooledWorkers):
    """Runs transcription jobs for many sessions on `workers` threads of one model."""

    def __init__(self, transcriber: Transcriber, workers: int = 1, max_backlog_s: float = 120.0,
                 partial_duty: float = 1.0):
        super().__init__(workers, "whisper")
        #: the share of a worker's time partials may take: after a partial that took d s, the
        #: next one starts d x (1 / duty - 1) s later at the earliest (finals never wait)
        self.partial_duty = min(1.0, max(0.05, partial_duty))
        self._partials_rest_until = 0.0
        self.transcriber = transcriber
        self.max_backlog_s = max_backlog_s
        self._finals: OrderedDict[str, deque[_FinalJob]] = OrderedDict()  # by session
        self._partials: OrderedDict[str, tuple[PartialSource, PartialSink]] = OrderedDict()
        self._wake = asyncio.Event()
        self._seq = itertools.count()
        self._partials_running = 0
        self._finals_running = 0
        self.stats = SchedulerStats()

    # -- submission --------------------------------------------------------------------------
    @property
    def backlog_s(self) -> float:
        """Seconds of audio waiting for a final transcript."""
        return sum(len(j.audio) for q in self._finals.values() for j in q) / SAMPLE_RATE

    def session_backlog_s(self, key: str) -> float:
        """Seconds of audio of session `key` waiting for a final transcript."""
        return sum(len(j.audio) for j in self._finals.get(key, ())) / SAMPLE_RATE

    @property
    def overloaded(self) -> bool:
        return self.backlog_s > self.max_backlog_s

    @property
    def queue_depths(self) -> dict[str, int]:
        return {"finals": sum(len(q) for q in self._finals.values()),
                "partials": len(self._partials)}

    def submit_final(self, key: str, audio: np.ndarray, prompt: str = "") -> asyncio.Future:
        """Queue a final transcription (with word timings); never dropped unless cancelled."""
        fut: asyncio.Future[AsrResult] = asyncio.get_running_loop().create_future()
        self._finals.setdefault(key, deque()).append(
            _FinalJob(key, audio, prompt, fut, next(self._seq)))
        self._wake.set()
        return fut

    def cancel_final(self, fut: asyncio.Future) -> None:
        """Withdraw a queued final that is no longer wanted (a speculative decode)."""
        for key, queue in self._finals.items():
            for job in queue:
                if job.future is fut:
                    queue.remove(job)
                    if not queue:
                        del self._finals[key]
                    self.stats.finals_cancelled += 1
                    fut.cancel()
                    return
        fut.cancel()

    def _next_final(self) -> _FinalJob:
        """The oldest final of the session whose turn it is; that session goes to the back."""
        key, queue = next(iter(self._finals.items()))
        job = queue.popleft()
        del self._finals[key]
        if queue:
            self._finals[key] = queue
        return job

    def request_partial(self, key: str, source: PartialSource, sink: PartialSink) -> None:
        """Ask for a partial of session `key`; replaces its pending request, if any."""
        if key in self._partials:
            self.stats.partials_replaced += 1  # keeps its place: longest waiting goes first
        self._partials[key] = (source, sink)
        self._wake.set()

    def forget(self, key: str) -> None:
        """Drop the pending partial of a session that ended."""
        self._partials.pop(key, None)

    # -- workers -------------------------------------------------------------------------------
    @property
    def partial_slots(self) -> int:
        """Workers that may run partials at once: with several workers one is kept for finals,
        so a final never waits behind partials; and no partial starts while a final runs, so
        a final has the CPU to itself."""
        return max(1, self.workers - 1)

    async def _worker(self, index: int) -> None:
        while True:
            if self._finals:
                self._finals_running += 1
                try:
                    await self._run_final(self._next_final())
                finally:
                    self._finals_running -= 1
                    self._wake.set()  # partials may start again
            elif (self._partials and self._partials_running < self.partial_slots
                  and self._finals_running == 0
                  and (rest := self._partials_rest_until - time.perf_counter()) <= 0):
                key, (source, sink) = self._partials.popitem(last=False)
                self._partials_running += 1
                try:
                    await self._run_partial(key, source, sink)
                finally:
                    self._partials_running -= 1
                    self._wake.set()  # a partial slot is free again
            else:
                self._wake.clear()
                resting = (self._partials and self._partials_running < self.partial_slots
                           and self._finals_running == 0)
                if resting:  # only the duty cycle holds the partials back: wake after it
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), max(0.0, rest))
                else:
                    await self._wake.wait()

    async def _run_final(self, job: _FinalJob) -> None:
        if job.future.done():
            return  # cancelled while queued
        self.stats.final_wait_s.append(time.perf_counter() - job.queued_at)
        t0 = time.perf_counter()
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                self._pool, self._transcribe_final, job
            )
        except Exception as exc:  # noqa: BLE001 - delivered to the waiter
            log.exception("final transcription failed for %s", job.key)
            if not job.future.done():
                job.future.set_exception(exc)
            return
        finally:
            self.stats.busy_s += time.perf_counter() - t0
        if result.retry_full and not job.future.done():  # again, after the others' turn
            self._finals.setdefault(job.key, deque()).appendleft(
                dataclasses.replace(job, full_window=True, queued_at=time.perf_counter()))
            self._wake.set()
            return
        self.stats.finals_done += 1
        self.stats.finals_filtered += bool(result.filtered)
        self.stats.finals_fallback += result.fallback
        if not job.future.done():
            job.future.set_result(result)

    async def _run_partial(self, key: str, source: PartialSource, sink: PartialSink) -> None:
        request = source()  # the newest audio, taken now that a worker is free
        if request is None:
            return
        audio, prompt, context = request
        t0 = time.perf_counter()
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                self._pool, self._transcribe_partial, audio, prompt
            )
        except Exception:  # noqa: BLE001 - a lost partial is replaced by the next one
            log.exception("partial transcription failed for %s", key)
            return
        finally:
            took = time.perf_counter() - t0
            self.stats.busy_s += took
            self._partials_rest_until = time.perf_counter() + took * (1 / self.partial_duty - 1)
        self.stats.partials_done += 1
        if result.dropped:
            self.stats.partials_dropped += 1
            return
        if result.filtered:
            self.stats.partials_filtered += 1
            return
        sink(result, context)

    def _transcribe_final(self, job: _FinalJob) -> AsrResult:
        return self.transcriber.transcribe(job.audio, prompt=job.prompt, words=True,
                                           defer_retry=True, full_window=job.full_window)

    def _transcribe_partial(self, audio: np.ndarray, prompt: str) -> AsrResult:
        return self.transcriber.transcribe(audio, prompt=prompt, retry=False)
