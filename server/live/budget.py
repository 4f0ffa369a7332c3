"""Token buckets: how much of something a session may do per second, with a burst.

`RealTimeBudget` enforces real time on a session's audio: a client may send audio up to
`rate` times faster than real time after a `burst` of seconds (e.g. what it buffered during a
reconnect). A chunk that fits goes through; one that fits after a short wait is throttled (the
socket waits, so a fast sender is slowed down by back-pressure); anything more is refused (the
caller drops it and says `too_fast`). Nothing queues.
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
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.bucket = TokenBucket(speed, burst_s, clock)
        self.max_wait_s = max_wait_s
        self.throttled_s = 0.0  # how long sends were made to wait, in all
        self.refused_s = 0.0  # seconds of audio refused

    def admit(self, seconds: float) -> float | None:
        """How long to wait before taking a chunk of `seconds` of audio (0: at once), or None
        when it is refused."""
        wait = self.bucket.wait_for(seconds)
        if wait > self.max_wait_s:
            self.bucket.give_back(seconds)
            self.refused_s += seconds
            return None
        self.throttled_s += wait
        return wait
