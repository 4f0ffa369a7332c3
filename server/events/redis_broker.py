"""Events across server nodes with Redis.

Each session's events are appended to a Redis stream `events:{id}` (capped, expiring), which
is both the cross-node channel and a log for catch-up. The node that runs a session publishes
to it and delivers to its own subscribers once the append succeeded: a client never sees an
event that another node, resuming the session after this one died, would not know (its `seq`
would be given again). Another node reads the stream with one reader task per watched session
and fans the events out to its local subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import redis.asyncio as aioredis

from server.events.broker import InProcessBroker, Subscription
from server.events.model import Event

log = logging.getLogger(__name__)

STREAM_MAXLEN = 100_000
STREAM_TTL_S = 7 * 24 * 3600
OUTBOX_MAX = 50_000


def stream_key(session_id: str) -> str:
    return f"events:{session_id}"


def _encode(event: Event) -> dict[str, str]:
    return {"e": json.dumps(event.to_record())}


def _decode(fields: dict) -> Event:
    raw = fields.get(b"e") or fields.get("e")
    return Event.from_record(json.loads(raw))


class RedisBroker(InProcessBroker):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.redis = aioredis.from_url(url)
        self._reader_redis = aioredis.from_url(url)
        self._outbox: asyncio.Queue[Event] = asyncio.Queue(OUTBOX_MAX)
        self._local_sessions: set[str] = set()
        self._readers: dict[str, asyncio.Task] = {}
        self._publisher: asyncio.Task | None = None
        self.dropped = 0

    async def start(self) -> None:
        await self.redis.ping()
        self._publisher = asyncio.create_task(self._publish_loop())

    async def close(self) -> None:
        if self._publisher is not None:
            await self._drain_outbox()
            self._publisher.cancel()
            await asyncio.gather(self._publisher, return_exceptions=True)
        for task in self._readers.values():
            task.cancel()
        await asyncio.gather(*self._readers.values(), return_exceptions=True)
        await self.redis.aclose()
        await self._reader_redis.aclose()

    # -- publishing (the node that runs the session) -----------------------------------------
    def mark_local(self, session_id: str, local: bool) -> None:
        """Sessions running on this node are delivered locally, without a stream reader."""
        if local:
            self._local_sessions.add(session_id)
        else:
            self._local_sessions.discard(session_id)

    def publish(self, event: Event) -> None:
        """To the sinks at once; to the local subscribers once it is in the Redis stream."""
        for sink in self._sinks:
            sink.deliver(event)
        try:
            self._outbox.put_nowait(event)
        except asyncio.QueueFull:
            # other nodes fill the gap from storage (spectators fetch missing seqs)
            self.dropped += 1
            self.fan_out(event)

    async def _publish_loop(self) -> None:
        while True:
            first = await self._outbox.get()
            batch = [first]
            while not self._outbox.empty() and len(batch) < 500:
                batch.append(self._outbox.get_nowait())
            await self._write(batch)

    async def _drain_outbox(self) -> None:
        batch = []
        while not self._outbox.empty():
            batch.append(self._outbox.get_nowait())
        if batch:
            await self._write(batch)

    async def _write(self, batch: list[Event]) -> None:
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for event in batch:
                    key = stream_key(event.session_id)
                    pipe.xadd(key, _encode(event), maxlen=STREAM_MAXLEN, approximate=True)
                    pipe.expire(key, STREAM_TTL_S)
                await pipe.execute()
        except Exception:  # noqa: BLE001 - spectators elsewhere fill gaps from storage
            self.dropped += len(batch)
            log.exception("publishing %d events to Redis failed", len(batch))
        for event in batch:  # stored in Redis (or it failed: deliver rather than stall)
            self.fan_out(event)

    # -- subscribing (any node) ---------------------------------------------------------------
    async def subscribe(self, channel: str, maxsize: int = 2000) -> Subscription:
        if channel not in self._local_sessions and channel not in self._readers:
            last_id = await self._last_id(channel)
            self._readers[channel] = asyncio.create_task(self._read_loop(channel, last_id))
        return self.subscribe_local(channel, maxsize)

    def channel_idle(self, channel: str) -> None:
        task = self._readers.pop(channel, None)
        if task is not None:
            task.cancel()

    async def _last_id(self, channel: str) -> str:
        entries = await self.redis.xrevrange(stream_key(channel), count=1)
        return entries[0][0].decode() if entries else "0-0"

    async def _read_loop(self, channel: str, last_id: str) -> None:
        key = stream_key(channel)
        while True:
            try:
                reply = await self._reader_redis.xread({key: last_id}, block=5000, count=500)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep following after a Redis hiccup
                log.exception("reading %s failed; retrying", key)
                await asyncio.sleep(1.0)
                continue
            for _, entries in reply or ():
                for entry_id, fields in entries:
                    last_id = entry_id.decode()
                    with contextlib.suppress(Exception):
                        self.fan_out(_decode(fields))

    async def history(self, session_id: str, after: int) -> list[Event] | None:
        entries = await self.redis.xrange(stream_key(session_id))
        if not entries:
            return None
        events = [_decode(fields) for _, fields in entries]
        return [e for e in events if e.seq > after]
