"""Token buckets: how much of something a session may do per second, with a burst.

`RealTimeBudget` enforces real time on a session's audio: a client may send audio up to
`speed` times faster than real time after a `burst` of seconds (e.g. what it buffered during
a reconnect). A chunk that fits goes through. One that fits after a short wait is throttled
(the socket is read later, so a slightly fast sender is slowed down by back-pressure), but only
for `max_throttle_s` in a row: a client that keeps sending too fast then has its chunks refused
(the caller drops them and says `too_fast`) until it has sent slower than allowed for a while
(`relief_s` of budget saved up again). Nothing queues.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up."""

    def __init__(self, rate: float, burst: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._at = clock()

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return self._tokens

    def available(self) -> float:
        return self._refill()

    def take(self, amount: float) -> bool:
        """Take `amount` now if there is that much."""
        if self._refill() >= amount:
            self._tokens -= amount
            return True
        return False

    def wait_for(self, amount: float) -> float:
        """Seconds until `amount` is there (0: now); takes it in advance when it will be."""
        tokens = self._refill()
        self._tokens = tokens - amount
        return max(0.0, (amount - tokens) / self.rate)

    def give_back(self, amount: float) -> None:
        self._tokens = min(self.burst, self._tokens + amount)


class RealTimeBudget:
    """Admission of a session's audio chunks (see the module docstring)."""

    def __init__(self, speed: float = 1.5, burst_s: float = 15.0, max_wait_s: float = 0.5,
                 max_throttle_s: float = 2.0, relief_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.bucket = TokenBucket(speed, burst_s, clock)
        self.max_wait_s = max_wait_s
        self.max_throttle_s = max_throttle_s
        self.relief_s = relief_s
        self.throttled_s = 0.0  # how long sends were made to wait, in all
        self.refused_s = 0.0  # seconds of audio refused
        self._strain = 0.0  # waits imposed since a chunk last fitted at once

    def admit(self, seconds: float) -> float | None:
        """How long to wait before taking a chunk of `seconds` of audio (0: at once), or None
        when it is refused."""
        if self.bucket.available() >= seconds + self.relief_s:
            self._strain = 0.0  # sent slower than allowed for a while: forgiven
        wait = self.bucket.wait_for(seconds)
        if wait == 0:
            return 0.0
        if wait <= self.max_wait_s and self._strain + wait <= self.max_throttle_s:
            self._strain += wait
            self.throttled_s += wait
            return wait
        self.bucket.give_back(seconds)
        self.refused_s += seconds
        return None
