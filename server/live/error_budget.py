"""A session's budget of `error` events: a burst, then a steady rate (a token bucket).

A client that keeps sending what the server cannot use would otherwise make one `error` event
per message: sent back, stored, counted. Beyond the budget, errors are counted here and not
emitted; the first one held back emits a single `too_many_errors` notice, and the next error
that is emitted again says how many were held back. Once the bucket is full again (the client
calmed down), a later overrun gets a new notice."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace

from server.events.kinds import Error

log = logging.getLogger(__name__)

BURST = 20  # errors emitted at once
PER_S = 1.0  # then this many per second
MAX_MESSAGE_CHARS = 200  # an error message is cut to this length
NOTICE_CODE = "too_many_errors"


class ErrorBudget:
    """Emits `Error` payloads through `emit` within the budget (see the module docstring)."""

    def __init__(self, emit: Callable[[Error], object], *, key: str = "", burst: int = BURST,
                 per_s: float = PER_S, clock: Callable[[], float] = time.monotonic) -> None:
        self._emit = emit
        self.key = key  # the session, for the log
        self.burst = burst
        self.per_s = per_s
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()
        self._noticed = False  # the notice of the current overrun was sent
        self._held = 0  # held back since the last emitted error
        self.emitted = 0
        self.suppressed = 0

    def report(self, error: Error) -> bool:
        """Emit `error` if the budget allows (True), else count it (False)."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_s)
        self._at = now
        if self._tokens >= self.burst:
            self._noticed = False  # a full bucket: the overrun is over
        if self._tokens < 1:
            self.suppressed += 1
            self._held += 1
            if not self._noticed:
                self._noticed = True
                log.warning("session %s: error budget exhausted (%s errors emitted); counting "
                            "the rest", self.key, self.emitted)
                self._emit(Error(code=NOTICE_CODE, message=(
                    f"more than {self.burst} errors: further errors are counted, not sent "
                    f"(at most {self.per_s:g} per second)"
                )))
            return False
        self._tokens -= 1
        message = error.message
        if self._held:
            message = f"{message[:MAX_MESSAGE_CHARS - 40]} ({self._held} more errors not sent)"
            self._held = 0
        self.emitted += 1
        self._emit(replace(error, message=message[:MAX_MESSAGE_CHARS]))
        return True
