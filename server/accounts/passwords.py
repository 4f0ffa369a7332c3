"""Password hashing with bcrypt (long passphrases pre-hashed so every character counts)."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import bcrypt

from server.errors import ApiError

T = TypeVar("T")


def _prehash(password: str) -> bytes:
    # bcrypt reads at most 72 bytes (bcrypt>=5 refuses more): hash long passphrases first so
    # every character counts. base64 keeps NUL bytes out of bcrypt's input.
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode("ascii"))
    except ValueError:  # not a bcrypt hash
        return False


@functools.cache
def dummy_hash(rounds: int) -> str:
    """A hash to check a password against when the account does not exist (same cost)."""
    return hash_password(secrets.token_urlsafe(16), rounds)


class PasswordHasher:
    """bcrypt off the event loop, in a small pool of its own (`threads`, 1-2): a burst of logins
    queues here instead of taking every thread of the default pool, which the database reads
    of every request use. At most `max_waiting` calls wait; more are refused (503 `busy`)."""

    def __init__(self, rounds: int = 12, threads: int = 1, max_waiting: int = 64) -> None:
        self.rounds = rounds
        self.max_waiting = max_waiting
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads),
                                        thread_name_prefix="bcrypt")
        self._waiting = 0

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._waiting >= self.max_waiting:
            raise ApiError(503, "busy", "too many logins at once; retry in a few seconds",
                           headers={"Retry-After": "2"})
        self._waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        finally:
            self._waiting -= 1

    async def hash(self, password: str) -> str:
        return await self._run(hash_password, password, self.rounds)

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """Whether `password` matches; `password_hash` None (no such account) checks it
        against a dummy hash of the same cost, so an unknown account answers as slowly."""
        if password_hash is None:
            await self._run(verify_password, password, await self._run(dummy_hash, self.rounds))
            return False
        return await self._run(verify_password, password, password_hash)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
