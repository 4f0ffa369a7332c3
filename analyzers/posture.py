"""Posture labels over time: shoulder tilt and slouching relative to a personal baseline."""

from __future__ import annotations

import statistics
from collections import deque

from analyzers.pose import PoseObservation

#: |shoulder tilt| above this (degrees) is "tilted".
TILT_THRESHOLD_DEG = 10.0
#: Relative drop of the neck ratio versus the baseline at which the person is "slouching".
SLOUCH_THRESHOLD = 0.2
#: Per-frame values are smoothed with a median over this many seconds.
SMOOTH_S = 1.0
#: The baseline needs at least this many observations.
MIN_BASELINE_SAMPLES = 3
#: Longer gaps between present observations do not count toward the baseline time.
MAX_GAP_S = 1.0


class PostureTracker:
    """Labels each observation "ok", "tilted", "slouching" or "unknown" (no person).

    The baseline neck ratio is the median over the first ``baseline_s`` seconds of time with a
    person present; until it is ready ``slouch`` is ``None`` and only tilt is judged. Tilt is
    absolute (shoulder line versus the frame's horizontal).
    """

    def __init__(self, baseline_s: float = 5.0) -> None:
        self.baseline_s = baseline_s
        self._baseline: float | None = None
        self._samples: list[float] = []
        self._present_s = 0.0
        self._prev_present_t: float | None = None
        self._recent: deque[tuple[float, float, float | None]] = deque()

    @property
    def baseline(self) -> float | None:
        """Baseline neck ratio, once ready."""
        return self._baseline

    def _collect(self, t: float, neck: float | None) -> None:
        prev = self._prev_present_t
        if prev is not None and 0 <= t - prev <= MAX_GAP_S:
            self._present_s += t - prev
        self._prev_present_t = t
        if neck is not None:
            self._samples.append(neck)
        if self._present_s >= self.baseline_s and len(self._samples) >= MIN_BASELINE_SAMPLES:
            self._baseline = statistics.median(self._samples)
            self._samples = []

    def update(self, t: float, obs: PoseObservation) -> dict[str, object]:
        """Add the observation at session time ``t`` and return the current verdict."""
        ready = self._baseline is not None
        if not obs.present or obs.shoulder_tilt_deg is None:
            self._prev_present_t = None
            return {"label": "unknown", "tilt_deg": None, "slouch": None, "baseline_ready": ready}
        if not ready:
            self._collect(t, obs.neck_ratio)
        self._recent.append((t, obs.shoulder_tilt_deg, obs.neck_ratio))
        while self._recent and self._recent[0][0] < t - SMOOTH_S:
            self._recent.popleft()
        tilt = statistics.median(r[1] for r in self._recent)
        necks = [r[2] for r in self._recent if r[2] is not None]
        slouch = None
        if self._baseline is not None and self._baseline > 0 and necks:
            drop = 1.0 - statistics.median(necks) / self._baseline
            slouch = min(1.0, max(0.0, drop))
        if slouch is not None and slouch >= SLOUCH_THRESHOLD:
            label = "slouching"
        elif abs(tilt) > TILT_THRESHOLD_DEG:
            label = "tilted"
        else:
            label = "ok"
        return {
            "label": label,
            "tilt_deg": tilt,
            "slouch": slouch,
            "baseline_ready": self._baseline is not None,
        }
