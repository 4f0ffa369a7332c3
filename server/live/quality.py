"""The degradation ladder: under load every live session gives up work in a fixed order, and
says so with a `quality` event (the room, the spectator view and the report show it).

Levels: 0 `full`; 1 `reduced_vision` (camera analysed at 2 fps instead of 5); 2 `no_partials`
(also no partial transcripts: finals only); 3 `audio_only` (no camera analysis at all: the
report leaves vision out for that time instead of scoring "no eye contact").

The node's pressure is the largest of its loop lag, ASR backlog and CPU, each over its
admission limit (`server.ops.load.Limits`): under 0.7 full; each 0.15 above it one level more.
CPU alone goes no further than level 2: a busy CPU is a warning, and levels 1-2 shed work;
pausing the camera analysis altogether takes a sign that latency suffers (loop lag or ASR
backlog). Measured with 8 WebRTC sessions: the tree's CPU peaked past 1.8 of 2 cores at the
start while finals kept p95 0.84 s, and CPU alone paused every session's vision for ~12 s.
A level goes up at once and down one step at a time, after the pressure stayed below that
level's threshold for `calm_s`, so a session does not flap.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from server.events.kinds import Quality
from server.ops.background import Background
from server.ops.load import Admission, Load

log = logging.getLogger(__name__)

LEVELS = ("full", "reduced_vision", "no_partials", "audio_only")
#: pressure at which each level (1, 2, 3) begins
THRESHOLDS = (0.7, 0.85, 1.0)
#: CPU's pressure is held just below level 3 (`audio_only`)
CPU_MAX_PRESSURE = 0.99
REDUCED_FACE_FPS = 2.0
CALM_S = 10.0
#: the fair share never goes below this rate (the eye-contact metric updates at least once a
#: second); below it, the ladder decides
MIN_FACE_FPS = 1.5
#: one posture reading per session every `POSE_S_PER_CAMERA` x cameras seconds (at least the
#: configured interval): pose costs ~2.5 face meshes
POSE_S_PER_CAMERA = 0.5


def fair_face_fps(budget_fps: float, cameras: int) -> float | None:
    """Each camera's share of the node's face analyses per second (None: no cap)."""
    if budget_fps <= 0 or cameras <= 0:
        return None
    return max(MIN_FACE_FPS, budget_fps / cameras)


def pressure(load: Load, admission: Admission) -> tuple[float, str]:
    """The node's pressure (1.0 = at an admission limit) and what causes it."""
    lim = admission.limits
    parts = {
        "loop_lag": load.loop_lag_s / lim.max_loop_lag_s if lim.max_loop_lag_s > 0 else 0.0,
        "asr_backlog": (load.asr_backlog_s / lim.max_asr_backlog_s
                        if lim.max_asr_backlog_s > 0 else 0.0),
        "cpu": min(CPU_MAX_PRESSURE,
                   load.cpu / (lim.max_cpu_share * load.cores) if lim.max_cpu_share > 0 else 0.0),
    }
    reason = max(parts, key=lambda k: parts[k])
    return parts[reason], reason


def level_of(value: float) -> int:
    return sum(value >= t for t in THRESHOLDS)


class Ladder:
    """The node's level from its pressure, with hysteresis on the way down."""

    def __init__(self, calm_s: float = CALM_S, clock: Callable[[], float] = time.monotonic):
        self.calm_s = calm_s
        self.clock = clock
        self.level = 0
        self.reason = ""
        self._calm_since: float | None = None

    def update(self, value: float, reason: str) -> int:
        wanted = level_of(value)
        now = self.clock()
        if wanted > self.level:
            self.level, self.reason, self._calm_since = wanted, reason, None
        elif wanted < self.level:
            if self._calm_since is None:
                self._calm_since = now
            elif now - self._calm_since >= self.calm_s:
                self.level -= 1
                self._calm_since = None if self.level == wanted else now
                if self.level == 0:
                    self.reason = ""
        else:
            self._calm_since = None
        return self.level


def apply_level(session, level: int, reason: str, face_fps: float | None = None) -> None:
    """Set a session's level (its video and speech pipelines) and its share of the vision
    work (`face_fps`, None: no cap), and announce a change of level."""
    caps = [fps for fps in (face_fps, REDUCED_FACE_FPS if level >= 1 else None) if fps]
    session.video.set_face_fps(min(caps) if caps else None)
    if session.quality_level == level:
        return
    session.quality_level = level
    session.video.paused = level >= 3
    session.speech.partials = level < 2
    session.emit(Quality(level=level, name=LEVELS[level],
                         reason=reason if level else "load back to normal"))


class QualityController(Background):
    """Every `interval_s`, the node's level from its load, applied to its live sessions."""

    def __init__(self, admission: Admission, sessions: Callable[[], Iterable],
                 backlog: Callable[[], float], interval_s: float = 1.0,
                 ladder: Ladder | None = None, vision_budget_fps: float = 0.0) -> None:
        self.admission = admission
        #: face analyses per second the node spends on all cameras (0: no budget)
        self.vision_budget_fps = vision_budget_fps
        self.sessions = sessions
        self.backlog = backlog
        self.interval_s = interval_s
        self.ladder = ladder or Ladder()

    def step(self) -> int:
        live = list(self.sessions())
        value, reason = pressure(self.admission.load(len(live), self.backlog()), self.admission)
        before = self.ladder.level
        level = self.ladder.update(value, reason)
        if level != before:
            log.info("quality level %d (%s) for %d session(s): pressure %.2f from %s",
                     level, LEVELS[level], len(live), value, reason)
        self.admission.shedding = level
        cameras = sum(1 for s in live if not s.stopped and s.video.camera_on)
        share = fair_face_fps(self.vision_budget_fps, cameras)
        for session in live:
            if not session.stopped:
                apply_level(session, level, self.ladder.reason or reason, share)
                session.video.set_pose_interval(POSE_S_PER_CAMERA * cameras)
        return level

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                self.step()
            except Exception:  # noqa: BLE001 - the ladder must not stop; logged
                log.exception("quality step failed")
