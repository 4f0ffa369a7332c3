"""Rate limits with exponential back-off: how often a client address, an account or the whole
server may try something (log in, register, create an interview without an account).

The counting is the `limits` package's (moving windows, `limits.aio`): in this process's memory
by default, in Redis when REDIS_URL is set, so that every node shares the counts. A key that
goes over its limit is locked until its window frees up; every attempt while it is locked
doubles the lock (up to `max_backoff_s`), so a client that keeps trying waits longer each time.
A refusal is `ApiError` 429 `rate_limited` with `Retry-After` (seconds).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from server.errors import ApiError

log = logging.getLogger(__name__)

KEY_PREFIX = "interview-limits"


@dataclass(frozen=True)
class Rule:
    """One limit: its name (part of the keys), its windows and the reason a refusal gives."""

    name: str
    windows: tuple[RateLimitItem, ...]
    reason: str

    @classmethod
    def parse(cls, name: str, spec: str, reason: str) -> Rule:
        """`spec`: the `limits` notation, e.g. "10/minute" or "10/minute;100/hour"."""
        try:
            windows = tuple(parse_many(spec))
        except ValueError as exc:
            raise ValueError(f"rate limit {name}: {exc}") from exc
        return cls(name, windows, reason)


def rate_limited(reason: str, retry_after: float) -> ApiError:
    seconds = max(1, math.ceil(retry_after))
    return ApiError(429, "rate_limited", f"{reason}; retry in {seconds} s",
                    headers={"Retry-After": str(seconds)})


class Throttle:
    """Counts attempts per (rule, key) and refuses the ones over the limit."""

    def __init__(self, storage: Storage, max_backoff_s: float = 900) -> None:
        self.storage = storage
        self.limiter = MovingWindowRateLimiter(storage)
        self.max_backoff_s = max_backoff_s

    @classmethod
    def create(cls, redis_url: str = "", max_backoff_s: float = 900) -> Throttle:
        """In memory, or shared by every node through Redis when `redis_url` is set."""
        if not redis_url:
            return cls(MemoryStorage(), max_backoff_s)
        storage = RedisStorage(f"async+{redis_url}", implementation="redispy",
                               key_prefix=KEY_PREFIX)
        return cls(storage, max_backoff_s)

    # -------------------------------------------------------------------- the API

    async def hit(self, rule: Rule, key: str) -> None:
        """Count one attempt of `key`; ApiError 429 when it is locked or over the limit."""
        await self._refuse_if_locked(rule, key)
        for window in rule.windows:
            if not await self.limiter.hit(window, rule.name, key):
                await self._refuse(rule, key, await self._window_wait(rule, key))

    async def check(self, rule: Rule, key: str) -> None:
        """ApiError 429 when `key` is locked or has used up its limit; counts nothing (count
        with `hit`, e.g. only the attempts that failed)."""
        await self._refuse_if_locked(rule, key)
        for window in rule.windows:
            if not await self.limiter.test(window, rule.name, key):
                await self._refuse(rule, key, await self._window_wait(rule, key))

    async def reset(self, rule: Rule, key: str) -> None:
        """Forget `key`'s attempts and lock (e.g. after a successful login)."""
        for window in rule.windows:
            await self.limiter.clear(window, rule.name, key)
        await self.storage.clear(self._lock_key(rule, key))

    # -------------------------------------------------------------------- back-off

    @staticmethod
    def _lock_key(rule: Rule, key: str) -> str:
        return f"lock/{rule.name}/{key}"

    async def _window_wait(self, rule: Rule, key: str) -> float:
        """Seconds until every full window of `key` has room again."""
        now = time.time()
        wait = 0.0
        for window in rule.windows:
            stats = await self.limiter.get_window_stats(window, rule.name, key)
            if stats.remaining <= 0:
                wait = max(wait, stats.reset_time - now)
        return wait

    async def _refuse_if_locked(self, rule: Rule, key: str) -> None:
        lock = self._lock_key(rule, key)
        if await self.storage.get(lock) > 0:
            remaining = await self.storage.get_expiry(lock) - time.time()
            await self._refuse(rule, key, 2 * max(1.0, remaining))

    async def _refuse(self, rule: Rule, key: str, wait: float) -> None:
        """Lock `key` for `wait` seconds (capped) and raise the 429."""
        seconds = max(1, math.ceil(min(self.max_backoff_s, max(1.0, wait))))
        lock = self._lock_key(rule, key)
        await self.storage.clear(lock)
        await self.storage.incr(lock, seconds)
        log.info("rate limited: %s (%s s)", rule.name, seconds)
        raise rate_limited(rule.reason, seconds)
