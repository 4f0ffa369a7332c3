"""What this node can take: measured load (event-loop lag, process CPU, ASR backlog) and the
admission of new live sessions.

`LoadMonitor` samples the event loop every `interval_s` (how late a sleep wakes up is the lag
every socket and aiortc's timers see) and the process's CPU time (all its threads: Whisper,
MediaPipe, decoding). `Admission.decide` refuses a new session, with a reason and a
`Retry-After`, when admitting it would push the sessions already running past their latency
targets: the loop already lags, the ASR backlog grows, or the CPU one more session is measured
to cost does not fit. Deciding reads the last samples only, so a refusal takes no time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path

from server.ops.background import Background


@dataclass(frozen=True)
class Load:
    """One reading of the node's load."""

    loop_lag_s: float  # p95 over the window
    cpu: float  # process CPU in cores (0..cores), over the window
    cores: int
    sessions: int
    asr_backlog_s: float


@dataclass(frozen=True)
class Decision:
    admitted: bool
    reason: str = ""
    retry_after_s: int = 0


@dataclass(frozen=True)
class Limits:
    """When a node is full (see `Admission.decide`)."""

    max_sessions: int = 32
    max_loop_lag_s: float = 0.15
    max_asr_backlog_s: float = 6.0
    #: the share of the cores the sessions may use, one more included
    max_cpu_share: float = 0.9
    retry_after_s: int = 10


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class ProcessTreeCpu:
    """CPU seconds of this process and its live child processes (the vision workers: their
    MediaPipe time is this node's as much as its own threads' is), read from Linux's /proc;
    elsewhere only this process counts. The children are looked up every `refresh_s` (reading
    every thread's list costs more than the reading itself)."""

    def __init__(self, refresh_s: float = 5.0) -> None:
        self.refresh_s = refresh_s
        self._children: list[str] = []
        self._listed_at = -1e9

    def _list_children(self) -> list[str]:
        kids: list[str] = []
        for task in Path("/proc/self/task").glob("*"):
            with contextlib.suppress(OSError):
                kids += (task / "children").read_text().split()
        return kids

    def __call__(self) -> float:
        now = time.monotonic()
        if now - self._listed_at >= self.refresh_s:
            self._children, self._listed_at = self._list_children(), now
        total = time.process_time()
        for pid in self._children:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # it just ended
            total += (int(stat[11]) + int(stat[12])) / _TICK
        return total


class LoadMonitor(Background):
    """Event-loop lag and the CPU of the process and its workers over the last `window`
    samples."""

    def __init__(self, interval_s: float = 0.1, window: int = 50) -> None:
        self.interval_s = interval_s
        self.lags: deque[float] = deque(maxlen=window)
        self.cpu_samples: deque[tuple[float, float]] = deque(maxlen=window)
        self.process_cpu_s = ProcessTreeCpu()
        self.cores = os.cpu_count() or 1

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + self.interval_s
            await asyncio.sleep(self.interval_s)
            self.lags.append(max(0.0, loop.time() - expected))
            self.cpu_samples.append((time.monotonic(), self.process_cpu_s()))

    @property
    def loop_lag_s(self) -> float:
        """95th percentile of the recent lags."""
        if not self.lags:
            return 0.0
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]

    @property
    def cpu(self) -> float:
        """Cores used by the process over the window."""
        if len(self.cpu_samples) < 2:
            return 0.0
        (t0, c0), (t1, c1) = self.cpu_samples[0], self.cpu_samples[-1]
        return max(0.0, (c1 - c0) / (t1 - t0)) if t1 > t0 else 0.0


#: the ladder level from which new sessions are refused: 2 (`no_partials`) sheds the elastic
#: work; at 1 (vision at 2 fps) the load read is still close to the load (a ramp that refused
#: from level 1 on admitted 3 sessions of 12, while 8 ran at level 1)
SHEDDING_REFUSES = 2


class Admission:
    """Admits or refuses new live sessions, and counts both (by reason)."""

    def __init__(self, monitor: LoadMonitor, limits: Limits | None = None) -> None:
        self.monitor = monitor
        self.limits = limits or Limits()
        self.admitted = 0
        self.refused: Counter[str] = Counter()
        #: measured CPU per session (cores), updated while sessions run
        self.per_session_cpu = 0.0
        #: the degradation ladder's level (`server.live.quality`): while the sessions running
        #: give up work, the load they show is not what one more would face
        self.shedding = 0

    def load(self, sessions: int, asr_backlog_s: float) -> Load:
        m = self.monitor
        return Load(loop_lag_s=m.loop_lag_s, cpu=m.cpu, cores=m.cores, sessions=sessions,
                    asr_backlog_s=asr_backlog_s)

    def decide(self, load: Load) -> Decision:
        """Whether one more session fits (it is counted either way)."""
        lim = self.limits
        if load.sessions:
            self.per_session_cpu = load.cpu / load.sessions
        reason = ""
        if load.sessions >= lim.max_sessions:
            reason = "sessions"
        elif self.shedding >= SHEDDING_REFUSES and load.sessions:
            reason = "degraded"
        elif load.loop_lag_s > lim.max_loop_lag_s:
            reason = "loop_lag"
        elif load.asr_backlog_s > lim.max_asr_backlog_s:
            reason = "asr_backlog"
        elif load.sessions and load.cpu + self.per_session_cpu > lim.max_cpu_share * load.cores:
            reason = "cpu"
        if reason:
            self.refused[reason] += 1
            return Decision(False, reason, lim.retry_after_s)
        self.admitted += 1
        return Decision(True)

    def stats(self, load: Load) -> dict:
        """For `/api/health`."""
        return {
            "loop_lag_s": round(load.loop_lag_s, 4), "cpu_cores": round(load.cpu, 2),
            "cores": load.cores, "cpu_per_session": round(self.per_session_cpu, 3),
            "admitted": self.admitted, "refused": dict(self.refused),
            "limits": {"max_sessions": self.limits.max_sessions,
                       "max_loop_lag_s": self.limits.max_loop_lag_s,
                       "max_asr_backlog_s": self.limits.max_asr_backlog_s,
                       "max_cpu_share": self.limits.max_cpu_share},
        }
