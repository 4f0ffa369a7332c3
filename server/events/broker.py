"""Fan-out of session events to subscribers in this process.

`InProcessBroker` is the default; `server.events.redis_broker.RedisBroker` extends it across nodes.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Protocol

from server.events.model import Event

log = logging.getLogger(__name__)


class Sink(Protocol):
    def deliver(self, event: Event) -> None: ...


class Subscription:
    """A bounded queue of one subscriber. A subscriber that falls `maxsize` events behind is cut
    off (`overflowed`) instead of making the queue grow: it reconnects and catches up from the
    stored log."""

    def __init__(self, broker: InProcessBroker, channel: str, maxsize: int) -> None:
        self.channel = channel
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize)
        self.overflowed = False
        self._broker = broker

    def deliver(self, event: Event) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            log.warning("subscriber of %s fell behind; disconnecting it", self.channel)
            self.queue.get_nowait()
            self.queue.put_nowait(None)

    async def get(self) -> Event | None:
        """The next event; None once the subscription overflowed."""
        return await self.queue.get()

    def close(self) -> None:
        self._broker.unsubscribe(self)


class InProcessBroker:
    """Publishes events to the subscribers of their session's channel in this process."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = defaultdict(set)
        self._sinks: list[Sink] = []

    async def start(self) -> None:
        """Connect to external services (none here)."""

    async def close(self) -> None:
        """Disconnect from external services (none here)."""

    def mark_local(self, session_id: str, local: bool) -> None:
        """A session starts or stops running on this node (one node: nothing to do)."""

    def add_sink(self, sink: Sink) -> None:
        """Attach a subscriber of every channel that must see every event (storage)."""
        self._sinks.append(sink)

    def publish(self, event: Event) -> None:
        for sink in self._sinks:
            sink.deliver(event)
        self.fan_out(event)

    def fan_out(self, event: Event) -> None:
        """Deliver to this process's subscribers of the event's session."""
        for sub in tuple(self._subs.get(event.session_id, ())):
            sub.deliver(event)

    async def subscribe(self, channel: str, maxsize: int = 2000) -> Subscription:
        """Subscribe to a session's live events (from now on)."""
        return self.subscribe_local(channel, maxsize)

    def subscribe_local(self, channel: str, maxsize: int = 2000) -> Subscription:
        sub = Subscription(self, channel, maxsize)
        self._subs[channel].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.channel)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.channel]
                self.channel_idle(sub.channel)

    def channel_idle(self, channel: str) -> None:
        """The last local subscriber of `channel` left."""

    async def history(self, session_id: str, after: int) -> list[Event] | None:
        """Events after `after` from the broker's own log, or None when it keeps none."""
        return None

    def subscriber_count(self, channel: str | None = None) -> int:
        if channel is None:
            return sum(len(s) for s in self._subs.values())
        return len(self._subs.get(channel, ()))
