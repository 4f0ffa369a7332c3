"""Eye-contact share over a sliding window and the whole session, from per-frame decisions.

Each frame's state holds from its timestamp until the next frame's, so frames arriving at
irregular rates are weighted by elapsed time. Per-frame decisions are debounced: a new state
is adopted only after it has been seen in at least :data:`MIN_SWITCH_FRAMES` consecutive
frames spanning :data:`SWITCH_S` seconds; it is then credited from its first frame, while a
shorter blip is credited to the state it interrupted.
"""

from __future__ import annotations

from collections import deque

#: A new state must persist this long (seconds) and over this many frames to be adopted.
SWITCH_S = 0.3
MIN_SWITCH_FRAMES = 2
#: A gap between frames longer than this is counted as "no face" beyond its first MAX_GAP_S.
MAX_GAP_S = 2.0

ABSENT, AWAY, LOOKING = 0, 1, 2


class EyeContactTracker:
    """Accumulates time spent looking / looking away / without a face."""

    def __init__(self, window_s: float = 10.0) -> None:
        self.window_s = window_s
        self._segments: deque[tuple[float, float, int]] = deque()  # (start, end, state)
        self._totals = {ABSENT: 0.0, AWAY: 0.0, LOOKING: 0.0}
        self._state: int | None = None  # debounced state
        self._t_acc = 0.0  # time up to which segments are accounted
        self._last_t: float | None = None
        self._pending: list[float | int] | None = None  # [state, first_t, n_frames]
        self._away_start: float | None = None
        self._longest_away = 0.0

    def _account(self, start: float, end: float, state: int) -> None:
        if end <= start:
            return
        if self._segments and self._segments[-1][2] == state and self._segments[-1][1] == start:
            self._segments[-1] = (self._segments[-1][0], end, state)
        else:
            self._segments.append((start, end, state))
        self._totals[state] += end - start
        if state == LOOKING:
            self._away_start = None
        else:
            if self._away_start is None:
                self._away_start = start
            self._longest_away = max(self._longest_away, end - self._away_start)

    def update(self, t: float, face_present: bool, looking: bool) -> None:
        """Record one frame at session time ``t``; frames older than the last are ignored."""
        state = LOOKING if face_present and looking else AWAY if face_present else ABSENT
        last = self._last_t
        if last is None or self._state is None:
            self._state, self._t_acc, self._last_t = state, t, t
            return
        if t < last:
            return
        self._last_t = t
        if t - last > MAX_GAP_S:
            gap_start = last + MAX_GAP_S
            self._account(self._t_acc, gap_start, self._state)
            self._account(gap_start, t, ABSENT)
            self._state, self._t_acc, self._pending = state, t, None
            self._prune()
            return
        if state == self._state:
            self._pending = None
            self._account(self._t_acc, t, state)
            self._t_acc = t
        else:
            if self._pending is None or self._pending[0] != state:
                # A different blip (if any) is rejected: credit it to the current state.
                self._account(self._t_acc, t, self._state)
                self._t_acc = t
                self._pending = [state, t, 0]
            self._pending[2] += 1
            first_t = float(self._pending[1])
            if self._pending[2] >= MIN_SWITCH_FRAMES and t - first_t >= SWITCH_S:
                self._account(first_t, t, state)
                self._state, self._t_acc, self._pending = state, t, None
        self._prune()

    def _prune(self) -> None:
        horizon = (self._last_t or 0.0) - self.window_s
        while self._segments and self._segments[0][1] <= horizon:
            self._segments.popleft()

    @staticmethod
    def _share(looking: float, away: float) -> float | None:
        return looking / (looking + away) if looking + away > 0 else None

    def snapshot(self) -> dict[str, float | bool | None]:
        """Current metrics; see the module docstring for how time is credited."""
        now = self._last_t if self._last_t is not None else 0.0
        start = now - self.window_s
        spent = {ABSENT: 0.0, AWAY: 0.0, LOOKING: 0.0}
        for a, b, state in self._segments:
            spent[state] += max(0.0, min(b, now) - max(a, start))
        return {
            "eye_contact": self._share(spent[LOOKING], spent[AWAY]),
            "eye_contact_total": self._share(self._totals[LOOKING], self._totals[AWAY]),
            "longest_look_away_s": self._longest_away,
            "looking": self._state == LOOKING,
        }
