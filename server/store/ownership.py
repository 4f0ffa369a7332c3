"""Which node runs which session, kept in Redis with expiry.

The node that runs a session holds `owner:{id}` (refreshed every few seconds, expiring after
`ttl_s`), and `node:{node id}` holds its address (`NODE_URL`), so that a request that must be
served where the session runs (a WebRTC offer) can be forwarded there. A node that dies stops
refreshing, and its interviews become orphans: live in the database, owned by no node. The
session manager resumes an orphan when its candidate reconnects and finishes it when its resume
grace period has passed (`orphans()`). Without Redis there is one node: the orphans are the
interviews a previous run of it left live."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import redis.asyncio as aioredis

from server.store.store import Store

log = logging.getLogger(__name__)


class SessionOwnedElsewhere(Exception):
    """Another live node runs this session."""


def owner_key(session_id: str) -> str:
    return f"owner:{session_id}"


def node_key(node_id: str) -> str:
    return f"node:{node_id}"


class LocalOwnership:
    """One node: nothing to coordinate."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._is_local: Callable[[str], bool] = lambda _id: False

    async def start(self, is_local: Callable[[str], bool]) -> None:
        self._is_local = is_local

    async def claim(self, session_id: str) -> None:
        return None

    async def release(self, session_id: str) -> None:
        return None

    async def owner_elsewhere(self, session_id: str) -> tuple[str, str] | None:
        return None

    async def orphans(self) -> list[str]:
        """Live interviews this node does not run (left by a previous run)."""
        live = await asyncio.to_thread(self.store.live_interview_ids)
        return [sid for sid in live if not self._is_local(sid)]

    async def close(self) -> None:
        return None


class RedisOwnership:
    def __init__(self, url: str, node_id: str, store: Store, ttl_s: float = 15.0,
                 node_url: str = "") -> None:
        self.redis = aioredis.from_url(url)
        self.node_id = node_id
        self.node_url = node_url
        self.store = store
        self.ttl_s = ttl_s
        self.owned: set[str] = set()
        self._task: asyncio.Task | None = None
        self._is_local: Callable[[str], bool] = lambda _id: False

    async def start(self, is_local: Callable[[str], bool]) -> None:
        self._is_local = is_local
        await self._refresh()
        self._task = asyncio.create_task(self._loop())

    async def close(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for sid in list(self.owned):
            await self.release(sid)
        with contextlib.suppress(Exception):
            await self.redis.delete(node_key(self.node_id))
        await self.redis.aclose()

    async def claim(self, session_id: str) -> None:
        key = owner_key(session_id)
        ok = await self.redis.set(key, self.node_id, nx=True, px=int(self.ttl_s * 1000))
        if not ok:
            holder = await self.redis.get(key)
            if holder is not None and holder.decode() != self.node_id:
                raise SessionOwnedElsewhere(holder.decode())
            await self.redis.set(key, self.node_id, px=int(self.ttl_s * 1000))
        self.owned.add(session_id)

    async def release(self, session_id: str) -> None:
        self.owned.discard(session_id)
        key = owner_key(session_id)
        holder = await self.redis.get(key)
        if holder is not None and holder.decode() == self.node_id:
            await self.redis.delete(key)

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self._refresh()
            await asyncio.sleep(self.ttl_s / 3)

    async def owner_elsewhere(self, session_id: str) -> tuple[str, str] | None:
        """(node id, its NODE_URL or "") of the live node running `session_id`, if not this."""
        holder = await self.redis.get(owner_key(session_id))
        if holder is None or holder.decode() == self.node_id:
            return None
        node = holder.decode()
        url = await self.redis.get(node_key(node))
        return node, url.decode() if url else ""

    async def _refresh(self) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            if self.node_url:
                pipe.set(node_key(self.node_id), self.node_url, px=int(self.ttl_s * 1000))
            for sid in self.owned:
                pipe.set(owner_key(sid), self.node_id, px=int(self.ttl_s * 1000))
            await pipe.execute()

    async def orphans(self) -> list[str]:
        """Live interviews no live node owns (their node died or stopped)."""
        live = await asyncio.to_thread(self.store.live_interview_ids)
        out = []
        for sid in live:
            if not self._is_local(sid) and not await self.redis.exists(owner_key(sid)):
                out.append(sid)
        return out
